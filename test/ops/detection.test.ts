// TopK and NonMaxSuppression: data-dependent inference, and kernels against onnxruntime-node
// (ties, both directions, negative axes, box encodings, thresholds, several batches/classes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { allSymbolic, i64, inferTypes } from './data-graph.js';
import { ortCheck, rand, randInt } from './data-ort.js';

test('TopK and NonMaxSuppression inference', () => {
  const [values, indices] = inferTypes('TopK', [{ dtype: 'float32', shape: ['N', 10] }, i64([3])], {}, 2);
  assert.deepEqual(values, { dtype: 'float32', shape: ['N', 3] });
  assert.deepEqual(indices, { dtype: 'int64', shape: ['N', 3] });
  const unknownK = inferTypes('TopK', [{ dtype: 'int32', shape: [4, 5] }, { dtype: 'int64', shape: [1] }], { axis: 0 }, 2);
  assert.ok(allSymbolic(unknownK[0].shape.slice(0, 1)));
  assert.equal(unknownK[1].shape[1], 5);
  const nms = inferTypes('NonMaxSuppression', [{ dtype: 'float32', shape: [1, 6, 4] }, { dtype: 'float32', shape: [1, 2, 6] }])[0];
  assert.equal(nms.dtype, 'int64');
  assert.ok(typeof nms.shape[0] === 'string' && nms.shape[1] === 3);
  assert.throws(() => inferTypes('TopK', [{ dtype: 'float32', shape: [4] }, i64([1])], { axis: 1 }, 2), ShapeError);
});

test('TopK agrees with onnxruntime: ties by lower index, smallest, negative axis, integers', async () => {
  const ties = randInt('int32', [3, 12, 2], 1, 0, 4);
  for (const largest of [0, 1]) {
    await ortCheck('TopK', [ties, i64([5])], { axis: 1, largest }, { outputs: 2 });
    await ortCheck('TopK', [rand([4, 3, 9], 2), i64([9])], { axis: -1, largest }, { outputs: 2 });
  }
  await ortCheck('TopK', [rand([6, 2], 3, 'float64'), i64([0])], { axis: 0 }, { outputs: 2 });
  await ortCheck('TopK', [randInt('int64', [20], 4, -5, 5), i64([7])], { largest: 0 }, { outputs: 2 });
});

/** Random corner boxes [B, N, 4] of size ~0.5..1 centred in a unit square, so many overlap. */
function boxes(b: number, n: number, seed: number): Tensor {
  const r = rand([b, n, 4], seed).numbers;
  const out: number[] = [];
  for (let i = 0; i < r.length; i += 4) {
    const [cy, cx, h, w] = [(r[i] + 1) / 2, (r[i + 1] + 1) / 2, 0.75 + r[i + 2] / 4, 0.75 + r[i + 3] / 4];
    out.push(cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2);
  }
  return Tensor.from('float32', [b, n, 4], out);
}

test('NonMaxSuppression agrees with onnxruntime', async () => {
  const scores = Tensor.from('float32', [2, 3, 12], rand([2, 3, 12], 5).numbers.map((v) => (v + 1) / 2));
  const box = boxes(2, 12, 6);
  const params = (max: number, iou: number, score?: number) => [
    i64([max]), Tensor.from('float32', [1], [iou]), score === undefined ? undefined : Tensor.from('float32', [1], [score])];
  for (const center_point_box of [0, 1]) {
    await ortCheck('NonMaxSuppression', [box, scores, ...params(4, 0.3, 0.2)], { center_point_box }, { fed: [0, 1] });
    const [all] = await ortCheck('NonMaxSuppression', [box, scores, ...params(100, 0.6)], { center_point_box }, { fed: [0, 1] });
    assert.ok(all.shape[0] > 6 && all.shape[0] < 72, `suppression kept ${all.shape[0]} of 72 boxes`);
  }
  // corners given in either order
  const flipped = Tensor.from('float32', box.shape, Array.from(box.numbers, (v, i) => box.numbers[i % 4 < 2 ? i + 2 : i - 2]));
  await ortCheck('NonMaxSuppression', [flipped, scores, ...params(3, 0.4, 0.5)], {}, { fed: [0, 1] });
  await ortCheck('NonMaxSuppression', [box, scores], {}, { fed: [0, 1] });
});
