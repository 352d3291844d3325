// ONNX AttributeProto -> Kiln attribute values, and ONNX element-type codes -> dtype names.
import { FormatError, UnsupportedError } from '../../errors.js';
import type { AttrValue } from '../../ir/graph.js';
import type { DType } from '../../ir/dtype.js';
import { hasField, int64, type AttributeProto } from './schema.js';
import { dtypeFromOnnx, tensorFromProto } from './tensor.js';

// AttributeProto.AttributeType numbers
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8;
/** The attribute kinds the importer reads itself: subgraphs and types (Optional's). */
export const GRAPH_ATTRIBUTE = GRAPH, TYPE_ATTRIBUTE = 13;
const KIND_NAMES: Readonly<Record<number, string>> = {
  5: 'graph', 9: 'tensor list', 10: 'graph list', 11: 'sparse tensor', 12: 'sparse tensor list',
  13: 'type', 14: 'type list',
};

/** IR version 1 files have no type field: tell the kind from which field is set. */
function kindOf(a: AttributeProto): number {
  if (a.type) return a.type;
  if (a.floats.length) return FLOATS;
  if (a.ints.length) return INTS;
  if (a.strings.length) return STRINGS;
  if (a.t) return TENSOR;
  if (a.g) return GRAPH;
  if (hasField(a, 's')) return STRING;
  if (hasField(a, 'f')) return FLOAT;
  if (hasField(a, 'i')) return INT;
  return 0;
}

const utf8 = new TextDecoder();
/** An unset bytes field decodes as an empty value (protobufjs leaves it an empty array). */
const bytesToString = (b: Uint8Array | readonly number[] | undefined): string => (b && b.length ? utf8.decode(b as Uint8Array) : '');

/** Converts one attribute; UnsupportedError for graphs, sparse tensors and type attributes. */
export function convertAttribute(a: AttributeProto): AttrValue {
  if (a.refAttrName) throw new UnsupportedError(`attribute '${a.name}' refers to a function attribute`);
  const kind = kindOf(a);
  switch (kind) {
    case FLOAT: return a.f;
    case INT: return int64(a.i);
    case STRING: return bytesToString(a.s);
    case TENSOR:
      if (!a.t) throw new FormatError(`attribute '${a.name}' is a tensor attribute without its tensor; the file is corrupt`);
      return tensorFromProto(a.t, `attribute '${a.name}'`);
    case FLOATS: return [...a.floats];
    case INTS: return a.ints.map(int64);
    case STRINGS: return a.strings.map(bytesToString);
    default:
      throw new UnsupportedError(`attribute '${a.name}' is a ${KIND_NAMES[kind] ?? `kind ${kind}`} attribute`);
  }
}

/** Element-type names as written by opset-1 Cast ('FLOAT', 'INT64', ...). */
const LEGACY_TYPE_NAMES: Readonly<Record<string, DType>> = {
  FLOAT: 'float32', FLOAT16: 'float16', DOUBLE: 'float64', INT8: 'int8', INT16: 'int16',
  INT32: 'int32', INT64: 'int64', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32',
  UINT64: 'uint64', BOOL: 'bool', STRING: 'string',
};

/** A dtype-valued attribute (an ONNX DataType number, or a legacy type name) as a Kiln dtype name. */
export function dtypeAttribute(v: AttrValue, where: string): DType {
  if (typeof v === 'number') return dtypeFromOnnx(v, where);
  if (typeof v === 'string' && LEGACY_TYPE_NAMES[v.toUpperCase()]) return LEGACY_TYPE_NAMES[v.toUpperCase()];
  throw new UnsupportedError(`${where}: type attribute ${JSON.stringify(v)} is not a type Kiln holds`);
}
