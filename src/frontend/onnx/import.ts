// ONNX ModelProto bytes -> canonical Graph: initializers and Constant nodes become graph
// constants, inputs keep their declared (possibly symbolic) shapes unless --shape fixes them, nodes
// go through ONNX_OPS; subgraphs are converted the same way, their outer reads made inputs.
import { basename } from 'node:path';
import { FormatError, UnsupportedError, UnsupportedOpsError, withContext } from '../../errors.js';
import { GraphBuilder, type AttrValue, type Graph, type ValueInfo } from '../../ir/graph.js';
import type { Dim } from '../../ir/shape.js';
import type { Tensor } from '../../ir/tensor.js';
import { inferShapes } from '../../passes/infer-shapes.js';
import { checkFrozenValue } from '../load.js';
import { convertAttribute, GRAPH_ATTRIBUTE, TYPE_ATTRIBUTE } from './attrs.js';
import { ConvertContext, type OnnxNode, type SubgraphImport } from './context.js';
import { ONNX_OPS } from './ops.js';
import { hasField, int64, type GraphProto, type ModelProto, type NodeProto, type TypeProto } from './schema.js';
import { decodeMessage, dtypeFromOnnx, tensorFromProto } from './tensor.js';

export { decodeTensorProto } from './tensor.js';

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

/** Decodes ModelProto bytes, with a FormatError for anything that is not a usable model. */
export function decodeModel(bytes: Uint8Array, source: string): ModelProto & { graph: GraphProto } {
  const model = decodeMessage<ModelProto>('ModelProto', bytes, source);
  if (!model.graph) throw new FormatError(`${source}: not an ONNX model (no graph); the file is truncated or corrupt`);
  return model as ModelProto & { graph: GraphProto };
}

/** The opset of the default domain (ONNX says a model without one means opset 1). */
function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => DEFAULT_DOMAINS.has(o.domain));
  return entry ? int64(entry.version) : 1;
}

/** A value's type as the model declares it (tensors, sequences and optionals of them); UnsupportedError for maps. */
export function valueInfoFromType(name: string, type: TypeProto | null, where: string): ValueInfo {
  const container = type?.sequenceType ?? type?.optionalType;
  if (container) {
    const tt = container.elemType?.tensorType;
    const inner: ValueInfo = tt && !tt.shape
      ? { dtype: dtypeFromOnnx(tt.elemType, `${where}: value '${name}'`), shape: [], anyShape: true }
      : valueInfoFromType(name, container.elemType, where);
    const kind = type?.sequenceType ? 'sequence' as const : 'optional' as const;
    return { ...inner, containers: [kind, ...(inner.containers ?? [])] };
  }
  const tt = type?.tensorType;
  if (!tt) {
    const kind = type?.mapType ? 'a map' : type?.sparseTensorType ? 'a sparse tensor' : 'of no declared type';
    throw new UnsupportedError(`${where}: value '${name}' is ${kind}; Kiln handles tensors and sequences and optionals of them`);
  }
  const dtype = dtypeFromOnnx(tt.elemType, `${where}: value '${name}'`);
  if (!tt.shape) throw new UnsupportedError(`${where}: value '${name}' has no declared rank; Kiln needs the rank of every model input`);
  // some exporters write -1 for a dim they do not know: treat it like a missing one
  const shape: Dim[] = tt.shape.dim.map((d, i) =>
    hasField(d, 'dimValue') && int64(d.dimValue) >= 0 ? int64(d.dimValue) : d.dimParam || `${name}_dim${i}`);
  return { dtype, shape };
}

/**
 * Types of values while the graph is being built, for the few rewrites that depend on them
 * (CastLike, legacy broadcasts): inferred over the nodes emitted so far, re-inferred only
 * when nodes or inputs were added since the last question.
 */
function typeTracker(b: GraphBuilder): (value: string) => ValueInfo | undefined {
  let known: ReadonlyMap<string, ValueInfo> = new Map();
  let seen = '';
  return (value) => {
    const g = b.build();
    // a subgraph's inputs grow as it captures outer values: those count as a change too
    const now = `${g.nodes.length}/${g.inputs.length}`;
    if (now !== seen) {
      seen = now;
      try { known = inferShapes(g).values; } catch { known = g.values; }
    }
    return known.get(value);
  };
}

function readNode(n: NodeProto, index: number): OnnxNode {
  const name = n.name || `${n.opType}_${index}`;
  const graphs = new Map<string, GraphProto>();
  const types = new Map<string, TypeProto>();
  const attrs = new Map<string, AttrValue>();
  for (const a of n.attribute) {
    if (a.g && (a.type === GRAPH_ATTRIBUTE || !a.type)) graphs.set(a.name, a.g);
    else if (a.tp && a.type === TYPE_ATTRIBUTE) types.set(a.name, a.tp as TypeProto);
    else attrs.set(a.name, convertAttribute(a));
  }
  return { name, opType: n.opType, inputs: n.input, outputs: n.output, attrs, graphs, types };
}

/**
 * A graph being converted and the graphs around it: a subgraph that reads an outer value by name
 * (ONNX's implicit capture) gets it as an extra input, through every graph in between, and the
 * node holding the subgraph passes it in (src/ir/graph.ts, subgraphsOf).
 */
class GraphScope {
  /** Outer values this graph reads, in the order its extra inputs take them. */
  readonly captured: string[] = [];
  readonly typeOf: (value: string) => ValueInfo | undefined;

  constructor(readonly b: GraphBuilder, readonly parent?: GraphScope) {
    this.typeOf = typeTracker(b);
  }

  /** Makes `name` readable here: an outer value becomes an input of this graph. */
  reach(name: string): void {
    if (!name || this.b.has(name) || !this.parent) return;
    this.parent.reach(name);
    const info = this.parent.typeOf(name);
    if (!info) return; // undefined everywhere: the verifier names it
    this.b.addInput(name, info);
    this.captured.push(name);
  }
}

/** Converts a GraphProto's initializers and nodes into `scope`'s builder; unsupported nodes go to `refuse`. */
function convertGraph(g: GraphProto, scope: GraphScope, opset: number, source: string,
  refuse: (key: string, node: string) => void): void {
  const { b } = scope;
  // reserve the model's own names first, so names made up for rewrites never collide with them
  for (const v of [...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name), ...g.node.flatMap((n) => n.output)]) {
    if (v && !b.has(v)) b.fresh(v);
  }
  if (g.sparseInitializer.length) throw new UnsupportedError(`${source}: sparse initializers are not supported`);
  for (const t of g.initializer) b.addConstant(t.name, tensorFromProto(t, source));
  const importSubgraph = (sub: GraphProto, formal: readonly (ValueInfo | undefined)[]): SubgraphImport => {
    const inner = new GraphScope(new GraphBuilder(sub.name || 'subgraph', b.meta), scope);
    sub.input.forEach((vi, i) => inner.b.addInput(vi.name, formal[i] ?? valueInfoFromType(vi.name, vi.type, source)));
    convertGraph(sub, inner, opset, source, refuse);
    sub.output.forEach((o) => inner.reach(o.name));
    inner.b.setOutputs(sub.output.map((o) => o.name));
    return { graph: inner.b.build(), captured: inner.captured };
  };
  g.node.forEach((n, i) => {
    const label = n.name || `${n.opType}_${i}`;
    if (!DEFAULT_DOMAINS.has(n.domain)) return refuse(`${n.domain}.${n.opType}`, label);
    const convert = ONNX_OPS[n.opType];
    if (!convert) return refuse(n.opType, label);
    try {
      n.input.forEach((v) => scope.reach(v));
      convert(new ConvertContext(b, opset, readNode(n, i), scope.typeOf, { importSubgraph, reach: (v) => scope.reach(v) }));
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw withContext(e, `${source}: node '${label}' (${n.opType})`);
      refuse(`${n.opType} (${e.message})`, label);
    }
  });
}

export interface OnnxImportOptions {
  /**
   * Shapes of inputs (--shape), applied to their symbolic dims before conversion, so an If that
   * tests a dim (exporters branch on it, with branches of different ranks) is decided at import.
   * Whether a shape agrees with the model is checked after import (withInputShapes).
   */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Inputs frozen to values (--freeze): constants from the start, so an If on them keeps only its branch. */
  readonly values?: Readonly<Record<string, Tensor>>;
}

export function importOnnx(bytes: Uint8Array, source: string, opts: OnnxImportOptions = {}): Graph {
  const model = decodeModel(bytes, source);
  const g = model.graph;
  const opset = defaultOpset(model);
  const b = new GraphBuilder(g.name || basename(source), {
    format: 'onnx', producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || undefined, opset,
  });
  const initializers = new Set(g.initializer.map((t) => t.name));
  for (const vi of g.input) {
    if (initializers.has(vi.name)) continue;
    const declared = valueInfoFromType(vi.name, vi.type, source), given = opts.shapes?.[vi.name];
    const fits = given && given.length === declared.shape.length && declared.shape.every((d, i) => typeof d !== 'number' || d === given[i]);
    b.addInput(vi.name, fits && !declared.containers ? { ...declared, shape: given } : declared);
  }
  if (opts.values && Object.keys(opts.values).length) {
    const declared = b.build();
    for (const [name, t] of Object.entries(opts.values)) checkFrozenValue(declared, name, t);
    b.freeze(opts.values);
  }
  const unsupported = new Map<string, string[]>();
  const refuse = (key: string, node: string) => unsupported.set(key, [...(unsupported.get(key) ?? []), node]);
  convertGraph(g, new GraphScope(b), opset, source, refuse);
  if (unsupported.size) throw new UnsupportedOpsError('ONNX', unsupported);

  for (const vi of g.output) {
    if (!vi.type?.tensorType) valueInfoFromType(vi.name, vi.type, source); // throws for maps
  }
  const outputs = g.output.map((o) => o.name);
  const twice = outputs.find((o, i) => outputs.indexOf(o) !== i);
  if (twice !== undefined) throw new FormatError(`${source}: graph output '${twice}' is listed twice; the file is corrupt`);
  const undefinedOutput = outputs.find((o) => !b.has(o));
  if (undefinedOutput !== undefined) throw new FormatError(`${source}: graph output '${undefinedOutput}' is not produced by any node, input or initializer`);
  b.setOutputs(outputs);
  try {
    return inferShapes(b.build());
  } catch (e) {
    throw withContext(e, source);
  }
}
