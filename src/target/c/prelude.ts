// The C every generated file starts with: fixed-width types, and one static inline helper per
// scalar operation whose C meaning differs from the loop IR's (src/loop/semantics.ts), so the
// kernels keep the loop IR's meaning with no undefined behaviour: wrapping signed arithmetic,
// shift counts taken modulo the width, saturating float-to-int, NaN-propagating min/max with
// -0 < +0, floor division, and division by zero giving 0 (the wasm target traps there).
import type { ScalarType } from '../../loop/ir.js';

/** C type of each register scalar type. */
export const C_SCALAR: Readonly<Record<ScalarType, string>> = {
  f32: 'float', f64: 'double', i32: 'int32_t', i64: 'int64_t', u32: 'uint32_t', u64: 'uint64_t',
};

/** Integer helpers for one width: `s` the signed type, `u` its unsigned twin, `bits` the width. */
function intHelpers(t: 'i32' | 'i64', s: string, u: string, bits: number, min: string): string {
  return `
static inline ${s} kiln_add_${t}(${s} a, ${s} b) { return (${s})((${u})a + (${u})b); }
static inline ${s} kiln_sub_${t}(${s} a, ${s} b) { return (${s})((${u})a - (${u})b); }
static inline ${s} kiln_mul_${t}(${s} a, ${s} b) { return (${s})((${u})a * (${u})b); }
static inline ${s} kiln_neg_${t}(${s} a) { return (${s})((${u})0 - (${u})a); }
static inline ${s} kiln_abs_${t}(${s} a) { return a < 0 ? kiln_neg_${t}(a) : a; }
static inline ${s} kiln_div_${t}(${s} a, ${s} b) { return b == 0 ? 0 : (a == ${min} && b == -1) ? a : a / b; }
static inline ${s} kiln_mod_${t}(${s} a, ${s} b) { return (b == 0 || b == -1) ? 0 : a % b; }
static inline ${s} kiln_floordiv_${t}(${s} a, ${s} b) {
  ${s} q = kiln_div_${t}(a, b);
  return (b != 0 && b != -1 && a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline ${s} kiln_floormod_${t}(${s} a, ${s} b) {
  ${s} r = kiln_mod_${t}(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
static inline ${s} kiln_shl_${t}(${s} a, ${s} b) { return (${s})((${u})a << ((${u})b & ${bits - 1}u)); }
static inline ${s} kiln_shr_${t}(${s} a, ${s} b) {
  unsigned n = (unsigned)((${u})b & ${bits - 1}u);
  return a < 0 ? (${s})~(~(${u})a >> n) : (${s})((${u})a >> n);
}
static inline ${u} kiln_div_u${bits}(${u} a, ${u} b) { return b == 0 ? 0 : a / b; }
static inline ${u} kiln_mod_u${bits}(${u} a, ${u} b) { return b == 0 ? 0 : a % b; }
static inline ${u} kiln_shl_u${bits}(${u} a, ${u} b) { return a << (b & ${bits - 1}u); }
static inline ${u} kiln_shr_u${bits}(${u} a, ${u} b) { return a >> (b & ${bits - 1}u); }
`;
}

/** Float helpers for one type; `m` the math.h suffix ('f' for float, '' for double). */
function floatHelpers(t: 'f32' | 'f64', f: string, m: string, uint: string): string {
  return `
static inline ${f} kiln_min_${t}(${f} a, ${f} b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == b) { ${uint} x, y; memcpy(&x, &a, sizeof x); memcpy(&y, &b, sizeof y); x |= y; memcpy(&a, &x, sizeof a); return a; }
  return a < b ? a : b;
}
static inline ${f} kiln_max_${t}(${f} a, ${f} b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == b) { ${uint} x, y; memcpy(&x, &a, sizeof x); memcpy(&y, &b, sizeof y); x &= y; memcpy(&a, &x, sizeof a); return a; }
  return a > b ? a : b;
}
static inline ${f} kiln_floordiv_${t}(${f} a, ${f} b) { ${f} q = a / b; return floor${m}(q); }
static inline ${f} kiln_floormod_${t}(${f} a, ${f} b) { ${f} q = kiln_floordiv_${t}(a, b); ${f} p = q * b; return a - p; }
static inline ${f} kiln_sigmoid_${t}(${f} x) {
  double d = (double)x;
  if (d >= 0) return (${f})(1.0 / (1.0 + exp(-d)));
  double e = exp(d);
  return (${f})(e / (1.0 + e));
}
static inline int32_t kiln_${t}_to_i32(${f} x) {
  if (x != x) return 0;
  if (x <= -2147483648.0) return INT32_MIN;
  if (x >= 2147483647.0) return INT32_MAX;
  return (int32_t)x;
}
static inline int64_t kiln_${t}_to_i64(${f} x) {
  if (x != x) return 0;
  if (x <= -9223372036854775808.0) return INT64_MIN;
  if (x >= 9223372036854775808.0) return INT64_MAX;
  return (int64_t)x;
}
static inline uint64_t kiln_${t}_to_u64(${f} x) { return (uint64_t)kiln_${t}_to_i64(x); }
static inline uint32_t kiln_${t}_to_u32(${f} x) { return (uint32_t)kiln_${t}_to_i64(x); }
`;
}

const HALF = `
static inline float kiln_half_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, frac = h & 0x3ffu, bits;
  if (exp == 0) {
    float f = (float)frac * 5.9604644775390625e-8f;
    return sign ? -f : f;
  }
  bits = exp == 31 ? (sign | 0x7f800000u | (frac << 13)) : (sign | ((exp + 112u) << 23) | (frac << 13));
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}
static inline uint16_t kiln_f32_to_half(float x) {
  uint32_t f;
  memcpy(&f, &x, sizeof f);
  uint32_t sign = (f >> 16) & 0x8000u, exp = (f >> 23) & 0xffu, mant = f & 0x7fffffu;
  if (exp == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0u));
  int32_t e = (int32_t)exp - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (uint16_t)sign;
    mant |= 0x800000u;
    uint32_t shift = (uint32_t)(14 - e), h = mant >> shift, rem = mant & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (h & 1u))) h++;
    return (uint16_t)(sign | h);
  }
  uint32_t h = ((uint32_t)e << 10) | (mant >> 13), rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
  return (uint16_t)(sign | h);
}
`;

const intMinMax = (t: ScalarType, c: string) => `
static inline ${c} kiln_min_${t}(${c} a, ${c} b) { return a < b ? a : b; }
static inline ${c} kiln_max_${t}(${c} a, ${c} b) { return a > b ? a : b; }`;

const COMPARE = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
/** Comparisons as functions: 0 or 1 as int32_t, and no warning where both sides are one variable. */
const compares = (t: ScalarType, c: string) => Object.entries(COMPARE)
  .map(([op, sym]) => `\nstatic inline int32_t kiln_${op}_${t}(${c} a, ${c} b) { return (int32_t)(a ${sym} b); }`).join('');

/** Guarded, so several models' C may share one translation unit (the C tests build them so). */
export const PRELUDE = `#ifndef KILN_PRELUDE
#define KILN_PRELUDE
#include <stdint.h>
#include <string.h>
#include <math.h>
${intHelpers('i32', 'int32_t', 'uint32_t', 32, 'INT32_MIN')}${intHelpers('i64', 'int64_t', 'uint64_t', 64, 'INT64_MIN')}
${floatHelpers('f32', 'float', 'f', 'uint32_t')}${floatHelpers('f64', 'double', '', 'uint64_t')}${HALF}
${(['i32', 'i64', 'u32', 'u64'] as const).map((t) => intMinMax(t, C_SCALAR[t])).join('')}
${(Object.keys(C_SCALAR) as ScalarType[]).map((t) => compares(t, C_SCALAR[t])).join('')}
#endif
`;
