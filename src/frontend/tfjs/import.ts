// TF.js graph models (model.json with a GraphDef topology and binary weight shards) -> Graph.
// Const values come from the weights manifest; inputs and outputs from the signature if any.
import { basename, dirname } from 'node:path';
import { FormatError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { convertTfGraph, type TfImportOptions } from '../tf/convert.js';
import type { TfNodeJson, TfShapeJson } from '../tf/node.js';
import { decodeTfTensor } from '../tf/tensor.js';
import { Tensor } from '../../ir/tensor.js';
import { loadTfjsWeights, type ShardSource, type WeightsManifest } from './weights.js';

interface SignatureEntry {
  readonly name?: string;
  readonly tensorShape?: TfShapeJson;
}

export interface TfjsGraphModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string;
  readonly modelTopology?: {
    readonly node?: readonly TfNodeJson[];
    readonly library?: { readonly function?: readonly { readonly signature?: { readonly name?: string } }[] };
  };
  readonly weightsManifest?: WeightsManifest;
  readonly signature?: {
    readonly inputs?: Readonly<Record<string, SignatureEntry>>;
    readonly outputs?: Readonly<Record<string, SignatureEntry>>;
  };
}

/**
 * Imports a TF.js graph model; `dir` holds the weight shards, `source` names the model.json in
 * messages; `given` supplies shapes of inputs of unknown rank and values of frozen inputs.
 */
export function importTfjsGraphModel(modelJson: object, dir: ShardSource, source: string, given?: TfImportOptions): Graph {
  const model = modelJson as TfjsGraphModelJson;
  const nodes = model.modelTopology?.node;
  if (!Array.isArray(nodes)) {
    throw new FormatError(`${source}: no modelTopology.node list; this is not a TF.js graph model (a layers model needs importLayersModel)`);
  }
  const weights = loadTfjsWeights(model.weightsManifest ?? [], dir, source);
  const sig = model.signature;
  for (const [part, entries] of [['inputs', sig?.inputs], ['outputs', sig?.outputs]] as const) {
    if (entries === undefined) continue;
    const bad = typeof entries !== 'object' || entries === null ? part
      : Object.entries(entries).find(([, e]) => typeof e !== 'object' || e === null || (e.name !== undefined && typeof e.name !== 'string'))?.[0];
    if (bad !== undefined) throw new FormatError(`${source}: signature ${part} entry '${bad}' is malformed (an object with a string 'name' is expected)`);
  }
  const refs = (entries: Readonly<Record<string, SignatureEntry>> | undefined) =>
    entries && Object.keys(entries).length ? Object.entries(entries).map(([key, e]) => e.name ?? key) : undefined;
  const inputShapes = new Map(Object.entries(sig?.inputs ?? {})
    .filter(([, e]) => e.tensorShape)
    .map(([key, e]) => [(e.name ?? key).replace(/:0$/, ''), e.tensorShape!]));
  const functions = new Set((model.modelTopology?.library?.function ?? []).map((f) => f.signature?.name ?? ''));

  return convertTfGraph({
    format: 'tfjs-graph', source, name: modelName(source),
    producer: model.convertedBy ?? model.generatedBy ?? undefined,
    nodes, int64As: 'int32', float64As: 'float32', inputs: refs(sig?.inputs), outputs: refs(sig?.outputs), inputShapes, functions, given,
    constant: (node) => {
      const w = weights.get(node.name);
      if (w) return w;
      const t = node.attrs.tensor('value');
      if (t && (t.tensorContent !== undefined || t.floatVal || t.intVal || t.boolVal || t.stringVal)) {
        const v = decodeTfTensor(t, `${source}: ${node.where}`);
        return v.dtype === 'float64' ? Tensor.from('float32', v.shape, v.numbers) : v;
      }
      throw new FormatError(`${source}: constant '${node.name}' is not in the weights manifest; the model.json and its shards do not match`);
    },
  });
}

/** 'models/selfie.json' -> 'selfie'; 'mobilenet/model.json' -> 'mobilenet'. */
function modelName(source: string): string {
  const base = basename(source, '.json');
  return base === 'model' ? basename(dirname(source)) : base;
}
