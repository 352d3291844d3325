// Dropout's random numbers: a counter-based hash of (element index, seed), written once for the
// reference (JS integers) and once for compiled kernels (loop IR), so both engines drop the same
// elements and a run depends only on the seed attribute.
import { bin, cast, cnst, type Expr } from '../loop/ir.js';

const GOLDEN = 0x9e3779b1 | 0, M1 = 0x85ebca6b | 0, M2 = 0xc2b2ae35 | 0;
const UNIT = 2 ** -24;

/** Uniform in [0, 1) with 24 bits, from element i under `seed`. */
export function dropoutUniform(i: number, seed: number): number {
  let h = (Math.imul(i, GOLDEN) + seed) | 0;
  h = Math.imul(h ^ (h >>> 16), M1);
  h = Math.imul(h ^ (h >>> 13), M2);
  h ^= h >>> 16;
  return (h >>> 8) * UNIT;
}

/** The same as an f32 expression of the i32 index `i`; arithmetic shifts masked to act as logical ones. */
export function dropoutUniformExpr(i: Expr, seed: number): Expr {
  const c = (n: number) => cnst(n | 0);
  const shrU = (h: Expr, n: number) => bin('and', bin('shr', h, c(n)), c(2 ** (32 - n) - 1));
  let h = bin('add', bin('mul', i, c(GOLDEN)), c(seed));
  h = bin('mul', bin('xor', h, shrU(h, 16)), c(M1));
  h = bin('mul', bin('xor', h, shrU(h, 13)), c(M2));
  h = bin('xor', h, shrU(h, 16));
  return bin('mul', cast(shrU(h, 8), 'f32'), cnst(UNIT, { scalar: 'f32', lanes: 1 }));
}
