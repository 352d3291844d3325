// Encodes a one-node ONNX model, so a kernel can be checked against onnxruntime-node on
// attribute variants and shapes the conformance cases lack. See onnx-ort.ts to run it.
import type { DType } from '../../src/ir/dtype.js';
import type { Dim } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { onnxType } from '../../src/frontend/onnx/schema.js';
import { ONNX_DTYPE, tensorToProto } from '../../src/frontend/onnx/tensor.js';

/** A float attribute whose value happens to be integral (plain numbers that are integers encode as INT). */
export class FloatAttr { constructor(readonly value: number) {} }
/** A list of floats, for lists whose values are all integral. */
export class FloatsAttr { constructor(readonly values: readonly number[]) {} }
export const float = (v: number) => new FloatAttr(v);
export const floats = (v: readonly number[]) => new FloatsAttr(v);
/** An element-type attribute (Cast.to, EyeLike.dtype) given as a Kiln dtype name. */
export class DTypeAttr { constructor(readonly dtype: DType) {} }
export const dtype = (d: DType) => new DTypeAttr(d);

/** A subgraph attribute (If's branches, Loop's body): nodes reading their inputs or outer values by name. */
export class GraphAttr { constructor(readonly spec: SubgraphSpec) {} }
export const graph = (spec: SubgraphSpec) => new GraphAttr(spec);
export type OnnxAttr = number | string | readonly number[] | readonly string[] | Tensor | FloatAttr | FloatsAttr | DTypeAttr | GraphAttr;

export interface ValueSpec {
  readonly name: string;
  readonly dtype: DType;
  /** Static or symbolic (string) dims; omit for an output whose shape ORT should infer. */
  readonly shape?: readonly Dim[];
}

export interface NodeModelSpec {
  readonly op: string;
  /** Graph inputs feeding the node, in node-input order unless `nodeInputs` says otherwise. */
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
  /** Constant node inputs, stored as initializers (e.g. Reshape's shape, Conv's weights). */
  readonly initializers?: Readonly<Record<string, Tensor>>;
  /**
   * The node's input names in order, '' for an omitted optional input. Defaults to the
   * graph inputs followed by the initializers.
   */
  readonly nodeInputs?: readonly string[];
  /** Default-domain opset; defaults to 21. */
  readonly opset?: number;
  readonly domain?: string;
}

// AttributeProto.AttributeType numbers
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function attributeProto(name: string, v: OnnxAttr): object {
  const enc = new TextEncoder();
  if (v instanceof FloatAttr) return { name, type: ATTR_TYPE.FLOAT, f: v.value };
  if (v instanceof FloatsAttr) return { name, type: ATTR_TYPE.FLOATS, floats: [...v.values] };
  if (v instanceof DTypeAttr) return { name, type: ATTR_TYPE.INT, i: ONNX_DTYPE[v.dtype] };
  if (v instanceof Tensor) return { name, type: ATTR_TYPE.TENSOR, t: tensorToProto(v) };
  if (v instanceof GraphAttr) return { name, type: ATTR_TYPE.GRAPH, g: graphProto(name, v.spec) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: ATTR_TYPE.INT, i: v } : { name, type: ATTR_TYPE.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: enc.encode(v) };
  if (v.length && typeof v[0] === 'string') return { name, type: ATTR_TYPE.STRINGS, strings: (v as readonly string[]).map((s) => enc.encode(s)) };
  const nums = v as readonly number[];
  return nums.every(Number.isInteger) ? { name, type: ATTR_TYPE.INTS, ints: [...nums] } : { name, type: ATTR_TYPE.FLOATS, floats: [...nums] };
}

function valueInfoProto(v: ValueSpec): object {
  const shape = v.shape && { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name: v.name, type: { tensorType: { elemType: ONNX_DTYPE[v.dtype], ...(shape ? { shape } : {}) } } };
}

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
  readonly name?: string;
  readonly domain?: string;
}

export interface GraphModelSpec {
  readonly nodes: readonly NodeSpec[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly initializers?: Readonly<Record<string, Tensor>>;
  /** Default-domain opset; defaults to 21. */
  readonly opset?: number;
  /** Other domains the nodes use, with their versions. */
  readonly domains?: Readonly<Record<string, number>>;
}

export type SubgraphSpec = Pick<GraphModelSpec, 'nodes' | 'inputs' | 'outputs' | 'initializers'>;

/** A GraphProto; node names default to `op_i`, prefixed by the graph's name in a subgraph. */
function graphProto(name: string, spec: SubgraphSpec, prefix = `${name}/`): object {
  return {
    name,
    node: spec.nodes.map((n, i) => ({
      name: n.name ?? `${prefix}${n.op}_${i}`, opType: n.op, domain: n.domain ?? '', input: n.inputs, output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attributeProto(k, v)),
    })),
    initializer: Object.entries(spec.initializers ?? {}).map(([n, t]) => tensorToProto(t, n)),
    input: spec.inputs.map(valueInfoProto),
    output: spec.outputs.map(valueInfoProto),
  };
}

/** A serialized ModelProto with a graph of several nodes. */
export function buildGraphModel(spec: GraphModelSpec): Uint8Array {
  const model = {
    irVersion: 9, producerName: 'kiln-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 21 },
      ...Object.entries(spec.domains ?? {}).map(([domain, version]) => ({ domain, version }))],
    graph: graphProto('test_model', spec, ''),
  };
  const type = onnxType('ModelProto');
  return type.encode(type.fromObject(model)).finish();
}

/** A serialized ModelProto holding one node. */
export function buildNodeModel(spec: NodeModelSpec): Uint8Array {
  const inits = spec.initializers ?? {};
  return buildGraphModel({
    nodes: [{
      op: spec.op, domain: spec.domain, attrs: spec.attrs,
      inputs: spec.nodeInputs ?? [...spec.inputs.map((i) => i.name), ...Object.keys(inits)],
      outputs: spec.outputs.map((o) => o.name),
    }],
    inputs: spec.inputs, outputs: spec.outputs, initializers: inits, opset: spec.opset,
    domains: spec.domain ? { [spec.domain]: 1 } : {},
  });
}
