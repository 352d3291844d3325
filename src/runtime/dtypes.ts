// Element types a compiled model exchanges with its caller, and the typed array each one
// travels in. int64/uint64 travel as BigInt64Array/BigUint64Array (exact, unlike numbers past
// 2^53); float16 as a Uint16Array of IEEE half-precision bits (Float16Array is not yet in
// every host); bool as a Uint8Array of 0/1. Strings travel as string arrays; in memory each is an
// int32 handle into the session's string table.

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

interface TypedArrayClass {
  readonly name: string;
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  new (length: number): TypedArray;
}

export const ARRAY_OF = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
  bool: Uint8Array, string: Int32Array,
} as const satisfies Record<string, TypedArrayClass>;

export type DType = keyof typeof ARRAY_OF;

export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ARRAY_OF, s);
}

/** The typed array of a dtype's elements in linear memory (a string's is its int32 handle). */
export function arrayClass(dtype: DType): TypedArrayClass {
  return ARRAY_OF[dtype] as TypedArrayClass;
}

export function elementBytes(dtype: DType): number {
  return ARRAY_OF[dtype].BYTES_PER_ELEMENT;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
