// IEEE half precision in memory, f32 in registers: the two conversions as module functions of
// integer bit operations (wasm has no f16), round-to-nearest-even like the reference's rounding.
import type { Code } from './code.js';
import type { ModuleBuilder } from './module.js';

/** half bits (i32, low 16) -> f32: exact. */
export function halfToF32(m: ModuleBuilder): number {
  const c = m.code(['i32'], ['f32']);
  const h = 0, a = c.local('i32');
  c.get(h).i32(0x7fff).op('i32.and').set(a);
  // normal and inf/NaN: move exponent and fraction up 13 bits and rebias (15 -> 127; 31 -> 255)
  c.get(a).i32(13).op('i32.shl');
  c.i32(224 << 23).i32(112 << 23).get(a).i32(0x7c00).op('i32.ge_u').op('select');
  c.op('i32.add').op('f32.reinterpret_i32');
  // subnormal and zero: the fraction times 2^-24, exact in f32
  c.get(a).op('f32.convert_i32_u').f32(2 ** -24).op('f32.mul');
  c.get(a).i32(0x400).op('i32.ge_u');
  c.op('select');
  c.op('i32.reinterpret_f32').get(h).i32(0x8000).op('i32.and').i32(16).op('i32.shl').op('i32.or').op('f32.reinterpret_i32');
  return m.addFunction(c);
}

/**
 * f32 -> half bits (i32), rounding to nearest, ties to even: the f32 is shifted into the half's
 * grid (normal: 13 fraction bits dropped; subnormal: more), and the dropped bits round it.
 */
export function f32ToHalf(m: ModuleBuilder): number {
  const c = m.code(['f32'], ['i32']);
  const L = (t: 'i32') => c.local(t);
  const f = L('i32'), sign = L('i32'), abs = L('i32'), e = L('i32'), mant = L('i32'), shift = L('i32'), q = L('i32'), rem = L('i32'), half = L('i32'), r = L('i32');
  c.get(0).op('i32.reinterpret_f32').set(f);
  c.get(f).i32(16).op('i32.shr_u').i32(0x8000).op('i32.and').set(sign);
  c.get(f).i32(0x7fffffff).op('i32.and').set(abs);
  // the half exponent this value would have (may be <= 0: subnormal or underflow)
  c.get(abs).i32(23).op('i32.shr_u').i32(112).op('i32.sub').set(e);
  c.get(f).i32(0x7fffff).op('i32.and').i32(0x800000).op('i32.or').set(mant);
  // normal: drop 13 bits; subnormal: 14 - e of them (capped at 25: all of them, rounding to 0)
  c.i32(13).i32(14).get(e).op('i32.sub');
  c.get(e).i32(0).op('i32.gt_s').op('select');
  c.set(shift);
  c.get(shift).i32(25).get(shift).i32(25).op('i32.lt_u').op('select').set(shift);
  c.get(mant).get(shift).op('i32.shr_u').set(q);
  c.get(mant).i32(1).get(shift).op('i32.shl').i32(1).op('i32.sub').op('i32.and').set(rem);
  c.i32(1).get(shift).i32(1).op('i32.sub').op('i32.shl').set(half);
  // round up when past the half, or at it with q odd
  emitRoundUp(c, q, rem, half);
  c.set(r);
  // normal: exponent field (e - 1 because q carries the implicit bit at 2^10) plus q, carries into inf
  c.get(e).i32(1).op('i32.sub').i32(10).op('i32.shl').get(r).op('i32.add');
  c.get(r);
  c.get(e).i32(0).op('i32.gt_s').op('select');
  c.set(r);
  // past the largest half: inf (a carry out of 0x7bff lands on 0x7c00 by itself)
  c.i32(0x7c00).get(r).get(r).i32(0x7c00).op('i32.ge_u').op('select').set(r);
  // infinities keep their sign; NaN becomes the one quiet NaN the reference's numbers give
  c.i32(0x7c00).get(r).get(abs).i32(0x7f800000).op('i32.ge_u').op('select');
  c.get(sign).op('i32.or').set(r);
  c.i32(0x7e00).get(r).get(abs).i32(0x7f800000).op('i32.gt_u').op('select');
  return m.addFunction(c);
}

function emitRoundUp(c: Code, q: number, rem: number, half: number): void {
  c.get(q);
  c.get(rem).get(half).op('i32.gt_u');
  c.get(rem).get(half).op('i32.eq').get(q).i32(1).op('i32.and').op('i32.and');
  c.op('i32.or').op('i32.add');
}
