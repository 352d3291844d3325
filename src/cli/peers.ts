// Peer engines for `kiln bench --vs`: TF.js (wasm backend) on TF.js models, onnxruntime-web
// (wasm) and onnxruntime-node on ONNX models. They are optional: each loads only when asked,
// and a missing package is a one-line error saying what to install.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import type { Tensor } from '../ir/tensor.js';
import { sniffFile } from '../io/sniff.js';

export const PEERS = ['tfjs', 'ort-web', 'ort-node'] as const;
export type PeerName = (typeof PEERS)[number];

export interface Peer {
  readonly name: string;
  readonly version: string;
  /** Runs the model; outputs in the model's output order, as float64 numbers for comparing. */
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);

async function importPeer<T>(pkg: string, peer: PeerName): Promise<T> {
  try {
    return (await import(pkg)) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      const pkgs = peer === 'tfjs' ? '@tensorflow/tfjs @tensorflow/tfjs-backend-wasm' : pkg;
      throw new InputError(`--vs ${peer} needs ${pkgs}, which is not installed; npm install ${pkgs}`);
    }
    throw e;
  }
}

/** The model file the peer reads, or why it cannot read this one. */
function modelFile(path: string, peer: PeerName): string {
  const kind = sniffFile(path);
  if (kind === 'kiln') throw new InputError(`--vs ${peer} needs the original model; ${path} is a compiled .kiln artifact`);
  if (peer === 'tfjs') {
    const json = kind === 'unknown' && !path.endsWith('.json') ? join(path, 'model.json') : path;
    if (sniffFile(json) !== 'json') throw new InputError(`--vs tfjs runs TF.js models (model.json); ${path} is not one`);
    return json;
  }
  if (kind !== 'onnx') throw new InputError(`--vs ${peer} runs ONNX models; ${path} is not one`);
  return path;
}

export async function openPeer(peer: PeerName, path: string): Promise<Peer> {
  const file = modelFile(path, peer);
  return peer === 'tfjs' ? openTfjs(file) : openOrt(peer, file);
}

type Tf = typeof import('@tensorflow/tfjs');

async function openTfjs(file: string): Promise<Peer> {
  const tf = await importPeer<Tf>('@tensorflow/tfjs', 'tfjs');
  const wasm = await importPeer<typeof import('@tensorflow/tfjs-backend-wasm')>('@tensorflow/tfjs-backend-wasm', 'tfjs');
  tf.enableProdMode();
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new InputError('--vs tfjs: the TF.js wasm backend did not start in this Node');
  await tf.ready();
  const json = JSON.parse(readFileSync(file, 'utf8')) as { format?: string; modelTopology: { node?: unknown }; weightsManifest: { paths: string[]; weights: unknown[] }[] } & Record<string, unknown>;
  const shards = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(file), p)))));
  const artifacts = {
    ...json, weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.byteLength),
  } as unknown as import('@tensorflow/tfjs').io.ModelArtifacts;
  const handler = { load: async () => artifacts };
  const isGraph = json.format === 'graph-model' || Array.isArray(json.modelTopology.node);
  const graph = isGraph ? await tf.loadGraphModel(handler) : undefined;
  const layers = isGraph ? undefined : await tf.loadLayersModel(handler);
  return {
    name: 'TF.js wasm', version: tf.version.tfjs,
    async run(feeds) {
      const names = Object.keys(feeds);
      const inputs = names.map((n) => tf.tensor(feeds[n].numbers as Float32Array, [...feeds[n].shape], feeds[n].dtype as 'float32'));
      let outs: import('@tensorflow/tfjs').Tensor | import('@tensorflow/tfjs').Tensor[];
      if (layers) outs = layers.predict(inputs.length === 1 ? inputs[0] : inputs) as typeof outs;
      else outs = await graph!.executeAsync(Object.fromEntries(names.map((n, i) => [n, inputs[i]])));
      const list = Array.isArray(outs) ? outs : [outs];
      const result = await Promise.all(list.map(async (t) => Float64Array.from(await t.data() as Float32Array)));
      tf.dispose([...inputs, ...list]);
      return result;
    },
    async dispose() { graph?.dispose(); layers?.dispose(); },
  };
}

type Ort = typeof import('onnxruntime-common') & { env: { versions: Record<string, string>; wasm: { wasmPaths?: string; numThreads?: number } } };

async function openOrt(peer: 'ort-web' | 'ort-node', file: string): Promise<Peer> {
  const ort = await importPeer<Ort>(peer === 'ort-web' ? 'onnxruntime-web' : 'onnxruntime-node', peer);
  if (peer === 'ort-web') {
    ort.env.wasm.wasmPaths = dirname(require.resolve('onnxruntime-web')) + '/';
    ort.env.wasm.numThreads = 1;
  }
  const session = await ort.InferenceSession.create(readFileSync(file), peer === 'ort-web'
    ? { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }
    : { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  return {
    name: peer === 'ort-web' ? 'onnxruntime-web' : 'onnxruntime-node', version: ort.env.versions[peer === 'ort-web' ? 'web' : 'node'] ?? '',
    async run(feeds) {
      const inputs = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, t.dtype === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(t.numbers as ArrayLike<number>, (v) => BigInt(v)), [...t.shape])
        : new ort.Tensor(t.dtype as 'float32', t.numbers as Float32Array, [...t.shape])]));
      const out = await session.run(inputs);
      return Promise.all(session.outputNames.map(async (n) => {
        const d = await out[n].getData();
        return d instanceof BigInt64Array ? Float64Array.from(d, Number) : Float64Array.from(d as Float32Array);
      }));
    },
    async dispose() { await session.release(); },
  };
}
