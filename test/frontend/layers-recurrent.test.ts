// Keras LSTM, GRU, SimpleRNN and Bidirectional in TF.js layers models: built and saved by TF.js,
// imported by Kiln, run by the reference executor against TF.js's predict, then compiled.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { withInputShapes } from '../../src/frontend/load.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';
import { assertCompiledMatches } from '../ops/compiled-outputs.js';
import { compare, importFromDisk, runBoth, saveToDisk } from './layers-harness.js';

/** Every weight (biases too, which Keras starts at zero) replaced by seeded values in [-0.6, 0.6). */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const next = rng(seed);
  for (const layer of model.layers) {
    layer.setWeights(layer.getWeights().map((w) => tf.tensor(randomTensor('float32', w.shape, next, -0.6, 0.6).numbers as Float32Array, w.shape)));
  }
}

/** `rename` rewrites the manifest's weight names, as other savers spell them. */
async function checkModel(model: tf.LayersModel, label: string, seed: number, rename?: (name: string) => string): Promise<void> {
  randomizeWeights(model, seed);
  const file = await saveToDisk(model);
  if (rename) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: { weights: { name: string }[] }[] };
    for (const group of json.weightsManifest) for (const w of group.weights) w.name = rename(w.name);
    writeFileSync(file, JSON.stringify(json));
  }
  const g = importFromDisk(file);
  verifyGraph(g, opDef);
  const next = rng(seed + 100);
  const feeds = model.inputs.map((x) => randomTensor('float32', [2, ...x.shape.slice(1) as number[]], next, -1.5, 1.5));
  const { kiln, tfjs } = runBoth(g, model, feeds);
  assert.equal(kiln.length, tfjs.length, `${label}: output count`);
  kiln.forEach((k, i) => {
    assert.deepEqual(k.shape, tfjs[i].shape, `${label}: shape of output ${i}`);
    const c = compare(k, tfjs[i]);
    assert.ok(c.maxAbsError <= 1e-5 * Math.max(1, c.maxMagnitude), `${label}: output ${i} differs from TF.js by ${c.maxAbsError}`);
  });
  const fixed = withInputShapes(g, Object.fromEntries(g.inputs.map((n, i) => [n, feeds[i].shape])));
  await assertCompiledMatches(fixed, Object.fromEntries(g.inputs.map((n, i) => [n, feeds[i]])), label, 1e-5, [3]);
}

// TF.js has no GRU reset_after=true, so that mapping (linear_before_reset 1) has no peer here
test('layers: stacked LSTM, GRU, SimpleRNN with sequences and go_backwards', async () => {
  await checkModel(tf.sequential({ layers: [
    tf.layers.lstm({ units: 5, inputShape: [6, 3], returnSequences: true }),
    tf.layers.gru({ units: 4, returnSequences: true }),
    tf.layers.gru({ units: 3, returnSequences: true, goBackwards: true }),
    tf.layers.simpleRNN({ units: 4, goBackwards: true, returnSequences: true, activation: 'relu' }),
    tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', goBackwards: true }),
  ] }), 'stacked', 1);
});

test('layers: return_state and Bidirectional with each merge mode', async () => {
  const input = tf.input({ shape: [5, 3] });
  const [seqOut, h, c] = tf.layers.lstm({ units: 4, returnSequences: true, returnState: true }).apply(input) as tf.SymbolicTensor[];
  const [last, gh] = tf.layers.gru({ units: 3, returnState: true, recurrentActivation: 'sigmoid' }).apply(seqOut) as tf.SymbolicTensor[];
  const outputs = [last, gh, h, c];
  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    outputs.push(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.layers.RNN, mergeMode }).apply(input) as tf.SymbolicTensor);
  }
  outputs.push(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2 }) as tf.layers.RNN }).apply(input) as tf.SymbolicTensor);
  outputs.push(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2 }) as tf.layers.RNN, mergeMode: 'sum' }).apply(input) as tf.SymbolicTensor);
  await checkModel(tf.model({ inputs: input, outputs }), 'functional', 2);
});

test('layers: Python Keras weight names, under the RNN cell (lstm/lstm_cell/kernel:0)', async () => {
  const input = tf.input({ shape: [4, 3] });
  const y = tf.layers.lstm({ units: 3, returnSequences: true, name: 'lstm' }).apply(input) as tf.SymbolicTensor;
  const z = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, name: 'gru' }) as tf.layers.RNN, name: 'bidirectional' }).apply(y) as tf.SymbolicTensor;
  await checkModel(tf.model({ inputs: input, outputs: z }), 'keras names', 3, (name) => {
    const parts = name.split('/'), weight = parts.pop()!, layer = parts[parts.length - 1];
    return [...parts, `${layer.replace(/^(forward|backward)_/, '')}_cell`, `${weight}:0`].join('/');
  });
});
