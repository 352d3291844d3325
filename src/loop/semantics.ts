// The meaning of every scalar loop-IR operation, bit-exact, as the code generators must
// implement it. The interpreter and the simplifier's constant folding both compute here.
import type { BinOp, ElemType, Intrinsic, ScalarType, UnOp } from './ir.js';
import { erf } from '../ops/elementwise-unary.js';

/** One lane: i64 and u64 values are bigints (exact), every other type a number. */
export type Scalar = number | bigint;
/** A register value: a scalar, or an array of lanes. */
export type Value = Scalar | readonly Scalar[];

export type BinFn = (a: Scalar, b: Scalar) => Scalar;
export type UnFn = (a: Scalar) => Scalar;
export type CallFn = (...args: Scalar[]) => Scalar;

const fround = Math.fround;
const I32_MIN = -0x80000000;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const wrap64 = (x: bigint): bigint => BigInt.asIntN(64, x);


/** Rounds to the nearest integer, halves to even (wasm `nearest`, ONNX Round). */
export function nearestEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const compare: Readonly<Record<'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', BinFn>> = {
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

type OpTable = Partial<Record<BinOp, BinFn>>;

/** Float ops; `r` rounds each result to the type (fround for f32, identity for f64). */
function floatOps(r: (x: number) => number): OpTable {
  const fdiv = (a: number, b: number) => Math.floor(r(a / b));
  return {
    add: (a, b) => r((a as number) + (b as number)),
    sub: (a, b) => r((a as number) - (b as number)),
    mul: (a, b) => r((a as number) * (b as number)),
    div: (a, b) => r((a as number) / (b as number)),
    mod: (a, b) => r((a as number) % (b as number)),
    floordiv: (a, b) => fdiv(a as number, b as number),
    floormod: (a, b) => r((a as number) - r(fdiv(a as number, b as number) * (b as number))),
    min: (a, b) => Math.min(a as number, b as number),
    max: (a, b) => Math.max(a as number, b as number),
    ...compare,
  };
}

// Integer division is total, as NumPy defines it: x / 0 and x % 0 are 0, MIN / -1 wraps to MIN
// (and MIN % -1 is 0), so no data can make compiled code trap; the wasm lowering guards divisors.
const i32Ops: OpTable = {
  add: (a, b) => ((a as number) + (b as number)) | 0,
  sub: (a, b) => ((a as number) - (b as number)) | 0,
  mul: (a, b) => Math.imul(a as number, b as number),
  // (2^31) | 0 wraps MIN / -1 back to MIN
  div: (a, b) => (b === 0 ? 0 : ((a as number) / (b as number)) | 0),
  mod: (a, b) => (b === 0 ? 0 : ((a as number) % (b as number)) | 0),
  // |a|,|b| < 2^31 keeps the double quotient's rounding error below the gap to the next integer.
  floordiv: (a, b) => (b === 0 ? 0 : Math.floor((a as number) / (b as number)) | 0),
  floormod: (a, b) => {
    if (b === 0) return 0;
    const r = (a as number) % (b as number);
    return (r !== 0 && (r < 0) !== ((b as number) < 0) ? r + (b as number) : r) | 0;
  },
  min: (a, b) => Math.min(a as number, b as number),
  max: (a, b) => Math.max(a as number, b as number),
  and: (a, b) => (a as number) & (b as number),
  or: (a, b) => (a as number) | (b as number),
  xor: (a, b) => (a as number) ^ (b as number),
  shl: (a, b) => (a as number) << (b as number),   // JS, like wasm, takes the count mod 32
  shr: (a, b) => (a as number) >> (b as number),
  ...compare,
};

const i64Ops: OpTable = {
  add: (a, b) => wrap64((a as bigint) + (b as bigint)),
  sub: (a, b) => wrap64((a as bigint) - (b as bigint)),
  mul: (a, b) => wrap64((a as bigint) * (b as bigint)),
  div: (a, b) => (b === 0n ? 0n : wrap64((a as bigint) / (b as bigint))),
  mod: (a, b) => (b === 0n ? 0n : (a as bigint) % (b as bigint)),
  floordiv: (a, b) => {
    if (b === 0n) return 0n;
    const q = wrap64((a as bigint) / (b as bigint));
    return (a as bigint) % (b as bigint) !== 0n && ((a as bigint) < 0n) !== ((b as bigint) < 0n) ? q - 1n : q;
  },
  floormod: (a, b) => {
    if (b === 0n) return 0n;
    const r = (a as bigint) % (b as bigint);
    return r !== 0n && (r < 0n) !== ((b as bigint) < 0n) ? r + (b as bigint) : r;
  },
  min: (a, b) => ((a as bigint) < (b as bigint) ? a : b),
  max: (a, b) => ((a as bigint) > (b as bigint) ? a : b),
  and: (a, b) => (a as bigint) & (b as bigint),
  or: (a, b) => (a as bigint) | (b as bigint),
  xor: (a, b) => (a as bigint) ^ (b as bigint),
  shl: (a, b) => wrap64((a as bigint) << ((b as bigint) & 63n)),
  shr: (a, b) => (a as bigint) >> ((b as bigint) & 63n),
  ...compare,
};

// unsigned lanes are numbers in [0, 2^32) and bigints in [0, 2^64)
const u32 = (x: number) => x >>> 0;
const u64 = (x: bigint) => BigInt.asUintN(64, x);
function u32Div(a: Scalar, b: Scalar, rem: boolean): number {
  if (b === 0) return 0;
  return rem ? (a as number) % (b as number) : Math.floor((a as number) / (b as number));
}
function u64Div(a: Scalar, b: Scalar, rem: boolean): bigint {
  if (b === 0n) return 0n;
  return rem ? (a as bigint) % (b as bigint) : (a as bigint) / (b as bigint);
}
const u32Ops: OpTable = {
  add: (a, b) => u32((a as number) + (b as number)),
  sub: (a, b) => u32((a as number) - (b as number)),
  mul: (a, b) => u32(Math.imul(a as number, b as number)),
  div: (a, b) => u32Div(a, b, false), floordiv: (a, b) => u32Div(a, b, false),
  mod: (a, b) => u32Div(a, b, true), floormod: (a, b) => u32Div(a, b, true),
  min: (a, b) => Math.min(a as number, b as number),
  max: (a, b) => Math.max(a as number, b as number),
  and: (a, b) => u32((a as number) & (b as number)),
  or: (a, b) => u32((a as number) | (b as number)),
  xor: (a, b) => u32((a as number) ^ (b as number)),
  shl: (a, b) => u32((a as number) << (b as number)),
  shr: (a, b) => (a as number) >>> (b as number),
  ...compare,
};
// non-negative bigints compare, combine bitwise and shift right as the signed table does
const u64Ops: OpTable = {
  ...i64Ops,
  add: (a, b) => u64((a as bigint) + (b as bigint)),
  sub: (a, b) => u64((a as bigint) - (b as bigint)),
  mul: (a, b) => u64((a as bigint) * (b as bigint)),
  div: (a, b) => u64Div(a, b, false), floordiv: (a, b) => u64Div(a, b, false),
  mod: (a, b) => u64Div(a, b, true), floormod: (a, b) => u64Div(a, b, true),
  shl: (a, b) => u64((a as bigint) << ((b as bigint) & 63n)),
};

const BIN: Readonly<Record<ScalarType, OpTable>> = {
  f32: floatOps(fround), f64: floatOps((x) => x), i32: i32Ops, i64: i64Ops, u32: u32Ops, u64: u64Ops,
};

/** The function computing `op` on operands of type `t`, or undefined if `op` has no meaning there. */
export function binFn(op: BinOp, t: ScalarType): BinFn | undefined {
  return BIN[t][op];
}

type UnTable = Partial<Record<UnOp, UnFn>>;
function floatUn(r: (x: number) => number): UnTable {
  return {
    neg: (a) => -(a as number),
    abs: (a) => Math.abs(a as number),
    sqrt: (a) => r(Math.sqrt(a as number)),
    floor: (a) => Math.floor(a as number),
    ceil: (a) => Math.ceil(a as number),
    trunc: (a) => Math.trunc(a as number),
    nearest: (a) => nearestEven(a as number),
  };
}
const UN: Readonly<Record<ScalarType, UnTable>> = {
  f32: floatUn(fround),
  f64: floatUn((x) => x),
  i32: {
    neg: (a) => -(a as number) | 0,
    abs: (a) => Math.abs(a as number) | 0,
    not: (a) => (a === 0 ? 1 : 0),
  },
  i64: {
    neg: (a) => wrap64(-(a as bigint)),
    abs: (a) => ((a as bigint) < 0n ? wrap64(-(a as bigint)) : a),
    not: (a) => (a === 0n ? 1n : 0n),
  },
  u32: {
    neg: (a) => u32(-(a as number)),
    abs: (a) => a,
    not: (a) => (a === 0 ? 1 : 0),
  },
  u64: {
    neg: (a) => u64(-(a as bigint)),
    abs: (a) => a,
    not: (a) => (a === 0n ? 1n : 0n),
  },
};

/** `not` is logical (0 -> 1, anything else -> 0), matching comparisons that give 0/1. */
export function unFn(op: UnOp, t: ScalarType): UnFn | undefined {
  return UN[t][op];
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Each intrinsic in f64; an f32 result is rounded once at the end. */
const INTRINSIC: Readonly<Record<Intrinsic, (...args: number[]) => number>> = {
  exp: Math.exp, log: Math.log, tanh: Math.tanh, erf, pow: Math.pow,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  sigmoid, fma: (a, b, c) => a * b + c, round_half_even: nearestEven,
};

/** How many arguments each intrinsic takes. */
export function intrinsicArity(fn: Intrinsic): number {
  return INTRINSIC[fn].length;
}

/** Intrinsics are defined on floats only. */
export function callFn(fn: Intrinsic, t: ScalarType): CallFn | undefined {
  const f = INTRINSIC[fn];
  if (t === 'f64') return f as CallFn;
  if (t === 'f32') return (...args) => fround(f(...(args as number[])));
  return undefined;
}

/** Float -> int conversion saturates and maps NaN to 0 (wasm trunc_sat). */
function truncSat32(x: number): number {
  if (Number.isNaN(x)) return 0;
  return x <= I32_MIN ? I32_MIN : x >= 0x7fffffff ? 0x7fffffff : Math.trunc(x);
}
function truncSat64(x: number): bigint {
  if (Number.isNaN(x)) return 0n;
  if (x <= -(2 ** 63)) return I64_MIN;
  if (x >= 2 ** 63) return I64_MAX;
  return BigInt(Math.trunc(x));
}
/** i64 -> f32 rounding once: keep 53 significant bits plus a sticky bit, then round to 24. */
function i64ToF32(a: bigint): number {
  const n = a < 0n ? -a : a;
  if (n < 1n << 53n) return fround(Number(a));
  const shift = n.toString(2).length - 53;
  let m = n >> BigInt(shift);
  if (m << BigInt(shift) !== n) m |= 1n;
  const x = fround(Number(m) * 2 ** shift);
  return a < 0n ? -x : x;
}

const CAST: Readonly<Record<ScalarType, Readonly<Record<ScalarType, UnFn>>>> = {
  f32: { f32: (a) => a, f64: (a) => a, i32: (a) => truncSat32(a as number), i64: (a) => truncSat64(a as number), u32: floatToU32, u64: floatToU64 },
  f64: { f32: (a) => fround(a as number), f64: (a) => a, i32: (a) => truncSat32(a as number), i64: (a) => truncSat64(a as number), u32: floatToU32, u64: floatToU64 },
  i32: { f32: (a) => fround(a as number), f64: (a) => a, i32: (a) => a, i64: (a) => BigInt(a), u32: (a) => u32(a as number), u64: (a) => u64(BigInt(a)) },
  i64: {
    f32: (a) => i64ToF32(a as bigint), f64: (a) => Number(a), i32: (a) => Number(BigInt.asIntN(32, a as bigint)), i64: (a) => a,
    u32: (a) => Number(BigInt.asUintN(32, a as bigint)), u64: (a) => u64(a as bigint),
  },
  // u32 numbers are non-negative: the signed conversions of a number serve them
  u32: { f32: (a) => fround(a as number), f64: (a) => a, i32: (a) => (a as number) | 0, i64: (a) => BigInt(a), u32: (a) => a, u64: (a) => BigInt(a) },
  u64: {
    f32: (a) => i64ToF32(a as bigint), f64: (a) => Number(a), i32: (a) => Number(BigInt.asIntN(32, a as bigint)),
    i64: (a) => BigInt.asIntN(64, a as bigint), u32: (a) => Number(BigInt.asUintN(32, a as bigint)), u64: (a) => a,
  },
};

/** Float -> unsigned saturates too: negatives and NaN give 0 (wasm trunc_sat_*_u). */
function floatToU32(a: Scalar): number {
  const x = a as number;
  return Number.isNaN(x) || x <= 0 ? 0 : x >= 0xffffffff ? 0xffffffff : Math.trunc(x);
}
function floatToU64(a: Scalar): bigint {
  const x = a as number;
  return Number.isNaN(x) || x <= 0 ? 0n : x >= 2 ** 64 ? (1n << 64n) - 1n : BigInt(Math.trunc(x));
}

export function castFn(from: ScalarType, to: ScalarType): UnFn {
  return CAST[from][to];
}

/** A constant node's number as a lane of type `t` (what the target materialises). */
export function constScalar(value: number, t: ScalarType): Scalar {
  switch (t) {
    case 'f32': return fround(value);
    case 'f64': return value;
    case 'i32': return value | 0;
    case 'i64': return BigInt(Math.trunc(value));
    case 'u32': return u32(value);
    case 'u64': return u64(BigInt(Math.trunc(value)));
  }
}

export function isTruthy(x: Scalar): boolean {
  return x !== 0 && x !== 0n;
}

/** The TypedArray class holding elements of each memory type. */
export const ARRAY_OF: Readonly<Record<ElemType, { new (n: number): ArrayLike<Scalar> & { [i: number]: Scalar } }>> = {
  f32: Float32Array, f64: Float64Array, i32: Int32Array, i64: BigInt64Array, u32: Uint32Array, u64: BigUint64Array,
  i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array,
  // half-precision bits: the interpreter converts on load and store (halfToNumber / numberToHalf)
  f16: Uint16Array,
};
