// Shape ops: inference with symbolic dims and unknown parameters, Shape/Size folding
// through whole shape computations, and kernels against onnxruntime-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { allSymbolic, f32, i64, inferShape, inferTypes } from './data-graph.js';
import { ortCheck, randInt, rand } from './data-ort.js';
import { dtype } from '../util/onnx-builder.js';


test('Reshape inference: 0 copies, -1 resolves through cancelling symbols', () => {
  assert.deepEqual(inferShape('Reshape', [f32('N', 3, 4), i64([0, -1])]), ['N', 12]);
  assert.deepEqual(inferShape('Reshape', [f32('N', 12), i64([-1, 3, 4])]), ['N', 3, 4]);
  assert.deepEqual(inferShape('Reshape', [f32('B', 'T', 8), i64([0, 0, 2, -1])]), ['B', 'T', 2, 4]);
  assert.deepEqual(inferShape('Reshape', [f32(2, 0, 3), i64([3, 0], [2]), ], { allowzero: 1 }), [3, 0]);
  // N*3 cannot be written with the known symbols: a fresh one
  const fresh = inferShape('Reshape', [f32('N', 3, 4), i64([-1, 4])]);
  assert.equal(fresh[1], 4);
  assert.ok(typeof fresh[0] === 'string' && fresh[0] !== 'N');
  assert.throws(() => inferShape('Reshape', [f32(2, 3), i64([4, -1])]), ShapeError);
  assert.throws(() => inferShape('Reshape', [f32(2, 3), i64([-1, -1])]), ShapeError);
});

test('Reshape with a shape known only at run time: rank from the shape input, dims symbolic', () => {
  const shape = inferShape('Reshape', [f32(2, 3, 4), { dtype: 'int64', shape: [3] }]);
  assert.equal(shape.length, 3);
  assert.ok(allSymbolic(shape));
  assert.throws(() => inferShape('Reshape', [f32(2, 3), { dtype: 'int64', shape: ['K'] }]), ShapeError);
});

test('Shape and Size fold at compile time, so a Shape->Slice->Concat->Reshape chain stays static', () => {
  const b = new GraphBuilder('fold', { format: 'test' });
  const x = b.addInput('x', f32('N', 3, 4));
  const y = b.addInput('y', f32('M', 12));
  const tail = b.add1('Shape', [x], { start: -2 });
  const target = b.add1('Concat', [b.constant('minus1', i64([-1])), tail], { axis: 0 });
  const r = b.add1('Reshape', [y, target]);
  const size = b.add1('Size', [b.add1('Shape', [x], { start: 1 })]);
  const pads = b.add1('ConstantOfShape', [b.add1('Unsqueeze', [size, b.constant('ax', i64([0]))])],
    { value: Tensor.from('int64', [1], [7]) });
  b.setOutputs([r, pads]);
  const g = inferShapes(b.build());
  assert.deepEqual(g.values.get(r)!.shape, ['M', 3, 4]);
  assert.deepEqual(g.values.get(pads), { dtype: 'int64', shape: [2] });
  // a symbolic dim does not fold
  assert.deepEqual(inferTypes('Shape', [f32('N', 3)])[0], { dtype: 'int64', shape: [2] });
  assert.deepEqual(inferShape('Shape', [f32('N', 3, 4, 5)], { start: 1, end: -1 }), [2]);
  assert.deepEqual(inferShape('Shape', [f32('N', 3)], { start: 5 }), [0]);
});

test('Flatten, Squeeze, Unsqueeze, Expand, ConstantOfShape, Range, EyeLike inference', () => {
  assert.deepEqual(inferShape('Flatten', [f32('N', 3, 4)]), ['N', 12]);
  assert.deepEqual(inferShape('Flatten', [f32(2, 3, 4)], { axis: -1 }), [6, 4]);
  assert.deepEqual(inferShape('Flatten', [f32(2, 3)], { axis: 0 }), [1, 6]);
  assert.deepEqual(inferShape('Squeeze', [f32(1, 'N', 1, 3)]), ['N', 3]);
  assert.deepEqual(inferShape('Squeeze', [f32(1, 'N', 1, 3), i64([-2])]), [1, 'N', 3]);
  assert.throws(() => inferShape('Squeeze', [f32(2, 3), i64([0])]), ShapeError);
  assert.deepEqual(inferShape('Unsqueeze', [f32('N', 3), i64([0, -1])]), [1, 'N', 3, 1]);
  assert.deepEqual(inferShape('Unsqueeze', [f32(2), i64([1, 0])]), [1, 1, 2]);
  assert.equal(inferShape('Unsqueeze', [f32(2), { dtype: 'int64', shape: [2] }]).length, 3);
  assert.deepEqual(inferShape('Expand', [f32('N', 1, 3), i64([2, 1, 4, 1])]), [2, 'N', 4, 3]);
  const unknownExpand = inferShape('Expand', [f32(1, 3), { dtype: 'int64', shape: [3] }]);
  assert.equal(unknownExpand[2], 3);
  assert.ok(allSymbolic(unknownExpand.slice(0, 2)));
  assert.deepEqual(inferTypes('ConstantOfShape', [i64([2, 3])])[0], { dtype: 'float32', shape: [2, 3] });
  assert.deepEqual(inferTypes('ConstantOfShape', [i64([], [0])], { value: Tensor.from('int32', [1], [4]) })[0],
    { dtype: 'int32', shape: [] });
  assert.equal(inferShape('ConstantOfShape', [{ dtype: 'int64', shape: [3] }]).length, 3);
  assert.deepEqual(inferTypes('Range', [Tensor.scalar('int32', 10), Tensor.scalar('int32', 1), Tensor.scalar('int32', -3)])[0],
    { dtype: 'int32', shape: [3] });
  assert.ok(allSymbolic(inferShape('Range', [{ dtype: 'float32', shape: [] }, Tensor.scalar('float32', 1), Tensor.scalar('float32', 1)])));
  assert.deepEqual(inferTypes('EyeLike', [f32(3, 'N')], { dtype: 'int64' })[0], { dtype: 'int64', shape: [3, 'N'] });
});

test('shape op kernels agree with onnxruntime', async () => {
  const x = rand([2, 3, 4], 1);
  await ortCheck('Reshape', [x, i64([4, 0, -1])]);
  await ortCheck('Reshape', [rand([0, 3], 2), i64([3, 0])], { allowzero: 1 });
  await ortCheck('Shape', [x], { start: -2, end: 10 });
  await ortCheck('Size', [x]);
  await ortCheck('Flatten', [rand([2, 3, 4, 5], 3)], { axis: -2 });
  await ortCheck('Squeeze', [rand([1, 3, 1, 2], 4)]);
  await ortCheck('Squeeze', [rand([1, 3, 1, 2], 4), i64([-2])]);
  await ortCheck('Unsqueeze', [x, i64([-1, 1])]);
  await ortCheck('Expand', [rand([3, 1, 2], 5), i64([2, 1, 4, 1])]);
  await ortCheck('Expand', [randInt('int64', [1, 3], 6), i64([4, 1])]);
  await ortCheck('Expand', [Tensor.from('bool', [2, 1], [1, 0]), i64([2, 3])]);
  await ortCheck('ConstantOfShape', [i64([2, 3])], { value: Tensor.from('int64', [1], [-5]) });
  await ortCheck('Range', [Tensor.scalar('float32', 1.5), Tensor.scalar('float32', -2), Tensor.scalar('float32', -0.7)]);
  await ortCheck('Range', [Tensor.scalar('int64', -3), Tensor.scalar('int64', 9), Tensor.scalar('int64', 4)]);
  await ortCheck('EyeLike', [rand([3, 5], 7)], { k: 2 });
  await ortCheck('EyeLike', [rand([4, 3], 8)], { k: -1, dtype: dtype('int32') });
});
