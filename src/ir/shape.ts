// Shapes whose dims are numbers or symbolic names, and the index arithmetic every op uses.
import { ShapeError } from '../errors.js';

export type Dim = number | string;
export type Shape = readonly Dim[];

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** Resolves a possibly negative axis against `rank`, throwing a ShapeError when out of range. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new ShapeError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcasting of several shapes; symbolic dims broadcast against 1 and equal names. */
export function broadcastShapes(...shapes: Shape[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = new Array(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const a = out[off + i], b = s[i];
      if (a === b || b === 1) continue;
      if (a === 1) { out[off + i] = b; continue; }
      if (typeof a === 'string' || typeof b === 'string') {
        // an unknown dim against a known one: the known one must win at run time
        out[off + i] = typeof a === 'number' ? a : b;
        continue;
      }
      throw new ShapeError(`cannot broadcast shapes ${shapes.map(fmtShape).join(' and ')}`);
    }
  }
  return out;
}

/** Broadcast strides of `shape` viewed as `outShape` (0 where a dim is broadcast). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]));
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Example sizes for the symbolic dims of an input, for the `--shape` a message suggests: 1 for
 * the batch and other dims, 224 for the height and width of an image (rank 4, with 1 or 3
 * channels at axis 1 or 3), so the suggestion is a size the model can run at (a width of 1 is not).
 */
export function exampleShape(shape: Shape): number[] {
  const image = shape.length === 4 && (shape[1] === 1 || shape[1] === 3 || shape[3] === 1 || shape[3] === 3);
  const spatial = image ? (shape[1] === 1 || shape[1] === 3 ? [2, 3] : [1, 2]) : [];
  return shape.map((d, i) => (typeof d === 'number' ? d : spatial.includes(i) ? 224 : 1));
}
