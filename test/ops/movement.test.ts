// Movement ops: inference with symbolic dims and unknown parameters, and kernels against
// onnxruntime-node on shapes and attribute variants the conformance cases lack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { allSymbolic, f32, i64, inferShape, inferTypes } from './data-graph.js';
import { ortCheck, rand, randInt } from './data-ort.js';

const INT64_MAX = 2 ** 63, INT64_MIN = -(2 ** 63);
const strings = (shape: number[]) => new Tensor('string', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => `s${i}`));

test('Transpose, Concat and Split inference', () => {
  assert.deepEqual(inferShape('Transpose', [f32('N', 3, 4)]), [4, 3, 'N']);
  assert.deepEqual(inferShape('Transpose', [f32('N', 3, 4)], { perm: [0, 2, 1] }), ['N', 4, 3]);
  assert.throws(() => inferShape('Transpose', [f32(2, 3)], { perm: [0, 0] }), ShapeError);
  assert.deepEqual(inferShape('Concat', [f32('N', 3), f32('N', 5)], { axis: -1 }), ['N', 8]);
  assert.deepEqual(inferShape('Concat', [f32('N', 3), f32(2, 'C')], { axis: 0 })[1], 3);
  assert.ok(allSymbolic(inferShape('Concat', [f32('N', 3), f32(2, 3)], { axis: 0 }).slice(0, 1)));
  assert.throws(() => inferShape('Concat', [f32(2, 3), f32(2, 4)], { axis: 0 }), ShapeError);
  const uneven = inferTypes('Split', [f32(2, 7)], { axis: 1, num_outputs: 3 }, 3);
  assert.deepEqual(uneven.map((t) => t.shape), [[2, 3], [2, 3], [2, 1]]);
  const sized = inferTypes('Split', [f32('N', 6), i64([1, 5])], { axis: 1 }, 2);
  assert.deepEqual(sized.map((t) => t.shape), [['N', 1], ['N', 5]]);
  assert.ok(inferTypes('Split', [f32('N', 6)], {}, 2).every((t) => typeof t.shape[0] === 'string' && t.shape[1] === 6));
});

test('Slice, Pad, Tile and block-move inference', () => {
  const x = f32('N', 10, 'W');
  const stepped = inferShape('Slice', [x, i64([1, -1]), i64([INT64_MAX, INT64_MIN]), i64([1, 2]), i64([3, -2])]);
  assert.deepEqual(stepped.slice(0, 2), ['N', 3]);
  assert.ok(typeof stepped[2] === 'string' && stepped[2] !== 'W');
  assert.deepEqual(inferShape('Slice', [x, i64([0]), i64([INT64_MAX]), i64([-1])]), ['N', 10, 'W']);
  const cut = inferShape('Slice', [x, i64([1]), i64([INT64_MAX]), i64([0])]);
  assert.ok(typeof cut[0] === 'string' && cut[0] !== 'N');
  const unknownStarts = inferShape('Slice', [x, { dtype: 'int64', shape: [1] }, i64([5]), i64([1])]);
  assert.deepEqual([unknownStarts[0], unknownStarts[2]], ['N', 'W']);
  assert.ok(allSymbolic(unknownStarts.slice(1, 2)));
  assert.deepEqual(inferShape('Pad', [f32('N', 3, 4), i64([1, -1, 0, 2]), undefined, i64([1, 2])]), ['N', 4, 5]);
  assert.ok(allSymbolic(inferShape('Pad', [f32(2, 3), { dtype: 'int64', shape: [4] }])));
  assert.deepEqual(inferShape('Tile', [f32('N', 3), i64([1, 2])]), ['N', 6]);
  assert.deepEqual(inferShape('DepthToSpace', [f32('N', 8, 3, 5)], { blocksize: 2 }), ['N', 2, 6, 10]);
  assert.deepEqual(inferShape('SpaceToDepth', [f32(1, 3, 4, 6)], { blocksize: 2 }), [1, 12, 2, 3]);
  assert.throws(() => inferShape('SpaceToDepth', [f32(1, 3, 5, 6)], { blocksize: 2 }), ShapeError);
});

test('Transpose, Concat and Split kernels agree with onnxruntime, strings included', async () => {
  await ortCheck('Transpose', [rand([2, 3, 1, 4, 5], 1)], { perm: [4, 0, 3, 2, 1] });
  await ortCheck('Transpose', [randInt('int64', [3, 4, 2], 2)]);
  await ortCheck('Transpose', [strings([2, 3])], { perm: [1, 0] });
  await ortCheck('Concat', [rand([2, 1, 3], 3), rand([2, 4, 3], 4), rand([2, 0, 3], 5)], { axis: -2 }, { fed: [0, 1, 2] });
  await ortCheck('Concat', [strings([2, 2]), strings([2, 1])], { axis: 1 }, { fed: [0, 1] });
  await ortCheck('Concat', [Tensor.from('bool', [3], [1, 0, 1]), Tensor.from('bool', [1], [1])], { axis: 0 }, { fed: [0, 1] });
  await ortCheck('Split', [rand([3, 11, 2], 6)], { axis: 1, num_outputs: 4 }, { outputs: 4 });
  await ortCheck('Split', [randInt('int32', [6, 2], 7), i64([1, 0, 5])], { axis: -2 }, { outputs: 3 });
  await ortCheck('Split', [strings([4])], {}, { outputs: 2, opset: 13 });
});

test('Slice kernel agrees with onnxruntime: negative steps, sentinels, clamping, fed parameters', async () => {
  const x = rand([5, 6, 7], 8);
  await ortCheck('Slice', [x, i64([-1, 4]), i64([INT64_MIN, -100]), i64([0, 2]), i64([-2, -3])]);
  await ortCheck('Slice', [x, i64([10, -20]), i64([INT64_MAX, 3]), i64([-1, 1])]);
  await ortCheck('Slice', [x, i64([1, 0, 6]), i64([4, 6, 0]), i64([0, 1, 2]), i64([2, 4, -1])], {}, { fed: [0, 1, 2, 3, 4] });
  await ortCheck('Slice', [x, i64([3]), i64([3]), i64([1])]);
  await ortCheck('Slice', [strings([4, 3]), i64([-1]), i64([INT64_MIN]), i64([0]), i64([-1])]);
});

test('Pad kernel agrees with onnxruntime in every mode, with negative pads and axes', async () => {
  const x = rand([2, 3, 4], 9);
  for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
    await ortCheck('Pad', [x, i64([0, 2, 1, 1, 1, 3])], { mode });
    await ortCheck('Pad', [x, i64([-1, 1, 1, -1]), undefined, i64([2, -2])], { mode });
    await ortCheck('Pad', [x, i64([0, -1, 0, 0, 0, 2])], { mode });
  }
  await ortCheck('Pad', [x, i64([1, 0, 2, 0, 1, 3]), Tensor.scalar('float32', -2.5)]);
  await ortCheck('Pad', [rand([3, 1], 10), i64([2, 3, 1, 4])], { mode: 'edge' });
  await ortCheck('Pad', [randInt('int64', [2, 3], 11), i64([1, 1, 1, 1]), Tensor.scalar('int64', 7)], { mode: 'constant' });
  await ortCheck('Pad', [rand([4, 5], 12), i64([3, 4, 3, 4])], { mode: 'reflect' });
});

test('Tile, DepthToSpace, SpaceToDepth and Trilu kernels agree with onnxruntime', async () => {
  await ortCheck('Tile', [rand([2, 1, 3], 13), i64([2, 3, 1])]);
  await ortCheck('Tile', [strings([2, 2]), i64([1, 2])]);
  await ortCheck('Tile', [randInt('int32', [3, 2], 14), i64([0, 2])]);
  for (const mode of ['DCR', 'CRD']) await ortCheck('DepthToSpace', [rand([2, 12, 3, 2], 15)], { blocksize: 2, mode });
  await ortCheck('DepthToSpace', [rand([1, 18, 2, 1], 16)], { blocksize: 3 });
  await ortCheck('SpaceToDepth', [rand([2, 3, 6, 4], 17)], { blocksize: 2 });
  const m = rand([2, 4, 5], 18);
  for (const k of [-2, 0, 1, 7]) {
    await ortCheck('Trilu', [m, i64([k], [])], { upper: 1 });
    await ortCheck('Trilu', [m, i64([k], [])], { upper: 0 });
  }
  await ortCheck('Trilu', [randInt('int64', [3, 3], 19)], { upper: 0 });
});
