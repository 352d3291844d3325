// The compile API: a model from a path or from bytes in memory (an ONNX or GraphDef buffer, a
// TF.js model.json with its weight shards) -> the graph with shapes fixed -> a .kiln artifact and
// its report. The CLI's `kiln compile` is this plus file writing; an application calls it directly.
import { compile, type CompileOptions, type CompileResult } from '../compile/compile.js';
import { FormatError, InputError } from '../errors.js';
import { applyGiven, loadModel, tfjsModelKind } from '../frontend/load.js';
import type { Graph } from '../ir/graph.js';
import type { Shape } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import type { DType } from '../ir/dtype.js';

/**
 * A model: the path of a model file or of the folder holding a model.json, or its bytes.
 * `name` names it in error messages.
 */
export type ModelSource =
  | string
  | { readonly onnx: Uint8Array; readonly name?: string }
  | { readonly graphdef: Uint8Array; readonly name?: string }
  | {
    /** A TF.js model.json (graph or layers model), parsed or as text. */
    readonly modelJson: object | string;
    /** The weight shards by the paths its weightsManifest lists, e.g. { 'group1-shard1of1.bin': bytes }. */
    readonly shards?: Readonly<Record<string, Uint8Array>>;
    readonly name?: string;
  };

export interface ModelOptions {
  /** Sizes of the symbolic dims of inputs, or whole shapes of TF inputs of unknown rank: { x: [1, 224, 224, 3] }. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Inputs fixed to a value (they become constants; the compiled model no longer takes them). */
  readonly freeze?: Readonly<Record<string, Tensor>>;
}

export interface CompileModelOptions extends ModelOptions, CompileOptions {}

/** A model input or output: its shape may hold symbolic dims (strings) until they are fixed. */
export interface ValueSignature {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

export interface CompiledModel extends CompileResult {
  /** The graph that was compiled (after import, shapes and freezing; before the graph passes). */
  readonly graph: Graph;
}

/** Imports a model into Kiln's graph IR, fixing the given shapes and frozen inputs. */
export async function importModel(source: ModelSource, opts: ModelOptions = {}): Promise<Graph> {
  const given = { shapes: toShapes(opts.shapes), values: { ...opts.freeze } };
  if (typeof source === 'string') return loadModel(source, given);
  if (typeof source !== 'object' || source === null) throw new InputError(`a model source is a path or { onnx }, { graphdef } or { modelJson, shards }, got ${typeof source}`);
  if ('onnx' in source) {
    const { importOnnx } = await import('../frontend/onnx/import.js');
    return applyGiven(importOnnx(source.onnx, source.name ?? 'model.onnx', { shapes: given.shapes, values: given.values }), given, true);
  }
  if ('graphdef' in source) {
    const { importGraphDef } = await import('../frontend/graphdef/import.js');
    return applyGiven(importGraphDef(source.graphdef, source.name ?? 'model.pb', given), given, true);
  }
  if ('modelJson' in source) {
    const name = source.name ?? 'model.json';
    let json: unknown = source.modelJson;
    if (typeof json === 'string') {
      try { json = JSON.parse(json); } catch (e) { throw new FormatError(`${name}: not valid JSON (${(e as Error).message}); expected a TF.js model.json`); }
    }
    const kind = tfjsModelKind(json);
    if (!kind) throw new FormatError(`${name}: not a TF.js model.json (no modelTopology with a graph or a Keras model config)`);
    const shards = source.shards ?? {};
    if (kind === 'graph') {
      const { importTfjsGraphModel } = await import('../frontend/tfjs/import.js');
      return applyGiven(importTfjsGraphModel(json as object, shards, name, given), given, true);
    }
    const { importLayersModel } = await import('../frontend/layers/import.js');
    return applyGiven(importLayersModel(json as object, shards, name), given, true);
  }
  throw new InputError('a model source is a path or { onnx }, { graphdef } or { modelJson, shards }');
}

/** Imports `source` (or takes the graph given) and compiles it to a .kiln artifact; every input dim must end up fixed. */
export async function compileModel(source: ModelSource | Graph, opts: CompileModelOptions = {}): Promise<CompiledModel> {
  const graph = isGraph(source) ? applyGiven(source, { shapes: toShapes(opts.shapes), values: { ...opts.freeze } }, false) : await importModel(source, opts);
  return { ...(await compile(graph, opts)), graph };
}

/** The inputs and outputs of an imported model. */
export function signature(g: Graph): { inputs: ValueSignature[]; outputs: ValueSignature[] } {
  const sig = (name: string) => ({ name, dtype: g.values.get(name)!.dtype, shape: g.values.get(name)!.shape });
  return { inputs: g.inputs.map(sig), outputs: g.outputs.map(sig) };
}

function isGraph(v: unknown): v is Graph {
  return typeof v === 'object' && v !== null && 'nodes' in v && 'values' in v && 'inputs' in v;
}

function toShapes(shapes: ModelOptions['shapes']): Record<string, number[]> {
  return Object.fromEntries(Object.entries(shapes ?? {}).map(([n, s]) => [n, [...s]]));
}
