// Shared machinery of the data-movement kernels: strided and per-axis-indexed copies that
// work for every storage type (typed arrays and string arrays), and symbolic-dim helpers.
import { ShapeError } from '../errors.js';
import { allocData, castNumber, type DType, type TensorData } from '../ir/dtype.js';
import { normAxis, numel, type Dim } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';

/** Element access common to typed arrays and string arrays. */
export type Store = { [i: number]: number | string; readonly length: number };

/** Makes a fresh symbolic dim (InferContext.symbol). */
export type Symbolize = (hint: string) => Dim;

/** Offset sentinel of an output position that reads no input (padding, extrapolation). */
const OUTSIDE = -(2 ** 40);

/** The values of a small integer tensor (shape/index parameters), or undefined when absent. */
export function intsOf(t: Tensor | undefined): number[] | undefined {
  return t === undefined ? undefined : t.toArray();
}

/**
 * out[i0..ik] = src[offset + sum(i_d * strides[d])]: transpose, slice with steps and
 * broadcasting (stride 0) are all this one loop.
 */
export function stridedCopy(src: TensorData, dtype: DType, offset: number,
  strides: readonly number[], shape: readonly number[]): TensorData {
  const n = numel(shape);
  const out = allocData(dtype, n) as Store;
  const s = src as Store;
  if (n === 0) return out as TensorData;
  const r = shape.length;
  if (r === 0) { out[0] = s[offset]; return out as TensorData; }
  const last = r - 1, inner = shape[last], innerStride = strides[last];
  const idx = new Array<number>(r).fill(0);
  let base = offset;
  for (let p = 0; ;) {
    for (let i = 0, q = base; i < inner; i++, q += innerStride) out[p++] = s[q];
    let d = last - 1;
    for (; d >= 0; d--) {
      base += strides[d];
      if (++idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return out as TensorData;
}

/**
 * out[i0..ik] = src[maps[0][i0], ..., maps[k][ik]], or `fill` where any map holds -1.
 * Pad, Tile and nearest-neighbour Resize are this copy with different index maps.
 */
export function mappedCopy(src: TensorData, dtype: DType, inShape: readonly number[],
  maps: readonly ArrayLike<number>[], fill: number | string = 0): TensorData {
  const outShape = maps.map((m) => m.length);
  const n = numel(outShape);
  const out = allocData(dtype, n) as Store;
  const s = src as Store;
  if (n === 0) return out as TensorData;
  const r = inShape.length;
  if (r === 0) { out[0] = s[0]; return out as TensorData; }
  let stride = 1;
  const offs = new Array<Float64Array>(r);
  for (let d = r - 1; d >= 0; d--) {
    const m = maps[d];
    const o = new Float64Array(m.length);
    for (let i = 0; i < m.length; i++) o[i] = m[i] < 0 ? OUTSIDE : m[i] * stride;
    offs[d] = o;
    stride *= inShape[d];
  }
  const last = r - 1, inner = outShape[last], lastOffs = offs[last];
  const idx = new Array<number>(r).fill(0);
  for (let p = 0; ;) {
    let base = 0;
    for (let d = 0; d < last; d++) base += offs[d][idx[d]];
    for (let i = 0; i < inner; i++) {
      const q = base + lastOffs[i];
      out[p++] = q < 0 ? fill : s[q];
    }
    let d = last - 1;
    for (; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return out as TensorData;
}

/** Copies `len` elements, with a bulk copy for typed arrays. */
export function copyRange(dst: TensorData, dstPos: number, src: TensorData, srcPos: number, len: number): void {
  if (Array.isArray(dst)) {
    const s = src as string[];
    for (let i = 0; i < len; i++) dst[dstPos + i] = s[srcPos + i];
  } else {
    dst.set((src as typeof dst).subarray(srcPos, srcPos + len), dstPos);
  }
}

/** New storage of `n` elements of `dtype`, all `value`. */
export function filled(dtype: DType, n: number, value: number | string): TensorData {
  const data = allocData(dtype, n);
  const dst = data as Store;
  for (let i = 0; i < n; i++) dst[i] = value;
  return data;
}

/** A scalar-ish tensor's first value converted to `dtype` ('' for strings). */
export function fillValue(t: Tensor | undefined, dtype: DType): number | string {
  if (dtype === 'string') return t && t.size ? (t.data as string[])[0] : '';
  return t && t.size ? castNumber(dtype, t.numbers[0]) : 0;
}

/** Product of dims: a number when all are known, the one symbol when it is the only unknown. */
export function productDim(dims: readonly Dim[], symbol: Symbolize, hint: string): Dim {
  let known = 1;
  const syms: Dim[] = [];
  for (const d of dims) { if (typeof d === 'number') known *= d; else syms.push(d); }
  if (syms.length === 0) return known;
  if (syms.length === 1 && known === 1) return syms[0];
  return known === 0 ? 0 : symbol(hint);
}

/** Requires a static (numeric) length for a 1-D parameter input whose value is unknown. */
export function staticLength(info: { shape: readonly Dim[] } | undefined, what: string): number {
  const d = info?.shape.length === 1 ? info.shape[0] : info?.shape.length === 0 ? 1 : undefined;
  if (typeof d !== 'number') {
    throw new ShapeError(`${what} must be a 1-D tensor of known length to infer the output rank; make it a constant`);
  }
  return d;
}

/** Per-axis [before, after] pads from the pads input and optional axes input. */
export function padAmounts(rank: number, pads: readonly number[], axes: readonly number[] | undefined): [number, number][] {
  const ax = (axes ?? Array.from({ length: rank }, (_, i) => i)).map((a) => normAxis(a, rank, 'Pad axis'));
  if (pads.length !== 2 * ax.length) throw new ShapeError(`Pad pads has ${pads.length} values for ${ax.length} axes`);
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  ax.forEach((a, i) => { out[a] = [pads[i], pads[i + ax.length]]; });
  return out;
}
