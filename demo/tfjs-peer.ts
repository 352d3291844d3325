// TF.js as the demo's peer engine: the same layers model from disk, on the cpu backend and,
// when it loads in this Node, the wasm backend.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { tfjsDiskHandler } from '../test/util/tfjs-disk.js';

// prod mode silences TF.js's banner recommending tfjs-node, which would clutter the table
tf.enableProdMode();

/** Loads a TF.js layers model.json and its shards from disk. */
export async function loadLayersModelFromDisk(jsonPath: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tfjsDiskHandler(jsonPath));
}

/** Switches TF.js to `backend`; false when it cannot start here (wasm without its binary). */
export async function useBackend(backend: 'cpu' | 'wasm'): Promise<boolean> {
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  }
  try {
    return await tf.setBackend(backend);
  } catch {
    return false;
  }
}

/** One inference of `model` on `input`; the scores as a flat array. */
export async function predict(model: tf.LayersModel, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const x = tf.tensor(input, [...shape], 'float32');
  const y = model.predict(x) as tf.Tensor;
  const scores = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return scores;
}

/** TF.js's own nsfwjs preprocessing of the same pixels, to check the demo's resize against. */
export function tfjsPreprocess(rgb: Int32Array, height: number, width: number, size: number): Float32Array {
  return tf.tidy(() => {
    const img = tf.tensor3d(rgb, [height, width, 3], 'int32').toFloat().div(255) as tf.Tensor3D;
    return tf.image.resizeBilinear(img, [size, size], true).dataSync() as Float32Array;
  });
}
