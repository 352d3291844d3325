// Test helpers for the layers frontend: TF.js as the oracle. Loads models into TF.js from disk or
// from TF.js's own save artifacts, and hands the same artifacts to Kiln's importer.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { agreement, type Agreement } from '../util/agreement.js';
import { tfjsDiskHandler } from '../util/tfjs-disk.js';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { importLayersModel } from '../../src/frontend/layers/import.js';
import { execute } from '../../src/reference/execute.js';

/** Loads a layers model.json and its shards from disk into TF.js. */
export async function tfjsLoadFromDisk(modelJsonPath: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tfjsDiskHandler(modelJsonPath));
}

/** Saves a TF.js model as model.json + one shard in a fresh temp dir; returns the model.json path. */
export async function saveToDisk(model: tf.LayersModel): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-layers-'));
  await model.save(tf.io.withSaveHandler(async (art) => {
    const data = art.weightData instanceof ArrayBuffer ? art.weightData : new ArrayBuffer(0);
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(data));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: art.format, generatedBy: art.generatedBy, modelTopology: art.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs ?? [] }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

export function importFromDisk(modelJsonPath: string): Graph {
  return importLayersModel(JSON.parse(readFileSync(modelJsonPath, 'utf8')), dirname(modelJsonPath), modelJsonPath);
}

/** Kiln's output against TF.js's. */
export function compare(kiln: Tensor, expected: tf.Tensor): Agreement {
  return agreement(kiln.numbers, expected.dataSync() as Float32Array);
}

/** Runs the graph in Kiln and the model in TF.js on the same feeds (in model input order). */
export function runBoth(g: Graph, model: tf.LayersModel, feeds: readonly Tensor[]): { kiln: Tensor[]; tfjs: tf.Tensor[] } {
  const outs = execute(g, Object.fromEntries(g.inputs.map((name, i) => [name, feeds[i]])));
  const tfFeeds = feeds.map((t) => tf.tensor(t.numbers as Float32Array, [...t.shape], 'float32'));
  const pred = model.predict(tfFeeds.length === 1 ? tfFeeds[0] : tfFeeds);
  return { kiln: g.outputs.map((o) => outs.get(o)!), tfjs: Array.isArray(pred) ? pred : [pred] };
}
