// The subset of TensorFlow's GraphDef protobuf schema Kiln reads and writes, as a protobufjs
// reflection root built from a JSON descriptor (field numbers from TF's graph.proto, node_def.proto,
// attr_value.proto, tensor.proto, tensor_shape.proto, types.proto). Field names follow the proto3
// JSON mapping, so decoded messages have the same shape as a TF.js model.json topology.
import protobuf from 'protobufjs';

type FieldJson = { type: string; id: number; rule?: 'repeated'; keyType?: string; options?: { packed: boolean } };
const one = (id: number, type: string): FieldJson => ({ type, id });
const many = (id: number, type: string): FieldJson => ({ type, id, rule: 'repeated' });
/** Repeated scalars, which proto3 packs. */
const packed = (id: number, type: string): FieldJson => ({ type, id, rule: 'repeated', options: { packed: true } });
const map = (id: number, type: string): FieldJson => ({ type, id, keyType: 'string' });

const DATA_TYPES = [
  'DT_INVALID', 'DT_FLOAT', 'DT_DOUBLE', 'DT_INT32', 'DT_UINT8', 'DT_INT16', 'DT_INT8', 'DT_STRING',
  'DT_COMPLEX64', 'DT_INT64', 'DT_BOOL', 'DT_QINT8', 'DT_QUINT8', 'DT_QINT32', 'DT_BFLOAT16', 'DT_QINT16',
  'DT_QUINT16', 'DT_UINT16', 'DT_COMPLEX128', 'DT_HALF', 'DT_RESOURCE', 'DT_VARIANT', 'DT_UINT32', 'DT_UINT64',
];

const descriptor = {
  nested: {
    tensorflow: {
      nested: {
        DataType: { values: Object.fromEntries(DATA_TYPES.map((name, i) => [name, i])) },
        GraphDef: {
          fields: {
            node: many(1, 'NodeDef'), library: one(2, 'FunctionDefLibrary'), version: one(3, 'int32'),
            versions: one(4, 'VersionDef'),
          },
        },
        VersionDef: { fields: { producer: one(1, 'int32'), minConsumer: one(2, 'int32'), badConsumers: packed(3, 'int32') } },
        FunctionDefLibrary: { fields: { function: many(1, 'FunctionDef') } },
        FunctionDef: { fields: { signature: one(1, 'OpDef') } },
        OpDef: { fields: { name: one(1, 'string') } },
        NodeDef: {
          fields: {
            name: one(1, 'string'), op: one(2, 'string'), input: many(3, 'string'), device: one(4, 'string'),
            attr: map(5, 'AttrValue'),
          },
        },
        AttrValue: {
          oneofs: { value: { oneof: ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'placeholder', 'func'] } },
          fields: {
            list: one(1, 'ListValue'), s: one(2, 'bytes'), i: one(3, 'int64'), f: one(4, 'float'), b: one(5, 'bool'),
            type: one(6, 'DataType'), shape: one(7, 'TensorShapeProto'), tensor: one(8, 'TensorProto'),
            placeholder: one(9, 'string'), func: one(10, 'NameAttrList'),
          },
        },
        ListValue: {
          fields: {
            s: many(2, 'bytes'), i: packed(3, 'int64'), f: packed(4, 'float'), b: packed(5, 'bool'),
            type: packed(6, 'DataType'), shape: many(7, 'TensorShapeProto'), tensor: many(8, 'TensorProto'),
            func: many(9, 'NameAttrList'),
          },
        },
        NameAttrList: { fields: { name: one(1, 'string'), attr: map(2, 'AttrValue') } },
        TensorShapeProto: { fields: { dim: many(2, 'Dim'), unknownRank: one(3, 'bool') } },
        Dim: { fields: { size: one(1, 'int64'), name: one(2, 'string') } },
        TensorProto: {
          fields: {
            dtype: one(1, 'DataType'), tensorShape: one(2, 'TensorShapeProto'), versionNumber: one(3, 'int32'),
            tensorContent: one(4, 'bytes'), floatVal: packed(5, 'float'), doubleVal: packed(6, 'double'),
            intVal: packed(7, 'int32'), stringVal: many(8, 'bytes'), int64Val: packed(10, 'int64'),
            boolVal: packed(11, 'bool'), halfVal: packed(13, 'int32'), uint32Val: packed(16, 'uint32'),
            uint64Val: packed(17, 'uint64'),
          },
        },
      },
    },
  },
};

export const GraphDefMessage = protobuf.Root.fromJSON(descriptor).lookupType('tensorflow.GraphDef');

/** How decoded messages become plain objects: int64 as decimal text and enums by name, as in JSON. */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String };
