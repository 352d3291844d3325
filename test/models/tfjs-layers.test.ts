// nsfwjs's Keras models (TF.js layers format) through Kiln's layers importer and reference
// executor, against TF.js's cpu backend on the same seeded input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { nsfwjsModel, type NsfwModel } from '../fixtures/fixtures.js';
import { rng, randomTensor } from '../../src/io/random.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';
import { compare, importFromDisk, runBoth, tfjsLoadFromDisk } from '../frontend/layers-harness.js';

/**
 * Both engines compute in float32 but sum in different orders (TF.js im2col matmuls, Kiln
 * direct loops) through ~50-100 layers; the softmax outputs are in [0, 1], and 1e-4 of the
 * largest output leaves room for that drift while still catching any wrong layer, which moves
 * the probabilities by percents.
 */
const RELATIVE_TOLERANCE = 1e-4;

async function check(name: NsfwModel, size: number): Promise<void> {
  await tf.setBackend('cpu');
  const path = nsfwjsModel(name);
  const g = importFromDisk(path);
  verifyGraph(g, opDef);
  assert.deepEqual(g.values.get(g.inputs[0])?.shape, ['N', size, size, 3]);
  const model = await tfjsLoadFromDisk(path);
  const input = randomTensor('float32', [1, size, size, 3], rng(7));
  const { kiln, tfjs } = runBoth(g, model, [input]);
  const c = compare(kiln[0], tfjs[0]);
  console.log(`${name}: max |kiln - tfjs| = ${c.maxAbsError.toExponential(2)}, max |output| = ${c.maxMagnitude.toFixed(4)}`);
  assert.ok(c.maxAbsError <= RELATIVE_TOLERANCE * c.maxMagnitude, `${name}: error ${c.maxAbsError} exceeds ${RELATIVE_TOLERANCE} x ${c.maxMagnitude}`);
  assert.ok(c.argMaxAgrees, `${name}: arg-max differs`);
}

test('nsfwjs mobilenet_v2 (224x224) matches TF.js', async () => {
  await check('mobilenet_v2', 224);
});

test('nsfwjs inception_v3 (299x299) matches TF.js', async () => {
  await check('inception_v3', 299);
});
