// Normalizations: inference (stat outputs, errors) and properties relating the ops to each
// other (InstanceNorm = GroupNorm with one channel per group, LayerNorm over C,H,W =
// GroupNorm with one group, MVN over H,W = InstanceNorm, BatchNorm = per-channel affine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { float } from '../util/onnx-builder.js';
import { assertClose, inferNode, matchesOrt, rand, runNode } from './nn-helpers.js';

const f32 = (shape: (number | string)[]) => ({ dtype: 'float32' as const, shape });
const filled = (n: number, v: number) => Tensor.from('float32', [n], new Array<number>(n).fill(v));

test('norm inference: LayerNormalization stats, parameter checks', () => {
  const [y, mean, inv] = inferNode('LayerNormalization', [f32(['N', 'T', 16]), f32([16]), f32([16])], { axis: -1 }, 3);
  assert.deepEqual(y.shape, ['N', 'T', 16]);
  assert.deepEqual(mean.shape, ['N', 'T', 1]);
  assert.deepEqual(inv, mean);
  assert.throws(() => inferNode('LayerNormalization', [f32([2, 3, 16]), f32([8])]), ShapeError);
  assert.throws(() => inferNode('GroupNormalization', [f32([1, 6, 4, 4]), f32([6]), f32([6])], { num_groups: 4 }), ShapeError);
  assert.throws(() => inferNode('BatchNormalization', [f32(['N', 3, 4, 4]), f32([4]), f32([3]), f32([3]), f32([3])]), ShapeError);
  assert.deepEqual(inferNode('BatchNormalization', [f32(['N', 3]), f32([3]), f32([3]), f32([3]), f32([3])])[0].shape, ['N', 3]);
});

test('InstanceNormalization equals GroupNormalization with one channel per group', () => {
  const x = rand([2, 4, 5, 3], 1), s = rand([4], 2), b = rand([4], 3);
  const [inst] = runNode('InstanceNormalization', [x, s, b], { epsilon: 1e-3 });
  const [group] = runNode('GroupNormalization', [x, s, b], { epsilon: 1e-3, num_groups: 4 });
  assertClose(inst, group, 'instance vs group');
});

test('LayerNormalization over C,H,W equals GroupNormalization with one group', () => {
  const x = rand([2, 4, 5, 3], 4);
  const [layer, mean, invStd] = runNode('LayerNormalization', [x, Tensor.from('float32', [1], [1])], { axis: 1 }, 3);
  const [group] = runNode('GroupNormalization', [x, filled(4, 1), filled(4, 0)], { num_groups: 1 });
  assertClose(layer, group, 'layer vs group');
  assert.deepEqual(mean.shape, [2, 1, 1, 1]);
  // y * (1/invStd) + mean gives x back
  for (let i = 0; i < x.size; i++) {
    const n = Math.floor(i / 60);
    assert.ok(Math.abs(layer.numbers[i] / invStd.numbers[n] + mean.numbers[n] - x.numbers[i]) < 1e-5);
  }
});

test('MeanVarianceNormalization over H,W equals InstanceNormalization without epsilon', () => {
  const x = rand([2, 3, 4, 5], 5);
  const [mvn] = runNode('MeanVarianceNormalization', [x], { axes: [2, 3] });
  const [inst] = runNode('InstanceNormalization', [x, filled(3, 1), filled(3, 0)], { epsilon: 0 });
  assertClose(mvn, inst, 'mvn vs instance', 1e-5, 1e-6);
});

test('BatchNormalization with the batch statistics equals InstanceNormalization for one image', () => {
  const x = rand([1, 3, 4, 4], 6), s = rand([3], 7), b = rand([3], 8);
  const stats = [0, 1, 2].map((c) => {
    const v = Array.from(x.numbers.subarray(c * 16, (c + 1) * 16));
    const mean = v.reduce((p, q) => p + q) / 16;
    return [mean, v.reduce((p, q) => p + (q - mean) ** 2, 0) / 16];
  });
  const mean = Tensor.from('float32', [3], stats.map((m) => m[0])), variance = Tensor.from('float32', [3], stats.map((m) => m[1]));
  const [bn] = runNode('BatchNormalization', [x, s, b, mean, variance], { epsilon: 1e-5 });
  const [inst] = runNode('InstanceNormalization', [x, s, b], { epsilon: 1e-5 });
  assertClose(bn, inst, 'batch vs instance');
});

test('LpNormalization makes every slice along the axis a unit vector', () => {
  const x = rand([3, 4, 5], 9);
  for (const p of [1, 2]) {
    const [y] = runNode('LpNormalization', [x], { axis: 1, p });
    for (let a = 0; a < 3; a++) {
      for (let c = 0; c < 5; c++) {
        let norm = 0;
        for (let k = 0; k < 4; k++) norm += Math.abs(y.numbers[(a * 4 + k) * 5 + c]) ** p;
        assert.ok(Math.abs(norm - 1) < 1e-5, `p=${p}: norm ${norm}`);
      }
    }
  }
});

test('normalizations match onnxruntime on ranks and attributes the conformance set lacks', async () => {
  let seed = 500;
  const r = (shape: number[]) => rand(shape, seed++);
  const positive = (shape: number[]) => randomTensor('float32', shape, rng(seed++), 0.5, 2);
  await matchesOrt('BatchNormalization', [r([4, 3]), r([3]), r([3]), r([3]), positive([3])], { epsilon: float(1e-3) });
  await matchesOrt('BatchNormalization', [r([2, 3, 2, 3, 4]), r([3]), r([3]), r([3]), positive([3])], {});
  await matchesOrt('InstanceNormalization', [r([2, 3, 7]), r([3]), r([3])], { epsilon: float(1e-2) });
  await matchesOrt('InstanceNormalization', [r([1, 2, 3, 4, 5]), r([2]), r([2])], {});
  await matchesOrt('LayerNormalization', [r([2, 3, 4, 5]), r([3, 4, 5]), r([3, 4, 5])], { axis: 1 }, ['float32', 'float32', 'float32']);
  await matchesOrt('LayerNormalization', [r([2, 3, 4, 5]), r([4, 5])], { axis: -2, epsilon: float(1e-3) }, ['float32', 'float32', 'float32']);
  await matchesOrt('GroupNormalization', [r([2, 6, 3, 4]), r([6]), r([6])], { num_groups: 2, epsilon: float(1e-3) });
  await matchesOrt('GroupNormalization', [r([1, 4, 9]), r([4]), r([4])], { num_groups: 4 });
  await matchesOrt('LpNormalization', [r([3, 4, 5])], { axis: 0, p: 1 });
  await matchesOrt('LpNormalization', [r([3, 4, 5])], { axis: 1 });
  await matchesOrt('LRN', [r([2, 7, 3, 4])], { size: 5, alpha: float(1e-2), beta: float(0.5), bias: float(2) });
  await matchesOrt('LRN', [r([1, 2, 3, 4])], { size: 3 }); // window wider than the channels
  await matchesOrt('MeanVarianceNormalization', [r([2, 3, 4, 5])], {});
  await matchesOrt('MeanVarianceNormalization', [r([2, 3, 4, 5])], { axes: [1, 3] });
});
