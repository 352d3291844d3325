// Numpy broadcasting for n-ary kernels: the output is collapsed into as few dims as the
// inputs' broadcast patterns allow, then walked row by row so inner loops are plain strided loops.
import { broadcastShapes, numel, stridesOf } from '../ir/shape.js';

/** A writable array of numbers or strings (typed arrays, string[]). */
export interface Writable<T> { [i: number]: T; readonly length: number }

export interface BroadcastPlan {
  /** The broadcast output shape. */
  readonly shape: readonly number[];
  readonly size: number;
  /** Collapsed dims of the output (at least one); the last is the row walked by inner loops. */
  readonly dims: readonly number[];
  /** Per input, its element stride along each collapsed dim (0 where it is broadcast). */
  readonly strides: readonly (readonly number[])[];
}

/** Plans the broadcast of `shapes` (throws a ShapeError when they do not broadcast). */
export function planBroadcast(shapes: readonly (readonly number[])[]): BroadcastPlan {
  const shape = broadcastShapes(...shapes) as number[];
  const rank = shape.length;
  const own = shapes.map(stridesOf);
  // stride of input k along output dim d, 0 where it is missing or 1-sized
  const strideAt = (k: number, d: number): number => {
    const i = d - (rank - shapes[k].length);
    return i >= 0 && shapes[k][i] !== 1 ? own[k][i] : 0;
  };
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  let prev = -1;
  for (let d = 0; d < rank; d++) {
    if (shape[d] === 1) continue;
    // two dims merge when every input is either contiguous across both or broadcast in both
    const merge = prev >= 0 && shapes.every((_, k) => (strideAt(k, d) === 0) === (strideAt(k, prev) === 0));
    if (merge) {
      dims[dims.length - 1] *= shape[d];
      strides.forEach((s, k) => { s[s.length - 1] = strideAt(k, d); });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => s.push(strideAt(k, d)));
    }
    prev = d;
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { shape, size: numel(shape), dims, strides };
}

/**
 * Calls `row(out, offsets)` for each row of the plan's last collapsed dim: `out` is the output
 * offset of the row's first element, `offsets[k]` input k's. `offsets` is reused between calls.
 */
export function forEachRow(plan: BroadcastPlan, row: (out: number, offsets: readonly number[]) => void): void {
  const { dims, strides, size } = plan;
  if (size === 0) return;
  const last = dims.length - 1;
  const n = dims[last];
  const idx = new Array<number>(last).fill(0);
  const offsets = new Array<number>(strides.length).fill(0);
  for (let out = 0; out < size; out += n) {
    row(out, offsets);
    for (let d = last - 1; d >= 0; d--) {
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * dims[d];
    }
  }
}

/** out[i] = f(a[ia], b[ib]) over a planned broadcast of two inputs. */
export function map2<A, B, R>(plan: BroadcastPlan, a: ArrayLike<A>, b: ArrayLike<B>, out: Writable<R>,
  f: (x: A, y: B) => R): void {
  const last = plan.dims.length - 1;
  const n = plan.dims[last];
  const sa = plan.strides[0][last], sb = plan.strides[1][last];
  forEachRow(plan, (o, offs) => {
    for (let j = 0, ia = offs[0], ib = offs[1]; j < n; j++, ia += sa, ib += sb) out[o + j] = f(a[ia], b[ib]);
  });
}

/** out[i] = f(a[ia], b[ib], c[ic]) over a planned broadcast of three inputs. */
export function map3<A, B, C, R>(plan: BroadcastPlan, a: ArrayLike<A>, b: ArrayLike<B>, c: ArrayLike<C>,
  out: Writable<R>, f: (x: A, y: B, z: C) => R): void {
  const last = plan.dims.length - 1;
  const n = plan.dims[last];
  const sa = plan.strides[0][last], sb = plan.strides[1][last], sc = plan.strides[2][last];
  forEachRow(plan, (o, offs) => {
    for (let j = 0, ia = offs[0], ib = offs[1], ic = offs[2]; j < n; j++, ia += sa, ib += sb, ic += sc) {
      out[o + j] = f(a[ia], b[ib], c[ic]);
    }
  });
}
