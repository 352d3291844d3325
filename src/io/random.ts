// Seeded pseudo-random inputs, so Kiln and the peer engines can be fed the same data.
import { isFloat, type DType } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { numel } from '../ir/shape.js';

/** mulberry32: a tiny, well-distributed 32-bit generator; returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random tensor: floats uniform in [lo, hi) (default [0, 1), the range of a normalised
 * image), integers in [0, 10), bools fair coins, strings one of 'w0' ... 'w9' (so some repeat).
 */
export function randomTensor(dtype: DType, shape: readonly number[], next: () => number, lo = 0, hi = 1): Tensor {
  const n = numel(shape);
  if (dtype === 'string') return new Tensor(dtype, shape, Array.from({ length: n }, () => `w${Math.floor(next() * 10)}`));
  const vals = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    vals[i] = isFloat(dtype) ? lo + r * (hi - lo) : dtype === 'bool' ? (r < 0.5 ? 0 : 1) : Math.floor(r * 10);
  }
  return Tensor.from(dtype, shape, vals);
}
