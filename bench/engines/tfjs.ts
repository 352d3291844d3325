// TF.js as a peer engine: the wasm backend (XNNPACK kernels) and the plain-JS cpu backend, on
// layers and graph models loaded from disk.
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DType } from '../../src/ir/dtype.js';
import { tfjsArtifactsFromDisk } from '../../test/util/tfjs-disk.js';
import type { Engine, HostFeeds, HostOutputs, HostTensor, PrepareInfo } from '../engine.js';

const require = createRequire(import.meta.url);

/** An IOHandler over model.json and its shards on disk. */
function diskHandler(modelJsonPath: string): { handler: tf.io.IOHandler; isGraph: boolean } {
  const { artifacts, isGraph } = tfjsArtifactsFromDisk(modelJsonPath);
  return { handler: { load: async () => artifacts }, isGraph };
}

/**
 * The wasm backend in Node always loads its single-threaded SIMD binary (TF.js reports no
 * thread support under Node), and setThreadsCount(1) pins XNNPACK's pool to one thread as well;
 * prepare() reads the count back from the backend.
 */
async function selectBackend(backend: 'wasm' | 'cpu'): Promise<number> {
  // production mode, as deployed apps run: no debug checks, and no "install tfjs-node" banner
  tf.enableProdMode();
  if (backend === 'wasm') {
    tfwasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
    tfwasm.setThreadsCount(1);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its ${backend} backend`);
  await tf.ready();
  return backend === 'wasm' ? tfwasm.getThreadsCount() : 1;
}

export function tfjsEngine(backend: 'wasm' | 'cpu'): Engine {
  let layers: tf.LayersModel | undefined;
  let graph: tf.GraphModel | undefined;
  let useAsync = false;

  const infer = async (inputs: tf.Tensor[], names: readonly string[]): Promise<tf.Tensor[]> => {
    if (layers) {
      const out = layers.predict(inputs.length === 1 ? inputs[0] : inputs);
      return Array.isArray(out) ? out : [out];
    }
    const named = Object.fromEntries(names.map((n, i) => [n, inputs[i]]));
    // execute() is the fast synchronous path; models with control flow need executeAsync()
    if (!useAsync) {
      try {
        const out = graph!.execute(named);
        return Array.isArray(out) ? out : [out];
      } catch (e) {
        if (!/executeAsync/.test((e as Error).message)) throw e;
        useAsync = true;
      }
    }
    const out = await graph!.executeAsync(named);
    return Array.isArray(out) ? out : [out];
  };

  return {
    name: `tfjs-${backend}`,
    async prepare(modelPath): Promise<PrepareInfo> {
      const threads = await selectBackend(backend);
      const { handler, isGraph } = diskHandler(modelPath);
      if (isGraph) graph = await tf.loadGraphModel(handler);
      else layers = await tf.loadLayersModel(handler);
      return { threads, version: tf.version.tfjs };
    },
    async run(feeds: HostFeeds): Promise<HostOutputs> {
      const names = Object.keys(feeds);
      const inputs = names.map((n) => {
        const t = feeds[n];
        return tf.tensor(t.data as tf.TypedArray, [...t.shape], t.dtype as tf.DataType);
      });
      const outs = await infer(inputs, names);
      const outNames = layers ? layers.outputNames : graph!.outputNodes;
      const result = new Map<string, HostTensor>();
      for (let i = 0; i < outs.length; i++) {
        const data = await outs[i].data();
        result.set(outNames[i], { dtype: outs[i].dtype as DType, shape: outs[i].shape, data: data as HostTensor['data'] });
      }
      tf.dispose([...inputs, ...outs]);
      return result;
    },
    async dispose() {
      layers?.dispose();
      graph?.dispose();
    },
  };
}
