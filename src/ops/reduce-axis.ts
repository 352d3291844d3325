// Ops that work along one axis, line by line: ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, CumSum.
import { ShapeError } from '../errors.js';
import { allocData, castNumber, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { normAxis, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { checkDType } from './elementwise-build.js';
import { LAYOUT, permuteAxisAttr, reducedPerm } from './facets.js';
import { attr, defineOp, type OpTable } from './op.js';
import { softmaxCompute } from './reduce-compute.js';
import { argCompute, cumulativeCompute, hardmaxCompute } from './axis-compute.js';

/**
 * Calls `line(base, stride)` for every line of `shape` along `axis`: the line's elements are at
 * base + k * stride for k < shape[axis].
 */
export function forEachLine(shape: readonly number[], axis: number, line: (base: number, stride: number) => void): void {
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  const block = shape[axis] * inner;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) line(o * block + i, inner);
  }
}

/** Computes one output line into dst from the input line at src[base + k * stride], k < n. */
type LineFill = (src: NumericData, dst: Float64Array, base: number, stride: number, n: number) => void;

/** A new tensor of x's dtype and shape whose lines along `axis` are written by `fill`. */
function mapLines(x: Tensor, axis: number, fill: LineFill): Tensor {
  const n = x.shape[axis];
  const scratch = new Float64Array(n);
  const src = x.numbers;
  const out = allocData(x.dtype, x.size) as NumericData;
  forEachLine(x.shape, axis, (base, stride) => {
    fill(src, scratch, base, stride, n);
    for (let k = 0; k < n; k++) out[base + k * stride] = castNumber(x.dtype, scratch[k]);
  });
  return new Tensor(x.dtype, x.shape, out);
}

function lineMax(src: NumericData, base: number, stride: number, n: number): number {
  let m = -Infinity;
  for (let k = 0; k < n; k++) { const v = src[base + k * stride]; if (v > m || Number.isNaN(v)) m = v; }
  return m;
}

/** Softmax-like ops: same shape and dtype, float inputs, one axis (default -1, opset-13 form). */
function softmaxOp(fill: LineFill, compute?: ReturnType<typeof softmaxCompute>) {
  return defineOp({
    attrs: { axis: attr.int(-1) }, inputs: [1, 1], fusion: 'reduce',
    infer: ({ node, attrs, inputs: [x] }) => {
      checkDType(node.op, 'float', x!.dtype);
      normAxis(attrs.axis, x!.shape.length);
      return [x!];
    },
    run: ({ attrs, inputs: [x] }) => [mapLines(x!, normAxis(attrs.axis, x!.rank), fill)],
    compute,
    permute: permuteAxisAttr,
  });
}

/** Writes exp(x - max) into dst (subtracting the max keeps exp from overflowing); returns their sum. */
function shiftedExp(src: NumericData, dst: Float64Array, base: number, stride: number, n: number): number {
  const m = lineMax(src, base, stride, n);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += dst[k] = Math.exp(src[base + k * stride] - m);
  return sum;
}

function argOp(better: (v: number, best: number) => boolean, kind: 'max' | 'min') {
  return defineOp({
    attrs: { axis: attr.int(0), keepdims: attr.int(1), select_last_index: attr.int(0) },
    inputs: [1, 1], fusion: 'reduce',
    infer: ({ node, attrs, inputs: [x] }): ValueInfo[] => {
      checkDType(node.op, 'numeric', x!.dtype);
      const axis = normAxis(attrs.axis, x!.shape.length);
      const shape: Dim[] = x!.shape.flatMap((d, i) => (i !== axis ? [d] : attrs.keepdims ? [1] : []));
      return [{ dtype: 'int64', shape }];
    },
    compute: argCompute(kind),
    permute: ({ node, attrs, perm: p }) => {
      const a = normAxis(attrs.axis, p.length);
      return { attrs: { ...node.attrs, axis: p[a] }, inputs: [LAYOUT], outPerms: [attrs.keepdims ? p : reducedPerm(p, [a])] };
    },
    run: ({ attrs, inputs: [x] }) => {
      const axis = normAxis(attrs.axis, x!.rank);
      const n = x!.shape[axis];
      if (n === 0) throw new ShapeError(`cannot take the arg-extreme over axis ${axis}, which has size 0`);
      const shape = x!.shape.flatMap((d, i) => (i !== axis ? [d] : attrs.keepdims ? [1] : []));
      const src = x!.numbers;
      const out = new Float64Array(x!.size / n);
      let o = 0;
      const last = attrs.select_last_index !== 0;
      // lines arrive in output order: outer-major, inner-minor
      forEachLine(x!.shape, axis, (base, stride) => {
        let best = src[base], at = 0;
        for (let k = 1; k < n; k++) {
          const v = src[base + k * stride];
          if (better(v, best) || (last && v === best)) { best = v; at = k; }
        }
        out[o++] = at;
      });
      return [new Tensor('int64', shape, out)];
    },
  });
}

function cumSum(x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Tensor {
  const dtype = x.dtype;
  const n = x.shape[axis];
  const src = x.numbers;
  const out = allocData(dtype, x.size) as NumericData;
  forEachLine(x.shape, axis, (base, stride) => {
    let acc = 0;
    for (let j = 0; j < n; j++) {
      const at = base + (reverse ? n - 1 - j : j) * stride;
      const v = src[at];
      if (!exclusive) acc += v;
      out[at] = castNumber(dtype, acc);
      if (exclusive) acc += v;
    }
  });
  return new Tensor(dtype, x.shape, out);
}

export const axisOps = {
  ArgMax: argOp((v, best) => v > best, 'max'),
  ArgMin: argOp((v, best) => v < best, 'min'),
  Softmax: softmaxOp((src, dst, base, stride, n) => {
    const sum = shiftedExp(src, dst, base, stride, n);
    for (let k = 0; k < n; k++) dst[k] /= sum;
  }, softmaxCompute(false)),
  LogSoftmax: softmaxOp((src, dst, base, stride, n) => {
    const m = lineMax(src, base, stride, n);
    const logSum = Math.log(shiftedExp(src, dst, base, stride, n));
    for (let k = 0; k < n; k++) dst[k] = src[base + k * stride] - m - logSum;
  }, softmaxCompute(true)),
  Hardmax: softmaxOp((src, dst, base, stride, n) => {
    const m = lineMax(src, base, stride, n);
    dst.fill(0);
    for (let k = 0; k < n; k++) if (src[base + k * stride] === m) { dst[k] = 1; break; }
  }, hardmaxCompute),
  CumSum: defineOp({
    attrs: { exclusive: attr.int(0), reverse: attr.int(0) }, inputs: [2, 2], fusion: 'opaque',
    infer: ({ node, inputs: [x] }) => {
      checkDType(node.op, 'numeric', x!.dtype);
      return [x!];
    },
    compute: (ctx) => cumulativeCompute(ctx, 'sum'),
    run: ({ attrs, inputs: [x, axis] }) => {
      if (axis!.size !== 1) throw new ShapeError(`CumSum axis must be a scalar, got ${axis!.size} values`);
      const a = normAxis(axis!.numbers[0], x!.rank);
      return [cumSum(x!, a, attrs.exclusive !== 0, attrs.reverse !== 0)];
    },
  }),
} satisfies OpTable;
