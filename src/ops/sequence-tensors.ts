// Tensor slicing and stacking along one axis, as control flow and sequences need them: Scan
// reads one slice per iteration and stacks its outputs, Loop stacks its scan outputs,
// SplitToSequence and ConcatFromSequence split and join.
import { ShapeError } from '../errors.js';
import { allocData, type DType } from '../ir/dtype.js';
import { fmtShape, normAxis, numel, stridesOf } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { copyRange, stridedCopy } from './data-util.js';

/** Entries [start, start + length) of `axis`; the axis is dropped when `keep` is false (length 1). */
export function sliceAlong(t: Tensor, axis: number, start: number, length = 1, keep = false): Tensor {
  const strides = stridesOf(t.shape);
  const shape = t.shape.map((d, i) => (i === axis ? length : d));
  const data = stridedCopy(t.data, t.dtype, start * strides[axis], strides, shape);
  return new Tensor(t.dtype, keep ? shape : shape.filter((_, i) => i !== axis), data);
}

/**
 * Joins tensors along `axis` (an existing axis, or a new one of length 1 per tensor when `newAxis`).
 * `empty` gives the dtype and element shape when there are no tensors.
 */
export function joinAlong(ts: readonly Tensor[], axis: number, newAxis: boolean,
  empty: { dtype: DType; shape: readonly number[] }): Tensor {
  const dtype = ts[0]?.dtype ?? empty.dtype;
  const elem = ts[0]?.shape ?? empty.shape;
  const rank = elem.length + (newAxis ? 1 : 0);
  const a = normAxis(axis, rank, newAxis ? 'stacking axis' : 'concat axis');
  const parts = ts.map((t) => {
    if (t.dtype !== dtype) throw new ShapeError(`cannot join ${t.dtype} with ${dtype}`);
    const s = newAxis ? [...t.shape.slice(0, a), 1, ...t.shape.slice(a)] : t.shape;
    if (s.length !== rank || s.some((d, i) => i !== a && d !== (newAxis ? [...elem.slice(0, a), 1, ...elem.slice(a)] : elem)[i])) {
      throw new ShapeError(`cannot join shapes ${fmtShape(t.shape)} and ${fmtShape(elem)} along axis ${axis}`);
    }
    return { data: t.data, len: s[a] };
  });
  const base = newAxis ? [...elem.slice(0, a), 0, ...elem.slice(a)] : [...elem];
  const shape = base.map((d, i) => (i === a ? parts.reduce((n, p) => n + p.len, 0) : d));
  const outer = numel(shape.slice(0, a)), inner = numel(shape.slice(a + 1));
  const out = allocData(dtype, numel(shape));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      copyRange(out, pos, p.data, o * p.len * inner, p.len * inner);
      pos += p.len * inner;
    }
  }
  return new Tensor(dtype, shape, out);
}

/** Stacks tensors of one shape along a new `axis`. */
export function stackAlong(ts: readonly Tensor[], axis: number, empty: { dtype: DType; shape: readonly number[] }): Tensor {
  return joinAlong(ts, axis, true, empty);
}
