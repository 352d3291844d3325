// Reduction kernels: inference over constant, negative, empty and unknown axes, and kernels
// differentially against onnxruntime-node on single-node models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type Attrs, type ValueInfo } from '../../src/ir/graph.js';
import type { Dim } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { ShapeError, UnsupportedError } from '../../src/errors.js';

/** The inferred type of a one-node graph's output; `axes` becomes a constant, or an input of `count` axes. */
function inferReduce(op: string, x: ValueInfo, axes: readonly number[] | { count: Dim } | undefined,
  attrs: Attrs = {}): ValueInfo {
  const b = new GraphBuilder(op, { format: 'test' });
  const ins = [b.addInput('x', x)];
  if (axes && 'count' in axes) ins.push(b.addInput('axes', { dtype: 'int64', shape: [axes.count] }));
  else if (axes) ins.push(b.constant('axes', Tensor.from('int64', [axes.length], axes)));
  const y = b.add1(op, ins, attrs);
  b.setOutputs([y]);
  return inferShapes(b.build()).values.get(y)!;
}

test('reduction inference over symbolic shapes', () => {
  const x: ValueInfo = { dtype: 'float32', shape: ['N', 3, 'H', 'W'] };
  assert.deepEqual(inferReduce('ReduceMean', x, [-1, -2]).shape, ['N', 3, 1, 1]);
  assert.deepEqual(inferReduce('ReduceSum', x, [1], { keepdims: 0 }).shape, ['N', 'H', 'W']);
  assert.deepEqual(inferReduce('ReduceMax', x, undefined, { keepdims: 0 }).shape, []);
  assert.deepEqual(inferReduce('ReduceMax', x, [], { noop_with_empty_axes: 1 }).shape, x.shape);
  assert.deepEqual(inferReduce('ArgMax', x, undefined, { axis: -3, keepdims: 0 }), { dtype: 'int64', shape: ['N', 'H', 'W'] });
  assert.deepEqual(inferReduce('Softmax', x, undefined, { axis: 1 }), x);
  // axes known only at run time: every non-1 dim may go
  const unknown = inferReduce('ReduceL2', { dtype: 'float32', shape: [1, 'C', 4] }, { count: 1 });
  assert.equal(unknown.shape.length, 3);
  assert.equal(unknown.shape[0], 1);
  assert.ok(unknown.shape.slice(1).every((d) => typeof d === 'string'));
  // without keepdims the count of axes gives the rank
  const dropped = inferReduce('ReduceSum', { dtype: 'float32', shape: [2, 3, 4] }, { count: 2 }, { keepdims: 0 });
  assert.equal(dropped.shape.length, 1);
  assert.deepEqual(inferReduce('ReduceSum', { dtype: 'float32', shape: [2, 3] }, { count: 0 }, { keepdims: 0 }).shape, []);
});

test('reduction inference rejects bad axes', () => {
  const x: ValueInfo = { dtype: 'float32', shape: [2, 3] };
  assert.throws(() => inferReduce('ReduceSum', x, [2]), ShapeError);
  assert.throws(() => inferReduce('Softmax', x, undefined, { axis: -3 }), ShapeError);
  assert.throws(() => inferReduce('ReduceSum', x, { count: 'K' }, { keepdims: 0 }), UnsupportedError);
});
