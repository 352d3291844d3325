// Reduction kernels: inference over constant, negative, empty and unknown axes, and kernels
// differentially against onnxruntime-node on single-node models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type Attrs, type ValueInfo } from '../../src/ir/graph.js';
import type { Dim } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { ShapeError, UnsupportedError } from '../../src/errors.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { ortCheck, rand, randInt } from './data-ort.js';

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

const REDUCE_OPS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];
const axesOf = (a: readonly number[]) => Tensor.from('int64', [a.length], a);

test('reductions match onnxruntime over several, negative and all axes, with and without keepdims', async () => {
  const x = rand([2, 3, 4, 5], 1);
  const positive = randomTensor('float32', [2, 3, 4, 5], rng(2), 0.1, 2);
  const cases: (readonly number[] | undefined)[] = [[0, 2], [-1], [1, -1, 0], [3], undefined, [-4, -3, -2, -1]];
  for (const op of REDUCE_OPS) {
    const input = op === 'ReduceLogSum' ? positive : x;
    for (const axes of cases) {
      for (const keepdims of [0, 1]) {
        await ortCheck(op, [input, axes && axesOf(axes)], { keepdims }, { tolerance: { rtol: 1e-5, atol: 1e-6 } });
      }
    }
    // axes fed at run time: only their count is known while inferring
    await ortCheck(op, [input, axesOf([1, 3])], { keepdims: 0 }, { fed: [0, 1] });
    await ortCheck(op, [input, axesOf([])], { keepdims: 1, noop_with_empty_axes: 1 }, { fed: [0, 1] });
  }
});

test('reductions over an empty set match onnxruntime (identity of each reduction)', async () => {
  const empty = Tensor.zeros('float32', [2, 0, 3]);
  // the spec leaves the mean of nothing undefined (Kiln gives NaN, onnxruntime 0)
  for (const op of REDUCE_OPS.filter((o) => o !== 'ReduceMean')) {
    await ortCheck(op, [empty, axesOf([1])], { keepdims: 1 });
    await ortCheck(op, [empty, axesOf([2])], { keepdims: 0 });
  }
  // over integers the extremes start from the dtype's limits
  for (const d of ['int32', 'int64'] as const) {
    for (const op of ['ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceProd']) {
      await ortCheck(op, [Tensor.zeros(d, [2, 0, 3]), axesOf([1])], { keepdims: 0 });
    }
  }
});

test('integer reductions match onnxruntime', async () => {
  for (const d of ['int32', 'int64'] as const) {
    const x = randInt(d, [3, 4, 5], 3, -20, 20);
    for (const op of ['ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceMean']) {
      await ortCheck(op, [op === 'ReduceProd' ? randInt(d, [3, 4, 5], 4, -3, 4) : x, axesOf([0, 2])], { keepdims: 0 });
    }
  }
  const flags = randomTensor('bool', [3, 4], rng(5));
  for (const op of ['ReduceMax', 'ReduceMin']) await ortCheck(op, [flags, axesOf([1])], { keepdims: 1 }, { opset: 20 });
});

test('ArgMax/ArgMin match onnxruntime, ties broken first or last', async () => {
  const ties = randInt('int32', [3, 4, 5], 6, 0, 3);
  const x = rand([3, 4, 5], 7);
  for (const op of ['ArgMax', 'ArgMin']) {
    for (const axis of [0, 1, -1]) {
      for (const keepdims of [0, 1]) {
        for (const select_last_index of [0, 1]) {
          await ortCheck(op, [ties], { axis, keepdims, select_last_index });
        }
        await ortCheck(op, [x], { axis, keepdims });
      }
    }
  }
});

test('Softmax, LogSoftmax and Hardmax match onnxruntime over every axis', async () => {
  const x = randomTensor('float32', [2, 3, 4, 5], rng(8), -30, 30);
  const ties = randInt('float32', [2, 3, 4], 9, 0, 3);
  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    for (const axis of [0, 1, 2, -1]) await ortCheck(op, [x], { axis });
    await ortCheck(op, [ties], { axis: 1 });
    await ortCheck(op, [ties], {});
  }
  await ortCheck('Softmax', [Tensor.from('float32', [1, 3], [1000, 1001, 1002])], {});
  await ortCheck('LogSoftmax', [randomTensor('float16', [3, 4], rng(10), -4, 4)], { axis: 0 });
});

test('CumSum matches onnxruntime: exclusive, reverse, negative axis, integers', async () => {
  const x = rand([3, 4, 5], 11);
  const ints = randInt('int32', [3, 4, 5], 12);
  for (const axis of [0, 1, -1]) {
    for (const exclusive of [0, 1]) {
      for (const reverse of [0, 1]) {
        await ortCheck('CumSum', [x, Tensor.scalar('int64', axis)], { exclusive, reverse });
        await ortCheck('CumSum', [ints, Tensor.scalar('int32', axis)], { exclusive, reverse });
      }
    }
  }
});
