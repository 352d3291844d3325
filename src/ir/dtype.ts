// Element types and how each is stored in memory by the reference executor.
// int64/uint64 are held in Float64Array: exact to 2^53, which covers every shape and
// index; larger values only appear as "infinity" sentinels (e.g. Slice ends) where
// the rounding is harmless. float16 is held widened in Float32Array.

export const DTYPES = [
  'float32', 'float16', 'float64',
  'int8', 'int16', 'int32', 'int64',
  'uint8', 'uint16', 'uint32', 'uint64',
  'bool', 'string',
] as const;
export type DType = (typeof DTYPES)[number];

export type NumericData =
  | Float32Array | Float64Array
  | Int8Array | Int16Array | Int32Array
  | Uint8Array | Uint16Array | Uint32Array;
export type TensorData = NumericData | string[];

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}
export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float16' || d === 'float64';
}
export function isInteger(d: DType): boolean {
  return !isFloat(d) && d !== 'bool' && d !== 'string';
}
export function isUnsigned(d: DType): boolean {
  return d === 'uint8' || d === 'uint16' || d === 'uint32' || d === 'uint64';
}

/** Allocates zeroed storage for `size` elements of `dtype`. */
export function allocData(dtype: DType, size: number): TensorData {
  switch (dtype) {
    case 'float32': case 'float16': return new Float32Array(size);
    case 'float64': case 'int64': case 'uint64': return new Float64Array(size);
    case 'int8': return new Int8Array(size);
    case 'int16': return new Int16Array(size);
    case 'int32': return new Int32Array(size);
    case 'uint8': case 'bool': return new Uint8Array(size);
    case 'uint16': return new Uint16Array(size);
    case 'uint32': return new Uint32Array(size);
    case 'string': return new Array<string>(size).fill('');
  }
}

/** Bytes per element in the storage of an exchanged tensor (npy, artifacts): the real width. */
export function byteWidth(dtype: DType): number {
  switch (dtype) {
    case 'float64': case 'int64': case 'uint64': return 8;
    case 'float32': case 'int32': case 'uint32': return 4;
    case 'float16': case 'int16': case 'uint16': return 2;
    case 'int8': case 'uint8': case 'bool': return 1;
    case 'string': return 0;
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Rounds a number to the nearest float16 value (round-to-nearest-even), as a JS number. */
export function roundToFloat16(x: number): number {
  return float16BitsToNumber(numberToFloat16Bits(x));
}

export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function numberToFloat16Bits(x: number): number {
  F32[0] = x;
  const f = U32[0];
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** Bounds of each integer dtype (64-bit ones as the doubles nearest to them). */
const INTEGER_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 2 ** 32 - 1], uint64: [0, 2 ** 64], bool: [0, 1],
};

/**
 * A float converted to integer `dtype` as Cast defines it on both engines: truncated toward zero,
 * saturated at the type's bounds, NaN to 0 (wasm's trunc_sat; never a trap, never a wrap).
 */
export function floatToInteger(dtype: DType, x: number): number {
  const range = INTEGER_RANGE[dtype];
  if (!range) return castNumber(dtype, x);
  if (Number.isNaN(x)) return 0;
  return Math.min(range[1], Math.max(range[0], Math.trunc(x)));
}

/** Converts a JS number into the value `dtype` holds (truncation, wrap-around, rounding). */
export function castNumber(dtype: DType, x: number): number {
  switch (dtype) {
    case 'float32': return Math.fround(x);
    case 'float16': return roundToFloat16(x);
    case 'float64': return x;
    case 'bool': return x !== 0 ? 1 : 0; // NaN is true, as in C and ONNX
    case 'int8': return (Math.trunc(x) << 24) >> 24;
    case 'int16': return (Math.trunc(x) << 16) >> 16;
    case 'int32': return Math.trunc(x) | 0;
    case 'uint8': return Math.trunc(x) & 0xff;
    case 'uint16': return Math.trunc(x) & 0xffff;
    case 'uint32': return Math.trunc(x) >>> 0;
    case 'int64': return Number.isFinite(x) ? Math.trunc(x) : x;
    // wraps like the real type; magnitudes past 2^53 are approximate (see the note above)
    case 'uint64': return Number.isFinite(x) ? (x < 0 ? Math.trunc(x) + 2 ** 64 : Math.trunc(x)) : x;
    case 'string': throw new Error('castNumber: string');
  }
}
