// Reductions and softmax: single- and multi-stage kernels (scratch intermediates) against the
// reference kernels, with schedules addressed to each stage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reorder, split, unroll, vectorize } from '../../src/schedule/schedule.js';
import { checkOp, type InputSpec } from './check.js';

const axes = (...a: number[]): InputSpec => ({ shape: [a.length], dtype: 'int64', values: a, constant: true });
const OPS = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare'];

describe('reduction computes', () => {
  for (const op of OPS) {
    it(`${op}: axes, keepdims, all axes, noop`, () => {
      const range: [number, number] = op === 'ReduceLogSum' || op === 'ReduceProd' ? [0.5, 1.5] : [-2, 2];
      checkOp(op, {}, [{ shape: [3, 4, 5], range }, axes(1)]);
      checkOp(op, { keepdims: 0 }, [{ shape: [3, 4, 5], range }, axes(0, 2)]);
      checkOp(op, {}, [{ shape: [7], range }]);
      checkOp(op, { noop_with_empty_axes: 1 }, [{ shape: [2, 3], range }]);
    });
  }
  it('int32 ReduceMax and ReduceSum', () => {
    const x: InputSpec = { shape: [2, 5], dtype: 'int32', values: [3, -7, 2, 9, -1, 0, 4, -4, 8, 1] };
    checkOp('ReduceMax', {}, [x, axes(1)]);
    checkOp('ReduceSum', { keepdims: 0 }, [x, axes(0)]);
  });
  it('a vectorised spatial axis inside the reduction gives vector accumulators', () => {
    // sum over axis 0 of [6, 8]: the 8 outputs are two f32x4 accumulators
    checkOp('ReduceSum', { keepdims: 0 }, [{ shape: [6, 8] }, axes(0)], [reorder(['r0', 'i0']), vectorize('i0')]);
    checkOp('ReduceSum', { keepdims: 0 }, [{ shape: [6, 8] }, axes(0)], [split('r0', 4), reorder(['r0.o', 'r0.i', 'i0']), unroll('r0.i'), vectorize('i0')]);
    checkOp('ReduceSum', { keepdims: 0 }, [{ shape: [7, 8] }, axes(0)], [split('r0', 4)]);
  });
});

describe('softmax computes', () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    it(`${op} along each axis`, () => {
      checkOp(op, {}, [{ shape: [3, 8] }]);
      checkOp(op, { axis: 0 }, [{ shape: [3, 8] }]);
      checkOp(op, { axis: 1 }, [{ shape: [2, 5, 3] }]);
      checkOp(op, {}, [{ shape: [9] }]);
    });
  }
  it('stages in scratch (Softmax keeps exp once per element for the sum and the division); steps address the stages by name', () => {
    const allocs = (op: string) => {
      const { kernel } = checkOp(op, {}, [{ shape: [4, 8] }], [
        split('i1', 4, 'y'), vectorize('i1.i', 'y'), split('r0', 2, 'y_sum'), unroll('r0.i', 'y_sum'),
      ]);
      return (JSON.stringify(kernel.body).match(/"k":"alloc"/g) ?? []).length;
    };
    assert.equal(allocs('Softmax'), 3, 'max, exp, sum');
    assert.equal(allocs('LogSoftmax'), 2, 'max, sum');
  });
});
