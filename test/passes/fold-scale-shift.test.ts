// fold-scale-shift: a per-channel Mul or Add after a Conv (with or without bias), a per-column one
// after a Gemm, and a per-column Mul after a MatMul fold into their weights and bias.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { foldScaleShift } from '../../src/passes/fold-scale-shift.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { assertSameComputation, countOp, opsOf } from './check.js';
import { withFacets } from './with-facet.js';

test('Conv*s+t, Gemm*s+t and MatMul*s each become one node computing the same', () => {
  const next = rng(8);
  const r = (shape: number[]) => randomTensor('float32', shape, next, -1, 1);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 2, 5, 5] });
  b.addInput('v', { dtype: 'float32', shape: [3, 4] });
  const conv = b.add1('Conv', ['x', b.constant('w', r([3, 2, 3, 3]))]);
  const scaled = b.add1('Mul', [b.constant('s', r([3, 1, 1])), conv]);
  const conv2 = b.add1('Conv', [b.add1('Add', [scaled, b.constant('t', r([1, 3, 1, 1]))]), b.constant('w2', r([2, 3, 1, 1])), b.constant('b2', r([2]))]);
  const y1 = b.add1('Add', [b.add1('Mul', [conv2, b.constant('s2', r([2, 1, 1]))]), b.constant('t2', r([2, 1, 1]))], {}, 'y1');
  const gemm = b.add1('Gemm', ['v', b.constant('gw', r([5, 4])), b.constant('gb', r([5]))], { transB: 1, beta: 0.5 });
  const y2 = b.add1('Add', [b.add1('Mul', [gemm, b.constant('gs', r([5]))]), b.constant('gt', r([1, 5]))], {}, 'y2');
  const y3 = b.add1('Mul', [b.add1('MatMul', ['v', b.constant('mw', r([4, 6]))]), b.constant('ms', r([6]))], {}, 'y3');
  b.setOutputs([y1, y2, y3]);
  const g = inferShapes(b.build());
  const f = foldScaleShift(g);
  assert.deepEqual(opsOf(f), ['Conv', 'Conv', 'Gemm', 'MatMul']);
  assertSameComputation(g, f, 1e-5);
});

test('scales that vary along other axes, or whose conv output is read elsewhere, stay', () => {
  const next = rng(9);
  const r = (shape: number[]) => randomTensor('float32', shape, next, -1, 1);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 2, 4, 4] });
  const conv = b.add1('Conv', ['x', b.constant('w', r([3, 2, 1, 1]))]);
  const spatial = b.add1('Mul', [conv, b.constant('s', r([1, 4, 1]))]);
  const conv2 = b.add1('Conv', ['x', b.constant('w2', r([3, 2, 1, 1]))]);
  const shared = b.add1('Add', [conv2, b.constant('t', r([3, 1, 1]))]);
  const matmul = b.add1('Add', [b.add1('MatMul', ['x', b.constant('mw', r([4, 4]))]), b.constant('mt', r([4]))]);
  b.setOutputs([spatial, shared, conv2, matmul]);
  const g = inferShapes(b.build());
  const f = foldScaleShift(g);
  assert.equal(countOp(f, 'Mul') + countOp(f, 'Add'), 3);
  assertSameComputation(g, f, 1e-5);
});

test('fold-scale-shift learns where the weights are from the channelWeights facet, not op names', () => {
  const next = rng(9);
  const r = (shape: number[]) => randomTensor('float32', shape, next, -1, 1);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 2, 4, 4] });
  const up = b.add1('ConvTranspose', ['x', b.constant('w', r([2, 3, 3, 3])), b.constant('b', r([3]))], { strides: [2, 2] });
  b.setOutputs([b.add1('Add', [b.add1('Mul', [up, b.constant('s', r([3, 1, 1]))]), b.constant('t', r([3, 1, 1]))], {}, 'y')]);
  const g = inferShapes(b.build());
  assert.deepEqual(opsOf(foldScaleShift(g)), ['ConvTranspose', 'Mul', 'Add'], 'ConvTranspose has no facet');
  // with one group, ConvTranspose's W is [C, M, k...]: output channel m scales W's axis 1
  const facet = { channelWeights: () => ({ outputAxis: 1, weight: 1, weightAxis: 1, bias: { input: 2, scale: 1, unitScale: {} } }) };
  const f = withFacets('ConvTranspose', facet, () => foldScaleShift(g));
  assert.deepEqual(opsOf(f), ['ConvTranspose']);
  assertSameComputation(g, f, 1e-5);
});

test("a Gemm's C of [M, 1] is per row, so a per-column shift does not fold into it even when M = N", () => {
  const next = rng(10);
  const r = (shape: number[]) => randomTensor('float32', shape, next, -1, 1);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('v', { dtype: 'float32', shape: [4, 3] });
  const gemm = b.add1('Gemm', ['v', b.constant('w', r([3, 4])), b.constant('c', r([4, 1]))]);
  b.setOutputs([b.add1('Add', [gemm, b.constant('t', r([4]))], {}, 'y')]);
  const g = inferShapes(b.build());
  assert.deepEqual(opsOf(foldScaleShift(g)), ['Gemm', 'Add']);
});
