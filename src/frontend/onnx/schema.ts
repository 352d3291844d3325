// The subset of the ONNX protobuf schema Kiln reads, as a protobufjs reflection root built
// from a JSON descriptor (field numbers from the onnx.proto spec), plus typed views of it.
import protobuf from 'protobufjs';

type FieldJson = { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } };
const one = (id: number, type: string): FieldJson => ({ type, id });
const many = (id: number, type: string): FieldJson => ({ type, id, rule: 'repeated' });
/** Repeated numbers the spec declares packed (TensorProto data fields). */
const packed = (id: number, type: string): FieldJson => ({ type, id, rule: 'repeated', options: { packed: true } });

const messages: Record<string, { fields: Record<string, FieldJson> }> = {
  ModelProto: {
    fields: {
      irVersion: one(1, 'int64'), producerName: one(2, 'string'), producerVersion: one(3, 'string'),
      domain: one(4, 'string'), modelVersion: one(5, 'int64'), docString: one(6, 'string'),
      graph: one(7, 'GraphProto'), opsetImport: many(8, 'OperatorSetIdProto'),
      metadataProps: many(14, 'StringStringEntryProto'), functions: many(25, 'FunctionProto'),
    },
  },
  OperatorSetIdProto: { fields: { domain: one(1, 'string'), version: one(2, 'int64') } },
  StringStringEntryProto: { fields: { key: one(1, 'string'), value: one(2, 'string') } },
  FunctionProto: {
    fields: { name: one(1, 'string'), domain: one(10, 'string'), node: many(7, 'NodeProto') },
  },
  GraphProto: {
    fields: {
      node: many(1, 'NodeProto'), name: one(2, 'string'), initializer: many(5, 'TensorProto'),
      docString: one(10, 'string'), input: many(11, 'ValueInfoProto'), output: many(12, 'ValueInfoProto'),
      valueInfo: many(13, 'ValueInfoProto'), sparseInitializer: many(15, 'SparseTensorProto'),
    },
  },
  NodeProto: {
    fields: {
      input: many(1, 'string'), output: many(2, 'string'), name: one(3, 'string'), opType: one(4, 'string'),
      attribute: many(5, 'AttributeProto'), docString: one(6, 'string'), domain: one(7, 'string'),
    },
  },
  AttributeProto: {
    fields: {
      name: one(1, 'string'), f: one(2, 'float'), i: one(3, 'int64'), s: one(4, 'bytes'),
      t: one(5, 'TensorProto'), g: one(6, 'GraphProto'), floats: many(7, 'float'), ints: many(8, 'int64'),
      strings: many(9, 'bytes'), tensors: many(10, 'TensorProto'), graphs: many(11, 'GraphProto'),
      docString: one(13, 'string'), tp: one(14, 'TypeProto'), typeProtos: many(15, 'TypeProto'),
      type: one(20, 'int32'), refAttrName: one(21, 'string'), sparseTensor: one(22, 'SparseTensorProto'),
      sparseTensors: many(23, 'SparseTensorProto'),
    },
  },
  ValueInfoProto: { fields: { name: one(1, 'string'), type: one(2, 'TypeProto'), docString: one(3, 'string') } },
  TypeProto: {
    fields: {
      tensorType: one(1, 'TypeProtoTensor'), sequenceType: one(4, 'TypeProtoSequence'),
      mapType: one(5, 'TypeProtoMap'), denotation: one(6, 'string'),
      sparseTensorType: one(8, 'TypeProtoTensor'), optionalType: one(9, 'TypeProtoOptional'),
    },
  },
  TypeProtoTensor: { fields: { elemType: one(1, 'int32'), shape: one(2, 'TensorShapeProto') } },
  TypeProtoSequence: { fields: { elemType: one(1, 'TypeProto') } },
  TypeProtoMap: { fields: { keyType: one(1, 'int32'), valueType: one(2, 'TypeProto') } },
  TypeProtoOptional: { fields: { elemType: one(1, 'TypeProto') } },
  TensorShapeProto: { fields: { dim: many(1, 'Dimension') } },
  Dimension: { fields: { dimValue: one(1, 'int64'), dimParam: one(2, 'string'), denotation: one(3, 'string') } },
  TensorProto: {
    fields: {
      dims: many(1, 'int64'), dataType: one(2, 'int32'), segment: one(3, 'Segment'),
      floatData: packed(4, 'float'), int32Data: packed(5, 'int32'), stringData: many(6, 'bytes'),
      int64Data: packed(7, 'int64'), name: one(8, 'string'), rawData: one(9, 'bytes'),
      doubleData: packed(10, 'double'), uint64Data: packed(11, 'uint64'), docString: one(12, 'string'),
      externalData: many(13, 'StringStringEntryProto'), dataLocation: one(14, 'int32'),
    },
  },
  Segment: { fields: { begin: one(1, 'int64'), end: one(2, 'int64') } },
  SparseTensorProto: { fields: { values: one(1, 'TensorProto'), indices: one(2, 'TensorProto'), dims: many(3, 'int64') } },
  SequenceProto: {
    fields: {
      name: one(1, 'string'), elemType: one(2, 'int32'), tensorValues: many(3, 'TensorProto'),
      sparseTensorValues: many(4, 'SparseTensorProto'), sequenceValues: many(5, 'SequenceProto'),
      optionalValues: many(7, 'OptionalProto'),
    },
  },
  OptionalProto: {
    fields: {
      name: one(1, 'string'), elemType: one(2, 'int32'), tensorValue: one(3, 'TensorProto'),
      sparseTensorValue: one(4, 'SparseTensorProto'), sequenceValue: one(5, 'SequenceProto'),
      optionalValue: one(7, 'OptionalProto'),
    },
  },
};

const root = protobuf.Root.fromJSON({ nested: { onnx: { nested: messages } } });

/** The reflected message type `name` (e.g. 'ModelProto'), for decoding and encoding. */
export function onnxType(name: keyof typeof messages): protobuf.Type {
  return root.lookupType(`onnx.${name}`);
}

/** protobufjs hands int64 fields out as Long objects when long.js is present, else numbers. */
export type Int64 = number | { toNumber(): number };

export function int64(v: Int64): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** TensorProto.DataLocation: EXTERNAL means the bytes live in a side file. */
export const DATA_LOCATION_EXTERNAL = 1;

// Typed views of decoded messages: only the fields Kiln reads. Unset scalars read as
// defaults, unset messages as null.
export interface ModelProto {
  readonly irVersion: Int64;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: GraphProto | null;
  readonly opsetImport: readonly { readonly domain: string; readonly version: Int64 }[];
}
export interface GraphProto {
  readonly node: readonly NodeProto[];
  readonly name: string;
  readonly initializer: readonly TensorProto[];
  readonly sparseInitializer: readonly unknown[];
  readonly input: readonly ValueInfoProto[];
  readonly output: readonly ValueInfoProto[];
  readonly valueInfo: readonly ValueInfoProto[];
}
export interface NodeProto {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly attribute: readonly AttributeProto[];
}
export interface AttributeProto {
  readonly name: string;
  readonly type: number;
  readonly f: number;
  readonly i: Int64;
  readonly s: Uint8Array;
  readonly t: TensorProto | null;
  readonly g: GraphProto | null;
  readonly floats: readonly number[];
  readonly ints: readonly Int64[];
  readonly strings: readonly Uint8Array[];
  readonly tensors: readonly TensorProto[];
  readonly graphs: readonly GraphProto[];
  readonly sparseTensor: unknown;
  readonly sparseTensors: readonly unknown[];
  readonly tp: unknown;
  readonly typeProtos: readonly unknown[];
  readonly refAttrName: string;
}
export interface ValueInfoProto {
  readonly name: string;
  readonly type: TypeProto | null;
}
export interface TypeProto {
  readonly tensorType: TensorTypeProto | null;
  readonly sequenceType: { readonly elemType: TypeProto | null } | null;
  readonly mapType: unknown;
  readonly sparseTensorType: TensorTypeProto | null;
  readonly optionalType: { readonly elemType: TypeProto | null } | null;
}
export interface TensorTypeProto {
  readonly elemType: number;
  readonly shape: { readonly dim: readonly { readonly dimValue: Int64; readonly dimParam: string }[] } | null;
}
export interface TensorProto {
  readonly dims: readonly Int64[];
  readonly dataType: number;
  readonly segment: unknown;
  readonly floatData: readonly number[];
  readonly int32Data: readonly number[];
  readonly stringData: readonly Uint8Array[];
  readonly int64Data: readonly Int64[];
  readonly name: string;
  readonly rawData: Uint8Array;
  readonly doubleData: readonly number[];
  readonly uint64Data: readonly Int64[];
  readonly externalData: readonly { readonly key: string; readonly value: string }[];
  readonly dataLocation: number;
}

/** True when field `name` was present on the wire (protobufjs keeps defaults on the prototype). */
export function hasField(msg: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, name);
}
