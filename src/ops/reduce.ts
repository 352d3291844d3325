// Reductions over a set of axes (Reduce*, axes as an optional input), merged with the ops that
// work along one axis (reduce-axis.ts) into the family table.
import { UnsupportedError } from '../errors.js';
import { allocData, byteWidth, castNumber, isFloat, isUnsigned, type DType, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { normAxis, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { checkDType, type DTypeClass } from './elementwise-build.js';
import { int64s, KEEP, LAYOUT, reducedPerm, replaceInput } from './facets.js';
import { attr, defineOp, type OpTable } from './op.js';
import { axisOps } from './reduce-axis.js';
import { call, un } from '../loop/ir.js';
import { absolute, mean, square, withReduce } from './reduce-compute.js';

type Step = (acc: number, x: number, out: number) => number;

/**
 * Folds every element of `src` (of `shape`) into acc[out], where `out` is its index in the
 * reduced output. Runs of dims that are all reduced or all kept are merged first, so the inner
 * loop is as long as possible.
 */
function accumulate(src: NumericData, shape: readonly number[], reduced: readonly boolean[],
  acc: Float64Array, step: Step): void {
  const dims: number[] = [], red: boolean[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    if (dims.length && red[red.length - 1] === reduced[i]) dims[dims.length - 1] *= d;
    else { dims.push(d); red.push(reduced[i]); }
  });
  if (!dims.length) { dims.push(1); red.push(false); }
  const outStride = new Array<number>(dims.length);
  for (let d = dims.length - 1, s = 1; d >= 0; d--) {
    outStride[d] = red[d] ? 0 : s;
    if (!red[d]) s *= dims[d];
  }
  const last = dims.length - 1, n = dims[last], so = outStride[last];
  const idx = new Array<number>(last).fill(0);
  for (let i = 0, o = 0; i < src.length;) {
    for (let j = 0, oo = o; j < n; j++, oo += so) acc[oo] = step(acc[oo], src[i++], oo);
    for (let d = last - 1; d >= 0; d--) {
      o += outStride[d];
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
      o -= outStride[d] * dims[d];
    }
  }
}

/** The smallest value of a dtype: what ReduceMax gives over an empty set. */
function lowest(d: DType): number {
  if (isFloat(d)) return -Infinity;
  return isUnsigned(d) || d === 'bool' ? 0 : -(2 ** (8 * byteWidth(d) - 1));
}
/** The largest value of a dtype (64-bit ones rounded to the nearest double). */
function highest(d: DType): number {
  if (isFloat(d)) return Infinity;
  if (d === 'bool') return 1;
  const bits = 8 * byteWidth(d);
  return isUnsigned(d) ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
}

/** One Reduce* op: `reduce` fills acc (one entry per output element) from the input. */
interface Reduction {
  readonly accepts: DTypeClass;
  readonly reduce: (x: Tensor, reduced: readonly boolean[], acc: Float64Array) => void;
}

/** A reduction by one fold: start at `init`, fold with `step`, then `finish(acc, count)`. */
function fold(init: number | ((d: DType) => number), step: Step,
  finish?: (acc: number, count: number) => number, accepts: DTypeClass = 'numeric'): Reduction {
  return {
    accepts,
    reduce: (x, reduced, acc) => {
      acc.fill(typeof init === 'number' ? init : init(x.dtype));
      accumulate(x.numbers, x.shape, reduced, acc, step);
      if (!finish) return;
      const count = x.shape.reduce((n, d, i) => (reduced[i] ? n * d : n), 1);
      for (let o = 0; o < acc.length; o++) acc[o] = finish(acc[o], count);
    },
  };
}

const sum: Step = (a, x) => a + x;
const sumSquares: Step = (a, x) => a + x * x;
const max: Step = (a, x) => (x > a || Number.isNaN(x) ? x : a);
const min: Step = (a, x) => (x < a || Number.isNaN(x) ? x : a);

/** log(sum(exp(x - m))) + m with m each output's max, so exp cannot overflow. */
const logSumExp: Reduction = {
  accepts: 'numeric',
  reduce: (x, reduced, acc) => {
    const m = new Float64Array(acc.length).fill(-Infinity);
    accumulate(x.numbers, x.shape, reduced, m, max);
    acc.fill(0);
    accumulate(x.numbers, x.shape, reduced, acc, (a, v, o) => a + Math.exp(v - m[o]));
    for (let o = 0; o < acc.length; o++) acc[o] = Number.isFinite(m[o]) ? m[o] + Math.log(acc[o]) : m[o];
  },
};

/**
 * Which dims are reduced. Empty axes with noop_with_empty_axes reduce none: every output is its
 * one input element passed through the reduction (ReduceL1 gives |x|, ReduceSumSquare x^2).
 */
export function reducedDims(rank: number, axes: readonly number[] | undefined, noop: boolean): boolean[] {
  if (!axes || axes.length === 0) return new Array<boolean>(rank).fill(!noop);
  const mask = new Array<boolean>(rank).fill(false);
  for (const a of axes) mask[normAxis(a, rank, 'reduction axis')] = true;
  return mask;
}

function reducedShape<D extends Dim>(shape: readonly D[], reduced: readonly boolean[], keepdims: boolean): D[] {
  return shape.flatMap((d, i) => (!reduced[i] ? [d] : keepdims ? [1 as D] : []));
}

const reduceAttrs = { keepdims: attr.int(1), noop_with_empty_axes: attr.int(0) };

function reduceOp(r: Reduction) {
  return defineOp({
    attrs: reduceAttrs, inputs: [1, 2], fusion: 'reduce',
    infer: ({ node, attrs, inputs: [x, axesInfo], constant, symbol }): ValueInfo[] => {
      checkDType(node.op, r.accepts, x!.dtype);
      const axes = constant(1);
      if (axesInfo && !axes) {
        // which dims go is known only at run time; the rank follows from keepdims or the axes' count
        const { dtype, shape } = x!;
        if (attrs.keepdims) return [{ dtype, shape: shape.map((d) => (d === 1 ? 1 : symbol('reduced'))) }];
        const count = axesInfo.shape[0];
        if (typeof count !== 'number') throw new UnsupportedError(`${node.op} with keepdims=0 needs axes of known length`);
        if (count === 0) return [{ dtype, shape: attrs.noop_with_empty_axes ? shape : [] }];
        return [{ dtype, shape: Array.from({ length: shape.length - count }, () => symbol('reduced')) }];
      }
      const reduced = reducedDims(x!.shape.length, axes?.toArray(), attrs.noop_with_empty_axes !== 0);
      return [{ dtype: x!.dtype, shape: reducedShape(x!.shape, reduced, attrs.keepdims !== 0) }];
    },
    run: ({ attrs, inputs: [x, axes] }) => {
      const reduced = reducedDims(x!.rank, axes?.toArray(), attrs.noop_with_empty_axes !== 0);
      const shape = reducedShape(x!.shape, reduced, attrs.keepdims !== 0);
      const acc = new Float64Array(shape.reduce((n, d) => n * d, 1));
      r.reduce(x!, reduced, acc);
      const out = allocData(x!.dtype, acc.length) as NumericData;
      for (let o = 0; o < acc.length; o++) out[o] = castNumber(x!.dtype, acc[o]);
      return [new Tensor(x!.dtype, shape, out)];
    },
    // the reduced axes follow the transpose; without keepdims the kept ones keep their order
    permute: ({ node, attrs, perm: p, constant }) => {
      const axes = node.inputs[1] ? constant(1)?.toArray() : [];
      if (!axes) return undefined;
      const keepdims = attrs.keepdims !== 0;
      if (axes.length === 0) {
        const all = attrs.noop_with_empty_axes === 0;
        return { attrs: node.attrs, inputs: node.inputs.map((_, i) => (i === 0 ? LAYOUT : KEEP)), outPerms: [all && !keepdims ? [] : p] };
      }
      const reduced = axes.map((a) => normAxis(a, p.length));
      return {
        attrs: node.attrs, inputs: [LAYOUT, replaceInput(int64s(reduced.map((a) => p[a])))],
        outPerms: [keepdims ? p : reducedPerm(p, reduced)],
      };
    },
  });
}

export const reduceOps = {
  ReduceSum: withReduce(reduceOp(fold(0, sum)), { kind: 'sum' }, reducedDims),
  ReduceMean: withReduce(reduceOp(fold(0, sum, (a, n) => a / n)), { kind: 'sum', finish: mean }, reducedDims),
  ReduceMax: withReduce(reduceOp(fold(lowest, max, undefined, 'comparable')), { kind: 'max' }, reducedDims),
  ReduceMin: withReduce(reduceOp(fold(highest, min, undefined, 'comparable')), { kind: 'min' }, reducedDims),
  ReduceProd: withReduce(reduceOp(fold(1, (a, x) => a * x)), { kind: 'prod' }, reducedDims),
  ReduceL1: withReduce(reduceOp(fold(0, (a, x) => a + Math.abs(x))), { kind: 'sum', map: absolute }, reducedDims),
  ReduceL2: withReduce(reduceOp(fold(0, sumSquares, Math.sqrt)), { kind: 'sum', map: square, finish: (a) => un('sqrt', a), floatOnly: true }, reducedDims),
  ReduceLogSum: withReduce(reduceOp(fold(0, sum, Math.log)), { kind: 'sum', finish: (a) => call('log', a), floatOnly: true }, reducedDims),
  ReduceLogSumExp: withReduce(reduceOp(logSumExp), { kind: 'sum', finish: (a) => call('log', a), shifted: true, floatOnly: true }, reducedDims),
  ReduceSumSquare: withReduce(reduceOp(fold(0, sumSquares)), { kind: 'sum', map: square }, reducedDims),
  ...axisOps,
} satisfies OpTable;
