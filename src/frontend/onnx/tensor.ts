// ONNX element types and TensorProto <-> Tensor conversion: raw_data (little-endian) or
// the typed repeated fields, every dtype Kiln holds; external data is refused clearly.
import { FormatError, UnsupportedError } from '../../errors.js';
import { allocData, float16BitsToNumber, numberToFloat16Bits, type DType, type NumericData } from '../../ir/dtype.js';
import { checkedElementCount } from '../../ir/limits.js';
import { fmtShape, numel } from '../../ir/shape.js';
import { Tensor } from '../../ir/tensor.js';
import { DATA_LOCATION_EXTERNAL, int64, onnxType, type TensorProto } from './schema.js';

/** TensorProto.DataType numbers of the element types Kiln holds. */
export const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13,
};
/** Names of the ONNX element types Kiln does not hold, for messages. */
const FOREIGN_DTYPES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16', 17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
  23: 'FLOAT4E2M1', 24: 'FLOAT8E8M0', 25: 'UINT2', 26: 'INT2',
};
const KILN_DTYPE = new Map<number, DType>(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k as DType]));

/** The Kiln dtype of an ONNX element type number; UnsupportedError for the others. */
export function dtypeFromOnnx(code: number, where: string): DType {
  const d = KILN_DTYPE.get(code);
  if (d) return d;
  const name = FOREIGN_DTYPES[code] ?? `data type ${code}`;
  throw new UnsupportedError(`${where}: element type ${name} is not supported by Kiln`);
}

/** Bytes per element in raw_data. */
const RAW_WIDTH: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, float64: 8, int8: 1, int16: 2, int32: 4, int64: 8,
  uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1, string: 0,
};

function readRaw(dtype: DType, raw: Uint8Array, n: number, data: NumericData): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const w = RAW_WIDTH[dtype];
  const read: (off: number) => number = {
    float32: (o: number) => view.getFloat32(o, true),
    float16: (o: number) => float16BitsToNumber(view.getUint16(o, true)),
    float64: (o: number) => view.getFloat64(o, true),
    int8: (o: number) => view.getInt8(o),
    int16: (o: number) => view.getInt16(o, true),
    int32: (o: number) => view.getInt32(o, true),
    int64: (o: number) => view.getInt32(o + 4, true) * 4294967296 + view.getUint32(o, true),
    uint8: (o: number) => view.getUint8(o),
    uint16: (o: number) => view.getUint16(o, true),
    uint32: (o: number) => view.getUint32(o, true),
    uint64: (o: number) => view.getUint32(o + 4, true) * 4294967296 + view.getUint32(o, true),
    bool: (o: number) => (view.getUint8(o) ? 1 : 0),
    string: () => 0,
  }[dtype];
  for (let i = 0; i < n; i++) data[i] = read(i * w);
}

/** The repeated field a dtype's values are stored in when raw_data is absent. */
function typedField(p: TensorProto, dtype: DType): readonly (number | { toNumber(): number })[] {
  switch (dtype) {
    case 'float32': return p.floatData;
    case 'float64': return p.doubleData;
    case 'int64': return p.int64Data;
    case 'uint32': case 'uint64': return p.uint64Data;
    default: return p.int32Data; // int8/16/32, uint8/16, bool and float16 (as bits)
  }
}

/** Converts a decoded TensorProto; `where` names it in messages (file and tensor). */
export function tensorFromProto(p: TensorProto, where: string): Tensor {
  const label = p.name ? `${where}: tensor '${p.name}'` : where;
  if (p.dataLocation === DATA_LOCATION_EXTERNAL || p.externalData.length) {
    const loc = p.externalData.find((e) => e.key === 'location')?.value ?? '?';
    throw new UnsupportedError(`${label} keeps its data in the external file '${loc}'; ` +
      'Kiln reads only self-contained .onnx files: re-save the model with all tensors inline');
  }
  if (p.segment) throw new UnsupportedError(`${label} is a segment of a split tensor, which Kiln does not read`);
  const dtype = dtypeFromOnnx(p.dataType, label);
  const shape = p.dims.map(int64);
  if (shape.some((d) => d < 0)) throw new FormatError(`${label}: negative dimension in ${fmtShape(shape)}; the file is corrupt`);
  // the held width: the reference keeps every numeric dtype in at most 8 bytes, strings as references
  const n = checkedElementCount(label, shape, Math.max(RAW_WIDTH[dtype], 1));
  if (dtype === 'string') {
    if (p.stringData.length !== n) throw sizeError(label, shape, p.stringData.length);
    const dec = new TextDecoder();
    return new Tensor('string', shape, p.stringData.map((b) => dec.decode(b)));
  }
  const raw = p.rawData?.length ? p.rawData : undefined;
  const field = raw ? undefined : typedField(p, dtype);
  const have = raw ? raw.length / RAW_WIDTH[dtype] : field!.length;
  if (have !== n) throw sizeError(label, shape, have);
  const data = allocData(dtype, n) as NumericData;
  if (raw) readRaw(dtype, raw, n, data);
  else {
    for (let i = 0; i < n; i++) {
      const v = typeof field![i] === 'number' ? field![i] as number : int64(field![i]);
      data[i] = dtype === 'float16' ? float16BitsToNumber(v & 0xffff) : dtype === 'bool' ? (v ? 1 : 0) : v;
    }
  }
  return new Tensor(dtype, shape, data);
}

function sizeError(label: string, shape: readonly number[], got: number): FormatError {
  const held = Number.isInteger(got) ? `${got} values` : 'a byte count that is no whole number of them';
  return new FormatError(`${label}: shape ${fmtShape(shape)} needs ${numel(shape)} values but the data holds ${held}; the file is corrupt`);
}

/** Decodes protobuf bytes as message `type`, turning protobufjs failures into a FormatError. */
export function decodeMessage<T>(type: Parameters<typeof onnxType>[0], bytes: Uint8Array, source: string): T {
  try {
    return onnxType(type).decode(bytes) as unknown as T;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FormatError(`${source}: not a valid ONNX ${type} (${why}); the file is truncated or corrupt`);
  }
}

/** Decodes a serialized TensorProto (the .pb files of ONNX test data). */
export function decodeTensorProto(bytes: Uint8Array, source = 'TensorProto'): Tensor {
  return tensorFromProto(decodeMessage<TensorProto>('TensorProto', bytes, source), source);
}

/** A TensorProto message object for `t` (raw_data little-endian; strings in string_data). */
export function tensorToProto(t: Tensor, name = ''): object {
  const base = { name, dims: [...t.shape], dataType: ONNX_DTYPE[t.dtype] };
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    return { ...base, stringData: (t.data as string[]).map((s) => enc.encode(s)) };
  }
  const w = RAW_WIDTH[t.dtype];
  const raw = new Uint8Array(t.size * w);
  const view = new DataView(raw.buffer);
  const src = t.numbers;
  const write: (o: number, v: number) => void = {
    float32: (o: number, v: number) => view.setFloat32(o, v, true),
    float16: (o: number, v: number) => view.setUint16(o, numberToFloat16Bits(v), true),
    float64: (o: number, v: number) => view.setFloat64(o, v, true),
    int8: (o: number, v: number) => view.setInt8(o, v),
    int16: (o: number, v: number) => view.setInt16(o, v, true),
    int32: (o: number, v: number) => view.setInt32(o, v, true),
    int64: (o: number, v: number) => view.setBigInt64(o, toBigInt(v, -(2n ** 63n), 2n ** 63n - 1n), true),
    uint8: (o: number, v: number) => view.setUint8(o, v),
    uint16: (o: number, v: number) => view.setUint16(o, v, true),
    uint32: (o: number, v: number) => view.setUint32(o, v, true),
    uint64: (o: number, v: number) => view.setBigUint64(o, toBigInt(v, 0n, 2n ** 64n - 1n), true),
    bool: (o: number, v: number) => view.setUint8(o, v ? 1 : 0),
    string: () => undefined,
  }[t.dtype];
  for (let i = 0; i < src.length; i++) write(i * w, src[i]);
  return { ...base, rawData: raw };
}

/** A 64-bit integer held in a double; values rounded past the range (INT64_MAX sentinels) saturate. */
function toBigInt(v: number, lo: bigint, hi: bigint): bigint {
  const b = BigInt(v);
  return b < lo ? lo : b > hi ? hi : b;
}
