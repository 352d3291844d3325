// Runs TF.js graph models from disk as the peer engine, and compares its outputs with Kiln's.
import * as tf from '@tensorflow/tfjs';
import { tfjsDiskHandler } from '../util/tfjs-disk.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';

/** Loads a graph model.json and its shards from disk (cpu backend). */
export async function loadTfjsGraphModel(modelJsonPath: string): Promise<tf.GraphModel> {
  await tf.setBackend('cpu');
  return tf.loadGraphModel(tfjsDiskHandler(modelJsonPath));
}

/** Runs the TF.js model on Kiln tensors and returns Kiln tensors, keyed like `outputs`. */
export async function runTfjs(model: tf.GraphModel, feeds: Readonly<Record<string, Tensor>>,
  outputs: readonly string[]): Promise<Map<string, Tensor>> {
  const inputs: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(feeds)) {
    // TF.js holds every integer type as int32 (a uint8 image placeholder takes int32)
    const narrowInt = ['uint8', 'int8', 'uint16', 'int16'].includes(t.dtype);
    inputs[name] = narrowInt ? tf.tensor(Int32Array.from(t.numbers), [...t.shape], 'int32')
      : tf.tensor(t.data as tf.TypedArray, [...t.shape], t.dtype as tf.DataType);
  }
  const got = await model.executeAsync(inputs, [...outputs]);
  const list = Array.isArray(got) ? got : [got];
  const out = new Map<string, Tensor>();
  for (let i = 0; i < outputs.length; i++) {
    const t = list[i];
    out.set(outputs[i], Tensor.from(t.dtype as DType, t.shape, (await t.data()) as ArrayLike<number>));
  }
  tf.dispose([...Object.values(inputs), ...list]);
  return out;
}
