// TensorProto (JSON or protobuf-decoded object form) -> Tensor: raw little-endian
// tensor_content, or the typed *_val fields where a short list repeats its last value.
import { FormatError, UnsupportedError } from '../../errors.js';
import { allocData, byteWidth, float16BitsToNumber, type DType, type NumericData } from '../../ir/dtype.js';
import { checkedElementCount } from '../../ir/limits.js';
import { fmtShape } from '../../ir/shape.js';
import { Tensor } from '../../ir/tensor.js';
import { bytesOf, dimsOf, tfDType, type TfBytes, type TfTensorJson } from './node.js';

export function decodeTfTensor(t: TfTensorJson, where: string): Tensor {
  const dtype = tfDType(t.dtype ?? 'DT_INVALID');
  if (!dtype) throw new UnsupportedError(`${where}: tensor of data type ${t.dtype} is not supported by Kiln`);
  const dims = dimsOf(t.tensorShape, () => -1);
  if (!dims || dims.some((d) => typeof d !== 'number' || d < 0)) {
    throw new FormatError(`${where}: constant tensor has no static shape`);
  }
  const shape = dims as number[];
  const count = checkedElementCount(`${where}: constant`, shape, 8);
  if (dtype === 'string') {
    return new Tensor('string', shape, repeatLast((t.stringVal ?? []).map(utf8), count, '', where));
  }
  if (t.tensorContent !== undefined && bytesOf(t.tensorContent).length > 0) {
    return new Tensor(dtype, shape, readContent(bytesOf(t.tensorContent), dtype, count, shape, where));
  }
  return Tensor.from(dtype, shape, repeatLast(typedValues(t, dtype), count, 0, where));
}

function utf8(b: TfBytes): string {
  return new TextDecoder().decode(bytesOf(b));
}

function typedValues(t: TfTensorJson, dtype: DType): number[] {
  switch (dtype) {
    case 'float32': return (t.floatVal ?? []).map(Number);
    case 'float64': return (t.doubleVal ?? []).map(Number);
    case 'float16': return (t.halfVal ?? []).map(float16BitsToNumber);
    case 'int64': return (t.int64Val ?? []).map(Number);
    case 'uint64': return (t.uint64Val ?? []).map(Number);
    case 'uint32': return (t.uint32Val ?? []).map(Number);
    case 'bool': return (t.boolVal ?? []).map((b) => (b ? 1 : 0));
    default: return (t.intVal ?? []).map(Number);
  }
}

/** TF fills a tensor from a shorter value list by repeating the last value (zeros when empty). */
function repeatLast<T>(values: readonly T[], count: number, zero: T, where: string): T[] {
  if (values.length > count) {
    throw new FormatError(`${where}: constant holds ${values.length} values for ${count} elements`);
  }
  const fill = values.length ? values[values.length - 1] : zero;
  return [...values, ...new Array<T>(count - values.length).fill(fill)];
}

function readContent(bytes: Uint8Array, dtype: DType, count: number, shape: readonly number[], where: string): NumericData {
  const width = byteWidth(dtype);
  if (bytes.length !== count * width) {
    throw new FormatError(`${where}: tensor_content has ${bytes.length} bytes, ${dtype} ${fmtShape(shape)} needs ${count * width}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const read: (i: number) => number = {
    float32: (i: number) => v.getFloat32(i * 4, true),
    float64: (i: number) => v.getFloat64(i * 8, true),
    float16: (i: number) => float16BitsToNumber(v.getUint16(i * 2, true)),
    int8: (i: number) => v.getInt8(i),
    int16: (i: number) => v.getInt16(i * 2, true),
    int32: (i: number) => v.getInt32(i * 4, true),
    int64: (i: number) => Number(v.getBigInt64(i * 8, true)),
    uint8: (i: number) => v.getUint8(i),
    uint16: (i: number) => v.getUint16(i * 2, true),
    uint32: (i: number) => v.getUint32(i * 4, true),
    uint64: (i: number) => Number(v.getBigUint64(i * 8, true)),
    bool: (i: number) => v.getUint8(i),
  }[dtype as Exclude<DType, 'string'>];
  const out = allocData(dtype, count) as NumericData;
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}
