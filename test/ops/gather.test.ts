// Gather/scatter family: inference, and kernels against onnxruntime-node with negative
// indices, batch dims, every scatter reduction and non-float data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { allSymbolic, f32, i64, inferShape, inferTypes } from './data-graph.js';
import { ortCheck, rand, randInt } from './data-ort.js';

const idx = (shape: readonly (number | string)[]) => ({ dtype: 'int64' as const, shape });

test('gather/scatter inference', () => {
  assert.deepEqual(inferShape('Gather', [f32('N', 5, 6), idx(['K', 2])], { axis: 1 }), ['N', 'K', 2, 6]);
  assert.deepEqual(inferShape('Gather', [f32(5, 6), idx([])], { axis: -2 }), [6]);
  assert.deepEqual(inferShape('GatherElements', [f32(4, 5), idx([4, 'K'])], { axis: 1 }), [4, 'K']);
  assert.deepEqual(inferShape('GatherND', [f32('B', 4, 5, 6), idx(['B', 3, 2])], { batch_dims: 1 }), ['B', 3, 6]);
  assert.throws(() => inferShape('GatherND', [f32(4, 5), idx([3, 'M'])]), ShapeError);
  assert.deepEqual(inferShape('ScatterND', [f32('N', 4), idx([2, 1]), f32(2, 4)]), ['N', 4]);
  assert.deepEqual(inferTypes('OneHot', [idx(['N', 3]), Tensor.scalar('int64', 10), Tensor.from('int32', [2], [0, 1])], { axis: 1 })[0],
    { dtype: 'int32', shape: ['N', 10, 3] });
  const unknownDepth = inferShape('OneHot', [idx([3]), { dtype: 'int64', shape: [] }, Tensor.from('float32', [2], [0, 1])]);
  assert.equal(unknownDepth[0], 3);
  assert.ok(allSymbolic(unknownDepth.slice(1)));
  const nz = inferTypes('NonZero', [{ dtype: 'bool', shape: [2, 'N', 3] }])[0];
  assert.equal(nz.dtype, 'int64');
  assert.equal(nz.shape[0], 3);
  assert.ok(allSymbolic(nz.shape.slice(1)));
});

test('Gather, GatherElements and GatherND kernels agree with onnxruntime', async () => {
  const x = rand([4, 5, 6], 1);
  await ortCheck('Gather', [x, randInt('int64', [2, 3], 2, -5, 5)], { axis: 1 });
  await ortCheck('Gather', [x, Tensor.scalar('int32', -1)], { axis: -1 });
  await ortCheck('Gather', [randInt('int64', [7], 3), randInt('int64', [4, 2], 4, -7, 7)]);
  // strings along the last axis: onnxruntime drops all but the first string of a wider slice
  await ortCheck('Gather', [new Tensor('string', [2, 3], ['a', 'b', 'c', 'd', 'e', 'f']), i64([2, -3, 1])], { axis: 1 });
  await ortCheck('GatherElements', [x, randInt('int64', [4, 3, 6], 5, -5, 5)], { axis: -2 });
  await ortCheck('GatherElements', [randInt('int32', [3, 3], 6), randInt('int32', [2, 3], 7, -3, 3)], { axis: 0 });
  await ortCheck('GatherND', [x, randInt('int64', [3, 2], 8, -4, 4)]);
  await ortCheck('GatherND', [x, randInt('int64', [4, 2, 1], 9, -5, 5)], { batch_dims: 1 });
  await ortCheck('GatherND', [x, randInt('int64', [4, 5, 1], 10, -6, 6)], { batch_dims: 2 });
  await ortCheck('GatherND', [x, randInt('int64', [2, 3], 11, 0, 4)]);
});

test('ScatterND and ScatterElements kernels agree with onnxruntime for every reduction', async () => {
  const x = rand([4, 3, 2], 12);
  const distinct = i64([3, 0, -4, 2], [4, 1]);
  await ortCheck('ScatterND', [x, distinct, rand([4, 3, 2], 13)]);
  await ortCheck('ScatterND', [x, i64([1, 2, -1, 0], [2, 2]), rand([2, 2], 14)]);
  const repeated = i64([1, 3, 1, 0, 1], [5, 1]);
  for (const reduction of ['add', 'mul', 'max', 'min']) {
    await ortCheck('ScatterND', [x, repeated, rand([5, 3, 2], 15)], { reduction });
    await ortCheck('ScatterElements', [x, randInt('int64', [3, 3, 2], 16, -4, 4), rand([3, 3, 2], 17)], { axis: 0, reduction });
  }
  await ortCheck('ScatterElements', [x, i64([1, 0, 2, -1, 0, 1], [1, 3, 2]), rand([1, 3, 2], 18)], { axis: 1 });
  await ortCheck('ScatterElements', [randInt('int64', [2, 5], 19), i64([4, -5, 0], [1, 3]), randInt('int64', [1, 3], 20)], { axis: -1 });
});

test('OneHot and NonZero kernels agree with onnxruntime', async () => {
  const ix = i64([0, 3, -1, -4, 4, -5, 2, 1], [2, 4]);
  for (const axis of [-1, 0, 1]) {
    await ortCheck('OneHot', [ix, Tensor.scalar('int64', 4), Tensor.from('float32', [2], [-1, 2.5])], { axis });
  }
  await ortCheck('OneHot', [Tensor.from('float32', [3], [1, -2, 0]), Tensor.from('float32', [1], [3.9]), Tensor.from('float32', [2], [5, 9])]);
  await ortCheck('OneHot', [i64([2, -1, 7]), Tensor.scalar('int64', 3), i64([0, -8])], { axis: 0 });
  await ortCheck('NonZero', [Tensor.from('float32', [2, 3], [0, 1.5, 0, -2, 0, 3])]);
  await ortCheck('NonZero', [Tensor.from('bool', [2, 2, 2], [1, 0, 0, 1, 1, 1, 0, 0])]);
  await ortCheck('NonZero', [randInt('int32', [3, 4], 21, -1, 2)]);
});
