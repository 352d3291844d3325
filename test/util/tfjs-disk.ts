// TF.js model artifacts read from disk (model.json + shards): TF.js without tfjs-node has no
// file:// loader, and the tests, the demo and the benchmark all run TF.js as the peer engine.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface ModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string;
  readonly modelTopology: object;
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: tf.io.WeightsManifestEntry[] }[];
  readonly signature?: object;
  readonly userDefinedMetadata?: { [key: string]: object };
}

/** The artifacts TF.js's loaders take, and whether the model is a graph (not a layers) model. */
export function tfjsArtifactsFromDisk(modelJsonPath: string): { artifacts: tf.io.ModelArtifacts; isGraph: boolean } {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  const dir = dirname(modelJsonPath);
  const bytes = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy,
    convertedBy: json.convertedBy, signature: json.signature, userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
  const isGraph = json.format === 'graph-model' || Array.isArray((json.modelTopology as { node?: unknown }).node);
  return { artifacts, isGraph };
}

/** An IOHandler serving those artifacts. */
export function tfjsDiskHandler(modelJsonPath: string): tf.io.IOHandler {
  const { artifacts } = tfjsArtifactsFromDisk(modelJsonPath);
  return { load: async () => artifacts };
}
