// Integer matmul and conv: MatMulInteger and ConvInteger (int32 results), QLinearMatMul and
// QLinearConv (requantised to 8 bits). Operands are centred on their zero points and multiplied
// on MatMul's and Conv's reference kernels in float64 (exact: every partial sum is an integer
// below 2^53, wrapped to int32 after), compiled on their computes with an i32 accumulator; the
// accumulator is scaled by in_scale * w_scale / y_scale in float32, as onnxruntime does.
import { KilnError, ShapeError, UnsupportedError } from '../errors.js';
import { castNumber, type DType } from '../ir/dtype.js';
import type { Node, ValueInfo } from '../ir/graph.js';
import { fmtShape, numel, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { onStage, type Schedule } from '../schedule/schedule.js';
import { convSchedule } from './conv-schedule.js';
import type { ScheduleContext } from './facets.js';
import { convOps } from './conv.js';
import { matmulOperandsSchedule, matmulOps } from './matmul.js';
import { convForward } from './nn-conv.js';
import { slidingWindow } from './nn-window.js';
import { attr, defineOp, type AnyOpDef, type InferContext, type OpTable } from './op.js';
import { convIntegerCompute, matMulIntegerCompute, qlinearConvCompute, qlinearMatMulCompute } from './quantize-nn-compute.js';
import { alignedParamShape, quantRange, roundEven, type ParamRole } from './quantize-params.js';

// the executor and shape inference prefix the node's name
const where = (node: Node) => node.op;

/** The flat index of a parameter of shape `aligned` for each flat element of `shape` (aligned right, broadcast). */
function broadcastReader(shape: readonly number[], aligned: readonly number[]): (i: number) => number {
  const strides: number[] = [];
  let s = 1;
  for (let d = aligned.length - 1; d >= 0; d--) { strides[d] = aligned[d] === 1 ? 0 : s; s *= aligned[d]; }
  const offset = shape.length - aligned.length;
  return (i) => {
    let at = 0, rest = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      const c = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
      if (d >= offset) at += c * strides[d - offset];
    }
    return at;
  };
}

/** t minus its zero point as exact float64 integers. */
function centred(t: Tensor, zp: Tensor | undefined, role: ParamRole, what: string): Tensor {
  const out = new Float64Array(t.size);
  const X = t.numbers;
  if (!zp) { out.set(X); return new Tensor('float64', t.shape, out); }
  const read = broadcastReader(t.shape, alignedParamShape(what, t.shape, zp.shape, role));
  const Z = zp.numbers;
  for (let i = 0; i < out.length; i++) out[i] = X[i] - Z[read(i)];
  return new Tensor('float64', t.shape, out);
}

/** The scales' product over y's scale, rounded as the scales' type rounds (float32 or float16). */
export function requantScale(dtype: DType, inScale: number, wScale: number, yScale: number): number {
  return castNumber(dtype, castNumber(dtype, inScale * wScale) / yScale);
}

/** saturate(round_even(float32(acc) * scale) + zero point). */
const requantize = (acc: number, scale: number, zp: number, lo: number, hi: number) =>
  Math.max(lo, Math.min(hi, roundEven(Math.fround(Math.fround(acc) * scale)) + zp));

function checkInt8(node: Node, what: string, t: ValueInfo | undefined, like?: ValueInfo): void {
  if (!t) return;
  if (t.dtype !== 'int8' && t.dtype !== 'uint8') throw new UnsupportedError(`${where(node)}: ${what} is ${t.dtype}; it must be int8 or uint8`);
  if (like && like.dtype !== t.dtype) throw new ShapeError(`${where(node)}: ${what} is ${t.dtype} but its tensor is ${like.dtype}; they must match`);
}

function checkScale(node: Node, what: string, t: ValueInfo, zp: ValueInfo | undefined, dtype: DType): void {
  if (t.dtype !== dtype) throw new UnsupportedError(`${where(node)}: ${what} is ${t.dtype}; scales must all be ${dtype} (float32 or float16)`);
  if (zp && numel(zp.shape as number[]) !== numel(t.shape as number[])) {
    throw new ShapeError(`${where(node)}: ${what} ${fmtShape(t.shape)} and its zero point ${fmtShape(zp.shape)} must have one shape`);
  }
}

/** The float op's inference on int operands seen as `as`, errors renamed to this node. */
function inferAs(def: AnyOpDef, ctx: InferContext<unknown>, inputs: readonly (ValueInfo | undefined)[], as: DType, attrs: unknown): readonly Dim[] {
  try {
    return def.infer({ ...ctx, attrs: attrs as never, inputs: inputs.map((t) => t && { ...t, dtype: as }) })[0].shape;
  } catch (e) {
    if (e instanceof KilnError) throw new ShapeError(`${where(ctx.node)}: ${e.message}`);
    throw e;
  }
}

const convAttrs = {
  auto_pad: attr.string('NOTSET'), dilations: attr.ints(), group: attr.int(1),
  kernel_shape: attr.ints(), pads: attr.ints(), strides: attr.ints(),
};
type ConvAttrs = { readonly auto_pad: string; readonly group: number; readonly kernel_shape?: readonly number[];
  readonly dilations?: readonly number[]; readonly pads?: readonly number[]; readonly strides?: readonly number[] };

function convInt(node: Node, attrs: ConvAttrs, x: Tensor, w: Tensor, xzp: Tensor | undefined, wzp: Tensor | undefined, bias?: Tensor): Tensor {
  if (xzp && xzp.size !== 1) throw new ShapeError(`${where(node)}: x_zero_point ${fmtShape(xzp.shape)} must be one value`);
  const win = slidingWindow(node.op, x.shape.slice(2), attrs.kernel_shape ?? w.shape.slice(2), attrs);
  const b = bias && new Tensor('float64', bias.shape, Float64Array.from(bias.numbers));
  const y = convForward(centred(x, xzp, 'channel', `${where(node)}: x_zero_point`), centred(w, wzp, 'channel', `${where(node)}: w_zero_point`), b, win, attrs.group);
  return Tensor.from('int32', y.shape, y.numbers);
}

function matmulInt(node: Node, a: Tensor, b: Tensor, azp: Tensor | undefined, bzp: Tensor | undefined): Tensor {
  const ca = centred(a, azp, 'row', `${where(node)}: a_zero_point`), cb = centred(b, bzp, 'col', `${where(node)}: b_zero_point`);
  const [y] = matmulOps.MatMul.run!({ node, attrs: {}, inputs: [ca, cb] });
  return Tensor.from('int32', y.shape, y.numbers);
}

/** Steps for the i32 accumulator stage QLinear computes name `${output}_acc` (quantize-nn-compute.ts). */
function onAccumulator(ctx: ScheduleContext<unknown>, steps: Schedule): Schedule {
  const output = ctx.outputNames?.[0];
  return output === undefined ? [] : onStage(steps, `${output}_acc`);
}

export const quantizeNnOps = {
  MatMulInteger: defineOp({
    attrs: {}, inputs: [2, 4], fusion: 'opaque',
    // the zero points shift the operands inline: MatMul's tile over them
    schedule: matmulOperandsSchedule,
    infer: (ctx) => {
      const [a, b, azp, bzp] = ctx.inputs;
      checkInt8(ctx.node, 'A', a); checkInt8(ctx.node, 'B', b);
      checkInt8(ctx.node, 'a_zero_point', azp, a); checkInt8(ctx.node, 'b_zero_point', bzp, b);
      if (azp) alignedParamShape(`${where(ctx.node)}: a_zero_point`, a!.shape, azp.shape, 'row');
      if (bzp) alignedParamShape(`${where(ctx.node)}: b_zero_point`, b!.shape, bzp.shape, 'col');
      return [{ dtype: 'int32', shape: inferAs(matmulOps.MatMul, ctx, [a, b], 'int32', {}) }];
    },
    run: ({ node, inputs: [a, b, azp, bzp] }) => [matmulInt(node, a!, b!, azp, bzp)],
    compute: matMulIntegerCompute,
  }),

  QLinearMatMul: defineOp({
    attrs: {}, inputs: [8, 8], fusion: 'opaque',
    // MatMul's tile on the i32 accumulator stage (a and b are inputs 0 and 3); the requantisation is a row
    schedule: (ctx) => onAccumulator(ctx, matmulOperandsSchedule({ ...ctx, inputs: [ctx.inputs[0], ctx.inputs[3]] })),
    infer: (ctx) => {
      const [a, as, azp, b, bs, bzp, ys, yzp] = ctx.inputs;
      checkInt8(ctx.node, 'a', a); checkInt8(ctx.node, 'b', b); checkInt8(ctx.node, 'y_zero_point', yzp);
      checkInt8(ctx.node, 'a_zero_point', azp, a); checkInt8(ctx.node, 'b_zero_point', bzp, b);
      for (const [what, s, zp] of [['a_scale', as, azp], ['b_scale', bs, bzp], ['y_scale', ys, yzp]] as const) checkScale(ctx.node, what, s!, zp, as!.dtype);
      if (as!.dtype !== 'float32' && as!.dtype !== 'float16') throw new UnsupportedError(`${where(ctx.node)}: scales are ${as!.dtype}; Kiln takes float32 or float16`);
      alignedParamShape(`${where(ctx.node)}: a_scale`, a!.shape, as!.shape, 'row');
      alignedParamShape(`${where(ctx.node)}: b_scale`, b!.shape, bs!.shape, 'col');
      if (numel(ys!.shape as number[]) !== 1) throw new ShapeError(`${where(ctx.node)}: y_scale ${fmtShape(ys!.shape)} must be one value`);
      return [{ dtype: yzp!.dtype, shape: inferAs(matmulOps.MatMul, ctx, [a, b], 'int32', {}) }];
    },
    run: ({ node, inputs: [a, as, azp, b, bs, bzp, ys, yzp] }) => {
      const acc = matmulInt(node, a!, b!, azp, bzp);
      const readA = broadcastReader(acc.shape, alignedParamShape('a_scale', a!.shape, as!.shape, 'row'));
      const readB = broadcastReader(acc.shape, alignedParamShape('b_scale', b!.shape, bs!.shape, 'col'));
      // a 1-D a or b has no row or column axis in y: only per-tensor scales apply then
      if ((a!.rank < 2 && as!.size > 1) || (b!.rank < 2 && bs!.size > 1)) throw new UnsupportedError(`${where(node)}: per-row or per-column scales need 2-D operands`);
      const [lo, hi] = quantRange(where(node), yzp!.dtype);
      const A = as!.numbers, B = bs!.numbers, Y = ys!.numbers[0], zp = yzp!.numbers[0];
      const rowsA = a!.rank > 1, colsB = b!.rank > 1;
      const values = Array.from(acc.numbers, (v, i) => requantize(v,
        requantScale(as!.dtype, A[rowsA ? readA(i) : 0], B[colsB ? readB(i) : 0], Y), zp, lo, hi));
      return [Tensor.from(yzp!.dtype, acc.shape, values)];
    },
    compute: qlinearMatMulCompute,
  }),

  ConvInteger: defineOp({
    attrs: convAttrs, inputs: [2, 4], fusion: 'opaque',
    // the zero points shift the input and weights inline: Conv's tile over them
    schedule: (ctx) => convSchedule(ctx, false),
    infer: (ctx) => {
      const [x, w, xzp, wzp] = ctx.inputs;
      checkInt8(ctx.node, 'x', x); checkInt8(ctx.node, 'w', w);
      checkInt8(ctx.node, 'x_zero_point', xzp, x); checkInt8(ctx.node, 'w_zero_point', wzp, w);
      if (xzp && numel(xzp.shape as number[]) !== 1) throw new ShapeError(`${where(ctx.node)}: x_zero_point ${fmtShape(xzp.shape)} must be one value`);
      if (wzp) alignedParamShape(`${where(ctx.node)}: w_zero_point`, w!.shape, wzp.shape, 'channel');
      return [{ dtype: 'int32', shape: inferAs(convOps.Conv, ctx, [x, w], 'float32', ctx.attrs) }];
    },
    run: ({ node, attrs, inputs: [x, w, xzp, wzp] }) => [convInt(node, attrs, x!, w!, xzp, wzp)],
    compute: convIntegerCompute,
  }),

  QLinearConv: defineOp({
    attrs: convAttrs, inputs: [8, 9], fusion: 'opaque',
    schedule: (ctx) => onAccumulator(ctx, convSchedule({ ...ctx, inputs: [ctx.inputs[0], ctx.inputs[3]] }, false)),
    infer: (ctx) => {
      const [x, xs, xzp, w, ws, wzp, ys, yzp, bias] = ctx.inputs;
      checkInt8(ctx.node, 'x', x); checkInt8(ctx.node, 'w', w); checkInt8(ctx.node, 'y_zero_point', yzp);
      checkInt8(ctx.node, 'x_zero_point', xzp, x); checkInt8(ctx.node, 'w_zero_point', wzp, w);
      for (const [what, s, zp] of [['x_scale', xs, xzp], ['w_scale', ws, wzp], ['y_scale', ys, yzp]] as const) checkScale(ctx.node, what, s!, zp, 'float32');
      for (const [what, t] of [['x_scale', xs], ['x_zero_point', xzp], ['y_scale', ys], ['y_zero_point', yzp]] as const) {
        if (numel(t!.shape as number[]) !== 1) throw new ShapeError(`${where(ctx.node)}: ${what} ${fmtShape(t!.shape)} must be one value`);
      }
      alignedParamShape(`${where(ctx.node)}: w_scale`, w!.shape, ws!.shape, 'channel');
      if (bias && bias.dtype !== 'int32') throw new UnsupportedError(`${where(ctx.node)}: B is ${bias.dtype}; it must be int32`);
      return [{ dtype: yzp!.dtype, shape: inferAs(convOps.Conv, ctx, [x, w, bias], 'float32', ctx.attrs) }];
    },
    run: ({ node, attrs, inputs: [x, xs, xzp, w, ws, wzp, ys, yzp, bias] }) => {
      const acc = convInt(node, attrs, x!, w!, xzp, wzp, bias);
      const [lo, hi] = quantRange(where(node), yzp!.dtype);
      const plane = numel(acc.shape.slice(2)), m = acc.shape[1];
      const W = ws!.numbers, zp = yzp!.numbers[0];
      const scales = Array.from({ length: m }, (_, o) => requantScale('float32', xs!.numbers[0], W[ws!.size > 1 ? o : 0], ys!.numbers[0]));
      const values = Array.from(acc.numbers, (v, i) => requantize(v, scales[Math.floor(i / plane) % m], zp, lo, hi));
      return [Tensor.from(yzp!.dtype, acc.shape, values)];
    },
    compute: qlinearConvCompute,
  }),
} satisfies OpTable;
