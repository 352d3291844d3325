// Compute definitions of the integer matmul and conv ops: the operands minus their zero points
// (inline i32 tensors) go through MatMul's and Conv's own computes with an i32 accumulator; the
// QLinear forms then requantise it with the scale ratio, rounded as the scales' type rounds.
import { bin, cast, cnst, un, type Expr } from '../loop/ir.js';
import { compute, elementZero, type TeTensor } from '../lower/te.js';
import { convCompute, matmulCompute } from './nn-compute.js';
import type { ComputeContext } from './op.js';
import { alignedParamShape, quantRange, type ParamRole } from './quantize-params.js';
import type { DType } from '../ir/dtype.js';

const i32 = (e: Expr) => (e.type.scalar === 'i32' ? e : cast(e, 'i32'));
const f32 = (e: Expr) => (e.type.scalar === 'f32' ? e : cast(e, 'f32'));

/**
 * Reads a parameter laid out as `aligned` (its dims stretched to its operand's rank) at an
 * index of a tensor right-aligned with it: its non-unit dims take the matching index entries.
 */
function paramReader(p: TeTensor, aligned: readonly number[]): (idx: readonly Expr[]) => Expr {
  const used = aligned.flatMap((d, i) => (d !== 1 ? [i] : []));
  const own = p.shape.flatMap((d, i) => (d !== 1 ? [i] : []));
  return (idx) => {
    const at: Expr[] = p.shape.map(() => cnst(0));
    const offset = idx.length - aligned.length;
    own.forEach((d, n) => { at[d] = idx[offset + used[n]]; });
    return p.at(at);
  };
}

/** t - zero point as an inline i32 tensor. */
function centred(name: string, t: TeTensor, zp: TeTensor | undefined, role: ParamRole): TeTensor {
  const read = zp && paramReader(zp, alignedParamShape(name, t.shape, zp.shape, role));
  return compute(name, t.shape, (idx) => (read ? bin('sub', i32(t.at(idx)), i32(read(idx))) : i32(t.at(idx))), { elem: 'i32' });
}

/** saturate(round_even(f32(acc) * scale) + zero point) as i32. */
function requantize(acc: Expr, scale: Expr, zp: Expr, lo: number, hi: number): Expr {
  const v = bin('add', un('nearest', bin('mul', cast(acc, 'f32'), f32(scale))), f32(zp));
  return cast(bin('max', cnst(lo, v.type), bin('min', cnst(hi, v.type), v)), 'i32');
}

/**
 * in_scale * w_scale / y_scale over `shape`, each step stored in the scales' type so float16
 * scales round as float16 arithmetic does (a handful of values: one per row, column or channel).
 */
function scaleRatio(name: string, shape: readonly number[], inScale: (idx: readonly Expr[]) => Expr, wScale: (idx: readonly Expr[]) => Expr,
  yScale: Expr, elem: 'f32' | 'f16'): TeTensor {
  const product = compute(`${name}_sprod`, shape, (idx) => bin('mul', f32(inScale(idx)), f32(wScale(idx))), { elem, materialize: true });
  return compute(`${name}_sratio`, shape, (idx) => bin('div', product.at(idx), f32(yScale)), { elem, materialize: true });
}

const accOutput = (name: string, shape: readonly number[]) => [{ name, shape, elem: 'i32' as const }];

export function matMulIntegerCompute(ctx: ComputeContext<unknown>): TeTensor[] {
  const [a, b, azp, bzp] = ctx.inputs;
  const out = ctx.outputs[0];
  const ca = centred(`${out.name}_a`, a!, azp, 'row'), cb = centred(`${out.name}_b`, b!, bzp, 'col');
  return matmulCompute({ ...ctx, inputs: [ca, cb], outputs: [out] });
}

export function qlinearMatMulCompute(ctx: ComputeContext<unknown>): TeTensor[] {
  const [a, as, azp, b, bs, bzp, ys, yzp] = ctx.inputs;
  const out = ctx.outputs[0];
  const ca = centred(`${out.name}_a`, a!, azp, 'row'), cb = centred(`${out.name}_b`, b!, bzp, 'col');
  const [acc] = matmulCompute({ ...ctx, inputs: [ca, cb], outputs: accOutput(`${out.name}_acc`, out.shape) });
  const alignA = a!.shape.length > 1 ? alignedParamShape('a_scale', a!.shape, as!.shape, 'row') : [1];
  const alignB = b!.shape.length > 1 ? alignedParamShape('b_scale', b!.shape, bs!.shape, 'col') : [1];
  const rank = out.shape.length;
  const right = (s: readonly number[]) => [...new Array<number>(Math.max(0, rank - s.length)).fill(1), ...s].slice(-rank || 0);
  const shape = rank ? right(alignA).map((d, i) => Math.max(d, right(alignB)[i])) : [];
  const elem = ctx.inputTypes[1]!.dtype === 'float16' ? 'f16' : 'f32';
  const ratio = scaleRatio(out.name, shape, paramReader(as!, alignA), paramReader(bs!, alignB), elementZero(ys!), elem);
  const [lo, hi] = quantRange('QLinearMatMul', ctx.inputTypes[7]!.dtype as DType);
  return [compute(out.name, out.shape, (idx) =>
    requantize(acc.at(idx), ratio.at(idx.map((e, i) => (shape[i] === 1 ? cnst(0) : e))), elementZero(yzp!), lo, hi), { elem: out.elem })];
}

type ConvCtx = Parameters<typeof convCompute>[0];

export function convIntegerCompute(ctx: ConvCtx): TeTensor[] {
  const [x, w, xzp, wzp] = ctx.inputs;
  const out = ctx.outputs[0];
  const cx = centred(`${out.name}_x`, x!, xzp, 'channel'), cw = centred(`${out.name}_w`, w!, wzp, 'channel');
  return convCompute({ ...ctx, inputs: [cx, cw], outputs: [out] });
}

export function qlinearConvCompute(ctx: ConvCtx): TeTensor[] {
  const [x, xs, xzp, w, ws, wzp, ys, yzp, bias] = ctx.inputs;
  const out = ctx.outputs[0];
  const cx = centred(`${out.name}_x`, x!, xzp, 'channel'), cw = centred(`${out.name}_w`, w!, wzp, 'channel');
  const [acc] = convCompute({ ...ctx, inputs: [cx, cw, bias], outputs: accOutput(`${out.name}_acc`, out.shape) });
  // the conv may run its output as one flat spatial axis [N, M, 1, OH*OW]: same row-major order
  const flat = acc.shape.length !== out.shape.length || acc.shape.some((d, i) => d !== out.shape[i]);
  const accAt = (idx: readonly Expr[]) => (flat
    ? acc.at([idx[0], idx[1], cnst(0), bin('add', bin('mul', idx[2], cnst(out.shape[3])), idx[3])]) : acc.at(idx));
  const perChannel = ws!.shape.some((d) => d !== 1);
  const ratio = scaleRatio(out.name, [perChannel ? out.shape[1] : 1], () => elementZero(xs!),
    ([o]) => (perChannel ? ws!.at(ws!.shape.map(() => o)) : elementZero(ws!)), elementZero(ys!), 'f32');
  const [lo, hi] = quantRange('QLinearConv', ctx.inputTypes[7]!.dtype as DType);
  return [compute(out.name, out.shape, (idx) =>
    requantize(accAt(idx), ratio.at([perChannel ? idx[1] : cnst(0)]), elementZero(yzp!), lo, hi), { elem: out.elem })];
}
