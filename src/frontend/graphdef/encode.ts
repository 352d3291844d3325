// Writes a GraphDef from node objects in the model.json form: used to turn TF.js graph models
// into frozen .pb files (weights as Const tensors) for tests and conversions.
import { UnsupportedError } from '../../errors.js';
import { byteWidth, numberToFloat16Bits, type DType } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/tensor.js';
import type { TfNodeJson, TfTensorJson } from '../tf/node.js';
import { GraphDefMessage } from './schema.js';

const TF_NAMES: Partial<Record<DType, string>> = {
  float32: 'DT_FLOAT', float16: 'DT_HALF', float64: 'DT_DOUBLE', int8: 'DT_INT8', int16: 'DT_INT16', int32: 'DT_INT32',
  int64: 'DT_INT64', uint8: 'DT_UINT8', uint16: 'DT_UINT16', uint32: 'DT_UINT32', uint64: 'DT_UINT64',
  bool: 'DT_BOOL', string: 'DT_STRING',
};

type Writer = (view: DataView, at: number, x: number) => void;
const WRITERS: Record<Exclude<DType, 'string'>, Writer> = {
  float32: (w, at, x) => w.setFloat32(at, x, true), float64: (w, at, x) => w.setFloat64(at, x, true),
  float16: (w, at, x) => w.setUint16(at, numberToFloat16Bits(x), true),
  int8: (w, at, x) => w.setInt8(at, x), int16: (w, at, x) => w.setInt16(at, x, true),
  int32: (w, at, x) => w.setInt32(at, x, true), int64: (w, at, x) => w.setBigInt64(at, BigInt(x), true),
  uint8: (w, at, x) => w.setUint8(at, x), uint16: (w, at, x) => w.setUint16(at, x, true),
  uint32: (w, at, x) => w.setUint32(at, x, true), uint64: (w, at, x) => w.setBigUint64(at, BigInt(x), true),
  bool: (w, at, x) => w.setUint8(at, x),
};

export function tfTypeName(dtype: DType): string {
  const n = TF_NAMES[dtype];
  if (!n) throw new UnsupportedError(`cannot write a ${dtype} tensor into a GraphDef`);
  return n;
}

/** A TensorProto with the values as little-endian tensor_content (strings as string_val). */
export function tensorProto(t: Tensor): TfTensorJson {
  const base = { dtype: tfTypeName(t.dtype), tensorShape: { dim: t.shape.map((d) => ({ size: String(d) })) } };
  if (t.dtype === 'string') {
    return { ...base, stringVal: (t.data as string[]).map((s) => new TextEncoder().encode(s)) };
  }
  const v = t.numbers;
  const width = byteWidth(t.dtype);
  const bytes = new Uint8Array(v.length * width);
  const view = new DataView(bytes.buffer);
  const write = WRITERS[t.dtype as Exclude<DType, 'string'>];
  for (let i = 0; i < v.length; i++) write(view, i * width, v[i]);
  return { ...base, tensorContent: bytes };
}

export function encodeGraphDef(nodes: readonly TfNodeJson[], producer?: number): Uint8Array {
  const msg = GraphDefMessage.fromObject({ node: nodes, ...(producer === undefined ? {} : { versions: { producer } }) });
  return GraphDefMessage.encode(msg).finish();
}
