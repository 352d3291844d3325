// ONNX ModelProto bytes -> canonical Graph: initializers and Constant nodes become graph
// constants, inputs keep their declared (possibly symbolic) shapes, nodes go through ONNX_OPS.
import { basename } from 'node:path';
import { FormatError, UnsupportedError, UnsupportedOpsError, withContext } from '../../errors.js';
import { GraphBuilder, type Graph, type ValueInfo } from '../../ir/graph.js';
import type { Dim } from '../../ir/shape.js';
import { inferShapes } from '../../passes/infer-shapes.js';
import { convertAttribute } from './attrs.js';
import { ConvertContext, type OnnxNode } from './context.js';
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

/** A value's type as the model declares it; UnsupportedError for sequences, maps, optionals. */
export function valueInfoFromType(name: string, type: TypeProto | null, where: string): ValueInfo {
  const tt = type?.tensorType;
  if (!tt) {
    const kind = type?.sequenceType ? 'a sequence' : type?.optionalType ? 'an optional'
      : type?.mapType ? 'a map' : type?.sparseTensorType ? 'a sparse tensor' : 'of no declared type';
    throw new UnsupportedError(`${where}: value '${name}' is ${kind}; Kiln handles tensors only`);
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
 * when nodes were added since the last question.
 */
function typeTracker(b: GraphBuilder): (value: string) => ValueInfo | undefined {
  let known: ReadonlyMap<string, ValueInfo> = new Map();
  let nodesSeen = -1;
  return (value) => {
    const g = b.build();
    if (g.nodes.length !== nodesSeen) {
      nodesSeen = g.nodes.length;
      try { known = inferShapes(g).values; } catch { known = g.values; }
    }
    return known.get(value);
  };
}

function readNode(n: NodeProto, index: number): OnnxNode {
  const name = n.name || `${n.opType}_${index}`;
  const attrs = new Map(n.attribute.map((a) => [a.name, convertAttribute(a)]));
  return { name, opType: n.opType, inputs: n.input, outputs: n.output, attrs };
}

export function importOnnx(bytes: Uint8Array, source: string): Graph {
  const model = decodeModel(bytes, source);
  const g = model.graph;
  const opset = defaultOpset(model);
  const b = new GraphBuilder(g.name || basename(source), {
    format: 'onnx', producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || undefined, opset,
  });
  // reserve the model's own names first, so names made up for rewrites never collide with them
  for (const v of [...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name), ...g.node.flatMap((n) => n.output)]) {
    if (v) b.fresh(v);
  }
  if (g.sparseInitializer.length) throw new UnsupportedError(`${source}: sparse initializers are not supported`);
  for (const t of g.initializer) b.addConstant(t.name, tensorFromProto(t, source));
  for (const vi of g.input) {
    if (!b.has(vi.name)) b.addInput(vi.name, valueInfoFromType(vi.name, vi.type, source));
  }

  const typeOf = typeTracker(b);
  const unsupported = new Map<string, string[]>();
  const refuse = (key: string, node: string) => unsupported.set(key, [...(unsupported.get(key) ?? []), node]);
  g.node.forEach((n, i) => {
    const label = n.name || `${n.opType}_${i}`;
    if (!DEFAULT_DOMAINS.has(n.domain)) return refuse(`${n.domain}.${n.opType}`, label);
    const convert = ONNX_OPS[n.opType];
    if (!convert) return refuse(n.opType, label);
    try {
      convert(new ConvertContext(b, opset, readNode(n, i), typeOf));
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw withContext(e, `${source}: node '${label}' (${n.opType})`);
      refuse(`${n.opType} (${e.message})`, label);
    }
  });
  if (unsupported.size) throw new UnsupportedOpsError('ONNX', unsupported);

  for (const vi of g.output) {
    if (!vi.type?.tensorType) valueInfoFromType(vi.name, vi.type, source); // throws for non-tensors
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
