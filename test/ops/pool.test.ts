// Pools: shape inference (ceil mode, symbolic dims, errors) and properties tying the pools
// together (global = window over the whole plane, Indices point at the maxima).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, UnsupportedError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { DType } from '../../src/ir/dtype.js';
import { assertClose, inferNode, matchesOrt, rand, runNode } from './nn-helpers.js';

const f32 = (shape: (number | string)[]) => ({ dtype: 'float32' as const, shape });

test('pool inference: symbolic batch, ceil mode, indices', () => {
  const [y, idx] = inferNode('MaxPool', [f32(['N', 3, 'H', 10])], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 2);
  assert.equal(y.shape[0], 'N');
  assert.equal(typeof y.shape[2], 'string');
  assert.equal(y.shape[3], 5);
  assert.deepEqual(idx, { dtype: 'int64', shape: y.shape });
  // with ceil_mode a last window that would start inside the end padding is dropped
  assert.deepEqual(inferNode('AveragePool', [f32([1, 1, 4])], { kernel_shape: [2], strides: [2], pads: [0, 1], ceil_mode: 1 })[0].shape,
    [1, 1, 2]);
  assert.deepEqual(inferNode('AveragePool', [f32([1, 1, 5])], { kernel_shape: [2], strides: [2], ceil_mode: 1 })[0].shape,
    [1, 1, 3]);
  assert.deepEqual(inferNode('GlobalAveragePool', [f32(['N', 8, 'H', 'W'])])[0].shape, ['N', 8, 1, 1]);
  assert.deepEqual(inferNode('LpPool', [f32([2, 3, 8, 8, 8])], { kernel_shape: [2, 2, 2], auto_pad: 'SAME_UPPER', strides: [2, 2, 2] })[0].shape,
    [2, 3, 4, 4, 4]);
});

test('pool inference rejects bad kernels and dtypes', () => {
  assert.throws(() => inferNode('MaxPool', [f32([1, 3, 8, 8])], { kernel_shape: [3] }), ShapeError);
  assert.throws(() => inferNode('MaxPool', [f32([1, 3, 2, 2])], { kernel_shape: [3, 3] }), ShapeError);
  assert.throws(() => inferNode('AveragePool', [{ dtype: 'int32', shape: [1, 3, 8, 8] }], { kernel_shape: [2, 2] }), UnsupportedError);
  assert.throws(() => inferNode('MaxPool', [f32([1, 3, 8, 8])], { kernel_shape: [2, 2], auto_pad: 'SAME' }), ShapeError);
});

test('global pools equal windowed pools whose kernel covers the plane', () => {
  const x = rand([2, 3, 5, 7], 1);
  const kernel = { kernel_shape: [5, 7] };
  assertClose(runNode('GlobalAveragePool', [x])[0], runNode('AveragePool', [x], kernel)[0], 'avg');
  assertClose(runNode('GlobalMaxPool', [x])[0], runNode('MaxPool', [x], kernel)[0], 'max');
  assertClose(runNode('GlobalLpPool', [x], { p: 3 })[0], runNode('LpPool', [x], { ...kernel, p: 3 })[0], 'lp');
});

test('MaxPool Indices point at the maxima, in both storage orders', () => {
  const x = rand([2, 3, 7, 6], 2);
  const attrs = { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], dilations: [1, 2] };
  const [y, rowMajor] = runNode('MaxPool', [x], attrs, 2);
  const [, colMajor] = runNode('MaxPool', [x], { ...attrs, storage_order: 1 }, 2);
  const plane = 7 * 6;
  for (let i = 0; i < y.size; i++) {
    const r = rowMajor.numbers[i];
    assert.equal(x.numbers[r], y.numbers[i]);
    // column-major within the plane: h + H*w
    const base = Math.floor(r / plane) * plane, h = Math.floor((r - base) / 6), w = (r - base) % 6;
    assert.equal(colMajor.numbers[i], base + h + 7 * w);
  }
});

test('MaxPool keeps integer dtypes', () => {
  const x = Tensor.from('uint8', [1, 1, 2, 3], [1, 200, 3, 4, 5, 255]);
  const [y] = runNode('MaxPool', [x], { kernel_shape: [2, 2] });
  assert.equal(y.dtype, 'uint8');
  assert.deepEqual(Array.from(y.numbers), [200, 255]);
});

test('pools match onnxruntime: dilation with ceil mode, SAME_LOWER, padding counts, indices, 1D/3D', async () => {
  let seed = 600;
  const r = (shape: number[]) => rand(shape, seed++);
  const cases: [string, number[], Record<string, number | string | number[]>, DType[]][] = [
    ['MaxPool', [1, 2, 10, 9], { kernel_shape: [3, 2], dilations: [2, 2], strides: [2, 2], pads: [1, 0, 1, 1], ceil_mode: 1 }, ['float32']],
    ['MaxPool', [2, 3, 9, 8], { kernel_shape: [4, 2], strides: [2, 2], auto_pad: 'SAME_LOWER' }, ['float32']],
    ['MaxPool', [1, 2, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['float32', 'int64']],
    ['MaxPool', [1, 2, 7, 6], { kernel_shape: [2, 3], strides: [2, 1], storage_order: 1 }, ['float32', 'int64']],
    ['MaxPool', [1, 2, 5, 6, 7], { kernel_shape: [2, 3, 2], strides: [2, 2, 2], ceil_mode: 1 }, ['float32']],
    ['AveragePool', [1, 2, 9, 10], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, ['float32']],
    ['AveragePool', [1, 2, 9, 10], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, ['float32']],
    ['AveragePool', [1, 2, 11, 10], { kernel_shape: [2, 3], dilations: [2, 2], pads: [1, 2, 1, 2], count_include_pad: 1 }, ['float32']],
    ['AveragePool', [2, 3, 12], { kernel_shape: [4], strides: [3], auto_pad: 'SAME_UPPER' }, ['float32']],
    ['LpPool', [1, 3, 11], { kernel_shape: [3], p: 3, pads: [1, 2], strides: [2] }, ['float32']],
    ['LpPool', [1, 2, 6, 7], { kernel_shape: [2, 2], dilations: [2, 1], strides: [1, 2] }, ['float32']],
  ];
  for (const [op, shape, attrs, outs] of cases) await matchesOrt(op, [r(shape)], attrs, outs);
  await matchesOrt('GlobalLpPool', [r([2, 3, 4, 5])], { p: 3 });
  await matchesOrt('GlobalMaxPool', [r([2, 3, 4, 5, 6])], {});
  await matchesOrt('GlobalAveragePool', [r([2, 3, 7])], {});
});
