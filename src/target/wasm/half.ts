// IEEE half precision in memory, f32 in registers: both conversions emitted inline, scalar or four
// lanes at once, from integer bit operations and one exact or correctly rounded f32 operation.
import type { Code } from './code.js';
import type { ValType } from './opcodes.js';

/** Scratch locals borrowed from the caller's pool. */
export interface Temps {
  take(t: ValType): number;
  give(t: ValType, index: number): void;
}

/**
 * half -> f32: exponent and fraction moved up 13 bits, the exponent rebiased by an integer add. A
 * subnormal's fraction m goes under the smallest normal exponent instead, 2^-14 (1 + m/1024),
 * and an exact f32 subtract of 2^-14 leaves m 2^-24 (no f32 subnormal is touched: those are
 * slow on x86). Inf/NaN take the f32's all-ones exponent, keeping their fraction.
 */
const REBIAS = 112 << 23;
const HALF_MIN_NORMAL_SHIFTED = 0x400 << 13, HALF_INF_SHIFTED = 0x7c00 << 13;
const MIN_NORMAL_EXPONENT = 113 << 23, MIN_NORMAL = 2 ** -14;
const F32_EXPONENT = 0x7f800000;
/**
 * f32 -> half: below 2^-14 (half subnormals), adding 0.5 puts the value on a grid of 2^-24, the
 * half's subnormal step, and the f32 add rounds it to nearest-even; the grid point's fraction is
 * the half. Above, subtracting the rebias from the exponent, adding just under half of the 13
 * dropped bits and the lowest kept bit (ties to even) rounds when the bits shift out; a carry
 * walks into the exponent, up to 0x7c00 (inf). From 2^16 on the value is past every half: inf.
 */
const HALF_MIN_NORMAL = 113 << 23;
const SUBNORMAL_GRID = 0.5, SUBNORMAL_GRID_BITS = 0x3f000000;
const REBIAS_AND_ROUND = ((-112 << 23) + 0xfff) | 0;
const PAST_HALF_RANGE = 143 << 23;
const HALF_INF = 0x7c00, HALF_QUIET_NAN = 0x7e00;

/** i32 half bits (low 16) on the stack -> their exact f32. */
export function emitHalfToF32(c: Code, temps: Temps): void {
  const h = temps.take('i32'), s = temps.take('i32');
  c.tee(h).i32(0x7fff).op('i32.and').i32(13).op('i32.shl').tee(s).i32(F32_EXPONENT).op('i32.or');
  c.get(s).i32(MIN_NORMAL_EXPONENT).op('i32.add').op('f32.reinterpret_i32').f32(MIN_NORMAL).op('f32.sub').op('i32.reinterpret_f32');
  c.get(s).i32(REBIAS).op('i32.add');
  c.get(s).i32(HALF_MIN_NORMAL_SHIFTED).op('i32.lt_u').op('select');
  c.get(s).i32(HALF_INF_SHIFTED).op('i32.ge_u').op('select');
  c.get(h).i32(0x8000).op('i32.and').i32(16).op('i32.shl').op('i32.or').op('f32.reinterpret_i32');
  temps.give('i32', s);
  temps.give('i32', h);
}

/** f32 on the stack -> its half bits (i32), nearest-even; a NaN becomes the quiet NaN 0x7e00 with its sign, as the reference stores it. */
export function emitF32ToHalf(c: Code, temps: Temps): void {
  const f = temps.take('i32'), abs = temps.take('i32');
  c.op('i32.reinterpret_f32').tee(f).i32(0x7fffffff).op('i32.and').set(abs);
  c.get(abs).op('f32.reinterpret_i32').f32(SUBNORMAL_GRID).op('f32.add').op('i32.reinterpret_f32').i32(SUBNORMAL_GRID_BITS).op('i32.sub');
  c.get(abs).i32(REBIAS_AND_ROUND).op('i32.add').get(abs).i32(13).op('i32.shr_u').i32(1).op('i32.and').op('i32.add').i32(13).op('i32.shr_u');
  c.get(abs).i32(HALF_MIN_NORMAL).op('i32.lt_u').op('select');
  c.i32(HALF_INF).get(abs).i32(PAST_HALF_RANGE).op('i32.lt_u').op('select');
  c.i32(HALF_QUIET_NAN).get(abs).i32(F32_EXPONENT).op('i32.le_u').op('select');
  c.get(f).i32(16).op('i32.shr_u').i32(0x8000).op('i32.and').op('i32.or');
  temps.give('i32', abs);
  temps.give('i32', f);
}

const splat = (c: Code, x: number) => c.i32x4([x, x, x, x]);

/** i32x4 of half bits on the stack -> f32x4, as emitHalfToF32 per lane. */
export function emitHalfToF32x4(c: Code, temps: Temps): void {
  const h = temps.take('v128'), s = temps.take('v128');
  c.tee(h);
  splat(c, 0x7fff).op('v128.and').i32(13).op('i32x4.shl').tee(s);
  splat(c, F32_EXPONENT).op('v128.or');
  c.get(s);
  splat(c, MIN_NORMAL_EXPONENT).op('i32x4.add').f32x4([MIN_NORMAL, MIN_NORMAL, MIN_NORMAL, MIN_NORMAL]).op('f32x4.sub');
  c.get(s);
  splat(c, REBIAS).op('i32x4.add').get(s);
  splat(c, HALF_MIN_NORMAL_SHIFTED).op('i32x4.lt_u').op('v128.bitselect');
  c.get(s);
  splat(c, HALF_INF_SHIFTED).op('i32x4.ge_u').op('v128.bitselect');
  c.get(h).i32(16).op('i32x4.shl');
  splat(c, 0x80000000 | 0).op('v128.and').op('v128.or');
  temps.give('v128', s);
  temps.give('v128', h);
}

/** f32x4 on the stack -> i32x4 of half bits, as emitF32ToHalf per lane. */
export function emitF32x4ToHalf(c: Code, temps: Temps): void {
  const f = temps.take('v128'), abs = temps.take('v128');
  c.tee(f);
  splat(c, 0x7fffffff).op('v128.and').set(abs);
  c.get(abs).f32x4([SUBNORMAL_GRID, SUBNORMAL_GRID, SUBNORMAL_GRID, SUBNORMAL_GRID]).op('f32x4.add');
  splat(c, SUBNORMAL_GRID_BITS).op('i32x4.sub');
  c.get(abs);
  splat(c, REBIAS_AND_ROUND).op('i32x4.add').get(abs).i32(13).op('i32x4.shr_u');
  splat(c, 1).op('v128.and').op('i32x4.add').i32(13).op('i32x4.shr_u');
  c.get(abs);
  splat(c, HALF_MIN_NORMAL).op('i32x4.lt_u').op('v128.bitselect');
  splat(c, HALF_INF).get(abs);
  splat(c, PAST_HALF_RANGE).op('i32x4.lt_u').op('v128.bitselect');
  splat(c, HALF_QUIET_NAN).get(abs);
  splat(c, F32_EXPONENT).op('i32x4.le_u').op('v128.bitselect');
  c.get(f).i32(16).op('i32x4.shr_u');
  splat(c, 0x8000).op('v128.and').op('v128.or');
  temps.give('v128', abs);
  temps.give('v128', f);
}
