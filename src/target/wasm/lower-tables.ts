// What the wasm lowering of the loop IR looks up: element sizes, load/store and SIMD op names,
// and the shape analyses of expressions (constant index parts, loads, children).
import type { BinOp, ElemType, Expr, ScalarType, UnOp } from '../../loop/ir.js';
import type { MemOp, PlainOp } from './opcodes.js';

export const SCALAR_BYTES: Readonly<Record<ScalarType, number>> = { f32: 4, f64: 8, i32: 4, i64: 8, u32: 4, u64: 8 };
export const ELEM_BYTES: Readonly<Record<ElemType, number>> = {
  f32: 4, f64: 8, i32: 4, i64: 8, u32: 4, u64: 8, i8: 1, u8: 1, i16: 2, u16: 2, f16: 2,
};
/** f16 loads and stores move the half's bits; the conversion to and from f32 follows (half.ts). */
export const LOAD: Readonly<Record<ElemType, MemOp>> = {
  f32: 'f32.load', f64: 'f64.load', i32: 'i32.load', i64: 'i64.load', u32: 'i32.load', u64: 'i64.load',
  i8: 'i32.load8_s', u8: 'i32.load8_u', i16: 'i32.load16_s', u16: 'i32.load16_u', f16: 'i32.load16_u',
};
export const STORE: Readonly<Record<ElemType, MemOp>> = {
  f32: 'f32.store', f64: 'f64.store', i32: 'i32.store', i64: 'i64.store', u32: 'i32.store', u64: 'i64.store',
  i8: 'i32.store8', u8: 'i32.store8', i16: 'i32.store16', u16: 'i32.store16', f16: 'i32.store16',
};
/** The wasm value type holding a scalar type (unsigned ones share the signed registers). */
export const VALTYPE: Readonly<Record<ScalarType, 'f32' | 'f64' | 'i32' | 'i64'>> = { f32: 'f32', f64: 'f64', i32: 'i32', i64: 'i64', u32: 'i32', u64: 'i64' };
export const SHAPE: Readonly<Record<ScalarType, string>> = { f32: 'f32x4', f64: 'f64x2', i32: 'i32x4', i64: 'i64x2', u32: 'i32x4', u64: 'i64x2' };
export const FLOAT_BIN: Partial<Record<BinOp, string>> = {
  add: 'add', sub: 'sub', mul: 'mul', div: 'div', min: 'min', max: 'max',
  eq: 'eq', ne: 'ne', lt: 'lt', le: 'le', gt: 'gt', ge: 'ge',
};
export const INT_BIN: Partial<Record<BinOp, string>> = {
  add: 'add', sub: 'sub', mul: 'mul', div: 'div_s', mod: 'rem_s', and: 'and', or: 'or', xor: 'xor',
  shl: 'shl', shr: 'shr_s', eq: 'eq', ne: 'ne', lt: 'lt_s', le: 'le_s', gt: 'gt_s', ge: 'ge_s',
};
/** Unsigned division rounds toward zero, which is toward -inf: floordiv/floormod are div/rem. */
export const UINT_BIN: Partial<Record<BinOp, string>> = {
  add: 'add', sub: 'sub', mul: 'mul', div: 'div_u', mod: 'rem_u', floordiv: 'div_u', floormod: 'rem_u', and: 'and', or: 'or', xor: 'xor',
  shl: 'shl', shr: 'shr_u', eq: 'eq', ne: 'ne', lt: 'lt_u', le: 'le_u', gt: 'gt_u', ge: 'ge_u',
};
export const SIMD_BIN: Readonly<Record<ScalarType, Partial<Record<BinOp, string>>>> = {
  f32: FLOAT_BIN, f64: FLOAT_BIN,
  i32: { add: 'i32x4.add', sub: 'i32x4.sub', mul: 'i32x4.mul', min: 'i32x4.min_s', max: 'i32x4.max_s',
    eq: 'i32x4.eq', ne: 'i32x4.ne', lt: 'i32x4.lt_s', le: 'i32x4.le_s', gt: 'i32x4.gt_s', ge: 'i32x4.ge_s' },
  i64: { add: 'i64x2.add', sub: 'i64x2.sub', mul: 'i64x2.mul',
    eq: 'i64x2.eq', ne: 'i64x2.ne', lt: 'i64x2.lt_s', le: 'i64x2.le_s', gt: 'i64x2.gt_s', ge: 'i64x2.ge_s' },
  u32: { add: 'i32x4.add', sub: 'i32x4.sub', mul: 'i32x4.mul', min: 'i32x4.min_u', max: 'i32x4.max_u',
    eq: 'i32x4.eq', ne: 'i32x4.ne', lt: 'i32x4.lt_u', le: 'i32x4.le_u', gt: 'i32x4.gt_u', ge: 'i32x4.ge_u' },
  // i64x2 has no unsigned comparisons: those go lane by lane
  u64: { add: 'i64x2.add', sub: 'i64x2.sub', mul: 'i64x2.mul', eq: 'i64x2.eq', ne: 'i64x2.ne' },
};
export const BITWISE = new Set<BinOp>(['and', 'or', 'xor']);
export const COMPARE = new Set<BinOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
export const FLOAT_UN: Partial<Record<UnOp, string>> = {
  neg: 'neg', abs: 'abs', sqrt: 'sqrt', floor: 'floor', ceil: 'ceil', trunc: 'trunc', nearest: 'nearest',
};
/**
 * Conversions, as instruction sequences (empty: the bits already mean the value). Float -> integer
 * truncates and saturates at the type's bounds, NaN gives 0 (the loop IR's meaning: never a trap).
 */
export const CAST: Readonly<Record<ScalarType, Readonly<Record<ScalarType, readonly PlainOp[]>>>> = {
  f32: { f32: [], f64: ['f64.promote_f32'], i32: ['i32.trunc_sat_f32_s'], i64: ['i64.trunc_sat_f32_s'],
    u32: ['i32.trunc_sat_f32_u'], u64: ['i64.trunc_sat_f32_u'] },
  f64: { f32: ['f32.demote_f64'], f64: [], i32: ['i32.trunc_sat_f64_s'], i64: ['i64.trunc_sat_f64_s'],
    u32: ['i32.trunc_sat_f64_u'], u64: ['i64.trunc_sat_f64_u'] },
  i32: { f32: ['f32.convert_i32_s'], f64: ['f64.convert_i32_s'], i32: [], i64: ['i64.extend_i32_s'], u32: [], u64: ['i64.extend_i32_s'] },
  i64: { f32: ['f32.convert_i64_s'], f64: ['f64.convert_i64_s'], i32: ['i32.wrap_i64'], i64: [], u32: ['i32.wrap_i64'], u64: [] },
  u32: { f32: ['f32.convert_i32_u'], f64: ['f64.convert_i32_u'], i32: [], i64: ['i64.extend_i32_u'], u32: [], u64: ['i64.extend_i32_u'] },
  u64: { f32: ['f32.convert_i64_u'], f64: ['f64.convert_i64_u'], i32: ['i32.wrap_i64'], i64: [], u32: ['i32.wrap_i64'], u64: [] },
};
export const SIMD_CAST: Readonly<Record<string, PlainOp>> = {
  'f32->i32': 'i32x4.trunc_sat_f32x4_s', 'f32->u32': 'i32x4.trunc_sat_f32x4_u', 'i32->f32': 'f32x4.convert_i32x4_s', 'u32->f32': 'f32x4.convert_i32x4_u',
};

export const op = (s: string) => s as PlainOp;
export const isFloat = (t: ScalarType) => t === 'f32' || t === 'f64';
export const isUnsigned = (t: ScalarType) => t === 'u32' || t === 'u64';

/** Sum of non-constant terms plus a constant: lets constant index parts become memarg offsets. */
export interface SplitIndex { readonly terms: readonly Expr[]; readonly offset: number }
export function splitIndex(e: Expr, sign = 1): SplitIndex {
  if (e.k === 'const') return { terms: [], offset: sign * e.value };
  if (e.k === 'bin' && (e.op === 'add' || (e.op === 'sub' && e.b.k === 'const')) && sign === 1) {
    const a = splitIndex(e.a), b = splitIndex(e.b, e.op === 'sub' ? -1 : 1);
    return { terms: [...a.terms, ...b.terms], offset: a.offset + b.offset };
  }
  return { terms: [e], offset: 0 };
}

export function containsLoad(e: Expr): boolean {
  switch (e.k) {
    case 'load': return true;
    case 'const': case 'var': return false;
    case 'bin': return containsLoad(e.a) || containsLoad(e.b);
    case 'un': case 'cast': return containsLoad(e.a);
    case 'call': return e.args.some(containsLoad);
    case 'select': return containsLoad(e.cond) || containsLoad(e.a) || containsLoad(e.b);
    case 'ramp': return containsLoad(e.base);
    case 'broadcast': return containsLoad(e.value);
    case 'lane': return containsLoad(e.a);
  }
}

