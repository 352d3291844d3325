// fold-pad: a spatial Pad by the value the consumer's own padding stands for merges into the
// Conv's or pool's pads; pads of other values, of the channel axis, or read twice stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { foldPad } from '../../src/passes/fold-pad.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { windowPadAbsorption, type WindowAttrs } from '../../src/ops/nn-window.js';
import { assertSameComputation, countOp, opsOf } from './check.js';
import { withFacets } from './with-facet.js';

const ints = (v: number[]) => Tensor.from('int64', [v.length], v);

test('zero Pad into Conv (adding to its pads), -inf Pad into MaxPool, zero Pad into AveragePool counting pads', () => {
  const next = rng(5);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 2, 7, 6] });
  const padded = b.add1('Pad', ['x', b.constant('p1', ints([0, 0, 1, 2, 0, 0, 3, 0]))]);
  const conv = b.add1('Conv', [padded, b.constant('w', randomTensor('float32', [3, 2, 3, 3], next))], { pads: [1, 0, 0, 1], strides: [2, 1] });
  const ninf = b.add1('Pad', [conv, b.constant('p2', ints([1, 1, 1, 1])), b.constant('v2', Tensor.scalar('float32', -Infinity)), b.constant('a2', ints([2, 3]))]);
  const max = b.add1('MaxPool', [ninf], { kernel_shape: [3, 3] });
  const zero = b.add1('Pad', [max, b.constant('p3', ints([0, 0, 0, 1, 0, 0, 1, 0]))]);
  b.setOutputs([b.add1('AveragePool', [zero], { kernel_shape: [2, 2], count_include_pad: 1 }, 'y')]);
  const g = inferShapes(b.build());
  const f = foldPad(g);
  assert.deepEqual(opsOf(f), ['Conv', 'MaxPool', 'AveragePool']);
  assert.deepEqual(f.nodes[0].attrs.pads, [2, 2, 3, 1]);
  assert.deepEqual(f.nodes[1].attrs.pads, [1, 1, 1, 1]);
  assertSameComputation(g, f, 1e-5);
});

test('Pads that are not the consumer\'s own stay: non-zero value, channel axis, negative, excluded from the average, read twice', () => {
  const next = rng(6);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 2, 5, 5] });
  const w = b.constant('w', randomTensor('float32', [2, 2, 1, 1], next));
  const conv = (v: string) => b.add1('Conv', [v, w]);
  const one = conv(b.add1('Pad', ['x', b.constant('p1', ints([0, 0, 1, 1, 0, 0, 1, 1])), b.constant('v1', Tensor.scalar('float32', 1))]));
  const channel = conv(b.add1('Pad', [one, b.constant('p2', ints([0, 0, 0, 0, 0, 0, 0, 0]))]));
  const cropped = conv(b.add1('Pad', [channel, b.constant('p3', ints([0, 0, -1, 0, 0, 0, 0, 0]))]));
  const avg = b.add1('AveragePool', [b.add1('Pad', [cropped, b.constant('p4', ints([0, 0, 1, 1, 0, 0, 1, 1]))])], { kernel_shape: [2, 2] });
  const shared = b.add1('Pad', [avg, b.constant('p5', ints([0, 0, 1, 1, 0, 0, 1, 1]))]);
  const ninf = b.constant('ninf', Tensor.scalar('float32', -Infinity));
  const channelPad = b.add1('Pad', [one, b.constant('p6', ints([0, 1, 0, 0, 0, 0, 0, 0])), ninf]);
  b.setOutputs([conv(shared), b.add1('Relu', [shared], {}, 'r'), b.add1('MaxPool', [channelPad], { kernel_shape: [1, 1] })]);
  const g = inferShapes(b.build());
  const f = foldPad(g);
  assert.equal(countOp(f, 'Pad'), 5, 'only the all-zero pad (into the second Conv) folds');
  assertSameComputation(g, f, 1e-5);
});

test('fold-pad learns which ops absorb a Pad from their absorbPad facet, not their names', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 2, 5, 5] });
  const padded = b.add1('Pad', ['x', b.constant('p', ints([0, 0, 1, 2, 0, 0, 2, 1]))]);
  b.setOutputs([b.add1('LpPool', [padded], { kernel_shape: [3, 3], pads: [1, 0, 0, 1] }, 'y')]);
  const g = inferShapes(b.build());
  assert.deepEqual(opsOf(foldPad(g)), ['Pad', 'LpPool'], 'LpPool has no facet');
  // zeros add nothing to a p-norm, so an LpPool's own padding stands for a Pad by 0
  const f = withFacets('LpPool', { absorbPad: ({ attrs }) => windowPadAbsorption(attrs as unknown as WindowAttrs, 0) }, () => foldPad(g));
  assert.deepEqual(opsOf(f), ['LpPool']);
  assert.deepEqual(f.nodes[0].attrs.pads, [2, 2, 2, 2]);
  assertSameComputation(g, f, 1e-5);
  const conv = new GraphBuilder('c', { format: 'test' });
  conv.addInput('x', { dtype: 'float32', shape: [1, 2, 5, 5] });
  const w = conv.constant('w', randomTensor('float32', [2, 2, 3, 3], rng(3)));
  conv.setOutputs([conv.add1('Conv', [conv.add1('Pad', ['x', conv.constant('p', ints([0, 0, 1, 1, 0, 0, 1, 1]))]), w], {}, 'y')]);
  const cg = inferShapes(conv.build());
  assert.deepEqual(opsOf(withFacets('Conv', { absorbPad: undefined }, () => foldPad(cg))), ['Pad', 'Conv']);
  assert.deepEqual(opsOf(foldPad(cg)), ['Conv']);
});
