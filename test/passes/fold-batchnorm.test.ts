// foldBatchNorm against the reference executor: a Conv (with and without bias) followed by an
// inference BatchNormalization becomes one Conv computing the same outputs; others are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { foldBatchNorm } from '../../src/passes/fold-batchnorm.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { assertSameComputation } from './check.js';
import { withFacets } from './with-facet.js';

test('Conv then BatchNormalization fold into one Conv; a conv output read twice keeps its BatchNormalization', () => {
  const next = rng(4);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 3, 6, 6] });
  const stats = (c: number, tag: string) => ['scale', 'beta', 'mean', 'var'].map((k) =>
    b.constant(`${tag}_${k}`, randomTensor('float32', [c], next, k === 'var' ? 0.2 : -1, k === 'var' ? 2 : 1)));
  const w1 = b.constant('w1', randomTensor('float32', [4, 3, 3, 3], next));
  const c1 = b.add1('Conv', ['x', w1], { pads: [1, 1, 1, 1] });
  const bn1 = b.add1('BatchNormalization', [c1, ...stats(4, 'bn1')], { epsilon: 1e-3 });
  const w2 = b.constant('w2', randomTensor('float32', [4, 1, 3, 3], next)), b2 = b.constant('b2', randomTensor('float32', [4], next));
  const c2 = b.add1('Conv', [bn1, w2, b2], { group: 4 });
  const bn2 = b.add1('BatchNormalization', [c2, ...stats(4, 'bn2')]);
  const c3 = b.add1('Conv', [bn2, b.constant('w3', randomTensor('float32', [2, 4, 1, 1], next))]);
  const bn3 = b.add1('BatchNormalization', [c3, ...stats(2, 'bn3')]);
  b.setOutputs([b.add1('Add', [bn3, c3], {}, 'y')]);
  const g = inferShapes(b.build());
  const f = foldBatchNorm(g);
  assert.deepEqual(f.nodes.map((n) => n.op), ['Conv', 'Conv', 'Conv', 'BatchNormalization', 'Add']);
  assert.ok(!f.constants.has('w1') && !f.constants.has('bn1_mean'), 'the unfolded weights and statistics are gone');
  const x = randomTensor('float32', [1, 3, 6, 6], next);
  const want = execute(g, { x }).get('y')!.numbers, got = execute(f, { x }).get('y')!.numbers;
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-4 * Math.max(1, Math.abs(w)), `y[${i}]: ${got[i]} vs ${w}`));
});

test('fold-batchnorm folds into any op whose channelWeights facet puts the channel on axis 1 with a bias: Gemm too', () => {
  const next = rng(5);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('v', { dtype: 'float32', shape: [2, 3] });
  const stats = (c: number, tag: string) => ['scale', 'beta', 'mean', 'var'].map((k) =>
    b.constant(`${tag}_${k}`, randomTensor('float32', [c], next, k === 'var' ? 0.2 : -1, k === 'var' ? 2 : 1)));
  const gemm = b.add1('Gemm', ['v', b.constant('w', randomTensor('float32', [4, 3], next)), b.constant('c', randomTensor('float32', [1], next))],
    { transB: 1, beta: 0.5 });
  const mm = b.add1('MatMul', ['v', b.constant('m', randomTensor('float32', [3, 4], next))]);
  b.setOutputs([b.add1('BatchNormalization', [gemm, ...stats(4, 'g')], {}, 'y'), b.add1('BatchNormalization', [mm, ...stats(4, 'm')], {}, 'z')]);
  const g = inferShapes(b.build());
  const f = foldBatchNorm(g);
  assert.deepEqual(f.nodes.map((n) => n.op), ['Gemm', 'MatMul', 'BatchNormalization'], 'MatMul has no bias to take the shift');
  assert.equal(f.nodes[0].attrs.beta, 1);
  assertSameComputation(g, f, 1e-5);
  const conv = new GraphBuilder('c', { format: 'test' });
  conv.addInput('x', { dtype: 'float32', shape: [1, 2, 4, 4] });
  const c = conv.add1('Conv', ['x', conv.constant('w', randomTensor('float32', [3, 2, 1, 1], next))]);
  const cstats = ['scale', 'beta', 'mean', 'var'].map((k) => conv.constant(k, randomTensor('float32', [3], next, 0.2, 2)));
  conv.setOutputs([conv.add1('BatchNormalization', [c, ...cstats], {}, 'y')]);
  const cg = inferShapes(conv.build());
  assert.deepEqual(withFacets('Conv', { channelWeights: undefined }, () => foldBatchNorm(cg)).nodes.map((n) => n.op), ['Conv', 'BatchNormalization']);
  assert.deepEqual(foldBatchNorm(cg).nodes.map((n) => n.op), ['Conv']);
});
