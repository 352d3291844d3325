// TensorFlow NodeDefs in one normalised form, whichever container they came from: a TF.js
// model.json (the proto3 JSON mapping of GraphDef) or a binary GraphDef decoded into the same
// object shape. Attributes are read through typed getters that accept both encodings.
import { FormatError, UnsupportedError } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import type { Dim } from '../../ir/shape.js';

/** Bytes: base64 text in JSON, raw bytes from protobuf. */
export type TfBytes = string | Uint8Array;
/** int64: decimal text in JSON (and from protobufjs with longs as strings), else a number. */
export type TfInt = string | number;

export interface TfShapeJson {
  readonly dim?: readonly { readonly size?: TfInt; readonly name?: string }[];
  readonly unknownRank?: boolean;
}

export interface TfTensorJson {
  readonly dtype?: string;
  readonly tensorShape?: TfShapeJson;
  readonly tensorContent?: TfBytes;
  readonly floatVal?: readonly (number | string)[];
  readonly doubleVal?: readonly (number | string)[];
  readonly intVal?: readonly number[];
  readonly int64Val?: readonly TfInt[];
  readonly uint32Val?: readonly number[];
  readonly uint64Val?: readonly TfInt[];
  readonly boolVal?: readonly boolean[];
  readonly halfVal?: readonly number[];
  readonly stringVal?: readonly TfBytes[];
}

export interface TfListJson {
  readonly s?: readonly TfBytes[];
  readonly i?: readonly TfInt[];
  readonly f?: readonly (number | string)[];
  readonly b?: readonly boolean[];
  readonly type?: readonly string[];
  readonly shape?: readonly TfShapeJson[];
  readonly tensor?: readonly TfTensorJson[];
}

export interface TfAttrJson {
  readonly list?: TfListJson;
  readonly s?: TfBytes;
  readonly i?: TfInt;
  readonly f?: number | string;
  readonly b?: boolean;
  readonly type?: string;
  readonly shape?: TfShapeJson;
  readonly tensor?: TfTensorJson;
  readonly func?: { readonly name?: string };
  readonly placeholder?: string;
}

export interface TfNodeJson {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly device?: string;
  readonly attr?: Readonly<Record<string, TfAttrJson>>;
}

/** One output of a node: 'name' is output 0, 'name:1' output 1. */
export interface TfRef {
  readonly node: string;
  readonly index: number;
}

export function parseRef(ref: string): TfRef {
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]) } : { node: ref, index: 0 };
}

export function refName(r: TfRef): string {
  return r.index === 0 ? r.node : `${r.node}:${r.index}`;
}

const TF_DTYPES: Readonly<Record<string, DType>> = {
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16',
  DT_INT8: 'int8', DT_INT16: 'int16', DT_INT32: 'int32', DT_INT64: 'int64',
  DT_UINT8: 'uint8', DT_UINT16: 'uint16', DT_UINT32: 'uint32', DT_UINT64: 'uint64',
  DT_BOOL: 'bool', DT_STRING: 'string',
};

/** The Kiln dtype of a TF DataType name, or undefined for types Kiln lacks (bfloat16, complex, ...). */
export function tfDType(name: string): DType | undefined {
  return TF_DTYPES[name];
}

const textDecoder = new TextDecoder();

export function bytesOf(b: TfBytes): Uint8Array {
  return typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'base64')) : b;
}

function textOf(b: TfBytes): string {
  if (typeof b !== 'string' && !(b instanceof Uint8Array)) throw new FormatError(`a string attribute holds ${kindOf(b)}, not bytes`);
  return textDecoder.decode(bytesOf(b));
}

/** A JSON value's kind, for messages (never its raw text). */
function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'number' && !Number.isFinite(v) ? 'a non-finite number' : `a ${typeof v}`;
}

/** An int64 attribute value: a whole number, or its decimal text (proto3 JSON). */
function intOf(v: TfInt | undefined): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new FormatError(`an integer attribute holds ${typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' ? 'text' : kindOf(v)} that is not a whole number`);
  return n;
}

function floatOf(v: number | string | undefined): number {
  if (v === undefined) return 0;
  // proto3 JSON writes non-finite floats as "NaN", "Infinity", "-Infinity"
  if (typeof v === 'number' || (typeof v === 'string' && /^(-?Infinity|NaN|[-+0-9.eE]+)$/.test(v))) {
    const n = Number(v);
    if (!Number.isNaN(n) || v === 'NaN' || Number.isNaN(v)) return n;
  }
  throw new FormatError(`a float attribute holds ${typeof v === 'string' ? 'text' : kindOf(v)} that is not a number`);
}

/** A list field of an attribute, checked to be a list. */
function listOf<T>(v: readonly T[] | undefined): readonly T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new FormatError(`a list attribute holds ${kindOf(v)}, not a list`);
  return v;
}

/** Static dims of a TensorShapeProto; -1 (unknown) dims become symbols named by `symbol`. */
export function dimsOf(s: TfShapeJson | undefined, symbol: (i: number) => Dim): Dim[] | undefined {
  if (!s || s.unknownRank) return undefined;
  return (s.dim ?? []).map((d, i) => {
    const n = intOf(d.size);
    return n < 0 ? symbol(i) : n;
  });
}

/** A node's attributes with typed getters; missing ones take the given default or raise a FormatError. */
export class TfAttrs {
  constructor(private readonly raw: Readonly<Record<string, TfAttrJson>>, private readonly where: string,
    private readonly int64As: DType, private readonly float64As: DType = 'float64') {}

  int(name: string, dflt?: number): number {
    return this.get(name, dflt, (a) => intOf(a.i));
  }
  float(name: string, dflt?: number): number {
    return this.get(name, dflt, (a) => floatOf(a.f));
  }

  bool(name: string, dflt?: boolean): boolean {
    return this.get(name, dflt, (a) => a.b === true);
  }
  str(name: string, dflt?: string): string {
    return this.get(name, dflt, (a) => (a.s === undefined ? '' : textOf(a.s)));
  }
  ints(name: string, dflt?: readonly number[]): number[] {
    return this.get(name, dflt && [...dflt], (a) => listOf(a.list?.i).map(intOf));
  }
  strs(name: string, dflt?: readonly string[]): string[] {
    return this.get(name, dflt && [...dflt], (a) => listOf(a.list?.s).map(textOf));
  }
  /** A type attribute as a Kiln dtype; 64-bit types may be narrowed (TF.js computes int64 as int32, float64 as float32). */
  type(name: string, dflt?: DType): DType {
    return this.get(name, dflt, (a) => {
      const d = tfDType(a.type ?? 'DT_INVALID');
      if (!d && typeof a.type !== 'string') throw new FormatError(`${this.where}: attribute '${name}' holds no data type`);
      if (!d) throw new UnsupportedError(`${this.where}: attribute '${name}' has data type ${a.type}, which Kiln does not support`);
      return d === 'int64' ? this.int64As : d === 'float64' ? this.float64As : d;
    });
  }
  shape(name: string): TfShapeJson | undefined {
    return this.raw[name]?.shape;
  }
  tensor(name: string): TfTensorJson | undefined {
    return this.raw[name]?.tensor;
  }

  private get<T>(name: string, dflt: T | undefined, read: (a: TfAttrJson) => T): T {
    const a = this.raw[name];
    if (a !== undefined) {
      if (typeof a !== 'object' || a === null) throw new FormatError(`${this.where}: attribute '${name}' holds ${kindOf(a)}, not an attribute object`);
      try {
        return read(a);
      } catch (e) {
        // the converter's context adds the node
        if (e instanceof FormatError) e.message = `attribute '${name}': ${e.message}`;
        throw e;
      }
    }
    if (dflt !== undefined) return dflt;
    throw new FormatError(`${this.where}: required attribute '${name}' is missing; the model file is malformed`);
  }
}

/** A NodeDef with its data inputs parsed and control inputs ('^name') separated. */
export class TfNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly TfRef[];
  readonly controlInputs: readonly string[];
  readonly attrs: TfAttrs;

  constructor(json: TfNodeJson, int64As: DType, float64As: DType = 'float64') {
    if (typeof json?.name !== 'string' || typeof json.op !== 'string') {
      throw new FormatError(`a node lacks a name or op: ${(JSON.stringify(json) ?? String(json)).slice(0, 80)}`);
    }
    this.name = json.name;
    this.op = json.op;
    const inputs = json.input ?? [];
    if (!Array.isArray(inputs) || inputs.some((s) => typeof s !== 'string')) {
      throw new FormatError(`node '${json.name}' (${json.op}): 'input' should be a list of strings, the model gives ${kindOf(inputs)}${Array.isArray(inputs) ? ' holding a non-string' : ''}`);
    }
    if (json.attr !== undefined && (typeof json.attr !== 'object' || json.attr === null || Array.isArray(json.attr))) {
      throw new FormatError(`node '${json.name}' (${json.op}): 'attr' should be an object, the model gives ${kindOf(json.attr)}`);
    }
    this.inputs = inputs.filter((s) => !s.startsWith('^')).map(parseRef);
    this.controlInputs = inputs.filter((s) => s.startsWith('^')).map((s) => s.slice(1));
    this.attrs = new TfAttrs(json.attr ?? {}, `node '${json.name}' (${json.op})`, int64As, float64As);
  }

  get where(): string {
    return `node '${this.name}' (${this.op})`;
  }
}
