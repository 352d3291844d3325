// simplify: pass-through nodes vanish, reshape and transpose chains become one node, and what
// changes values (a broadcasting x+0, a reversing Slice) stays; graph output names survive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { simplify } from '../../src/passes/simplify.js';
import { assertSameComputation, opsOf } from './check.js';
import { withFacets } from './with-facet.js';

const ints = (v: number[]) => Tensor.from('int64', [v.length], v);

test('Identity, same-dtype Cast, reshapes back to the input shape, inverse transposes, x+0, 1*x, zero Pad all vanish', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 3, 4, 5] });
  let v = b.add1('Identity', ['x']);
  v = b.add1('Cast', [v], { to: 'float32' });
  v = b.add1('Reshape', [v, b.constant('s1', ints([1, 3, 20]))]);
  v = b.add1('Flatten', [v], { axis: 1 });
  v = b.add1('Reshape', [v, b.constant('s2', ints([0, 3, 4, -1]))]);
  v = b.add1('Transpose', [b.add1('Transpose', [v], { perm: [0, 2, 3, 1] })], { perm: [0, 3, 1, 2] });
  v = b.add1('Add', [v, b.constant('zero', Tensor.from('float32', [3, 1, 1], [0, 0, 0]))]);
  v = b.add1('Mul', [b.constant('one', Tensor.scalar('float32', 1)), v]);
  v = b.add1('Pad', [v, b.constant('pads', ints([0, 0, 0, 0, 0, 0, 0, 0]))]);
  v = b.add1('Slice', [v, b.constant('st', ints([0])), b.constant('en', ints([9])), b.constant('ax', ints([2]))]);
  b.setOutputs([b.add1('Relu', [v], {}, 'y')]);
  const g = inferShapes(b.build());
  const s = simplify(g);
  assert.deepEqual(opsOf(s), ['Relu']);
  assert.deepEqual(s.nodes[0].inputs, ['x']);
  assert.equal(s.constants.size, 0, 'the constants only the removed nodes read are gone');
  assertSameComputation(g, s);
});

test('a reshape chain becomes one Reshape, a transpose chain one Transpose; value-changing look-alikes stay', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 3, 4] });
  const flat = b.add1('Reshape', [b.add1('Unsqueeze', ['x', b.constant('ax0', ints([0]))]), b.constant('s', ints([6, 4]))]);
  const t = b.add1('Transpose', [b.add1('Transpose', ['x'], { perm: [1, 0, 2] })], { perm: [2, 0, 1] });
  const widened = b.add1('Add', [flat, b.constant('zeros', Tensor.zeros('float32', [2, 6, 4]))]);
  const twice = b.add1('Mul', [flat, b.constant('two', Tensor.from('float32', [1], [2]))]);
  const reversed = b.add1('Slice', [t, b.constant('st', ints([-1])), b.constant('en', ints([-100])), b.constant('a', ints([0])), b.constant('step', ints([-1]))]);
  b.setOutputs([widened, twice, reversed]);
  const g = inferShapes(b.build());
  const s = simplify(g);
  assert.deepEqual(opsOf(s), ['Reshape', 'Transpose', 'Add', 'Mul', 'Slice']);
  assert.deepEqual(s.nodes[0].inputs[0], 'x');
  assert.deepEqual(s.nodes[1].attrs.perm, [2, 1, 0]);
  assertSameComputation(g, s);
});

test('a graph output that only renames keeps its name: its producer gives it, or an Identity of an input does', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 2] });
  const relu = b.add1('Relu', ['x'], {}, 'relu');
  const y = b.add1('Identity', [relu], {}, 'y');
  const z = b.add1('Identity', ['x'], {}, 'z');
  const w = b.add1('Exp', [relu], {}, 'w');
  b.setOutputs([y, z, w]);
  const g = inferShapes(b.build());
  const s = simplify(g);
  assert.deepEqual(s.nodes.map((n) => `${n.op}:${n.inputs.join(',')}->${n.outputs.join(',')}`), ['Relu:x->y', 'Exp:y->w', 'Identity:x->z']);
  assertSameComputation(g, s);
  assert.deepEqual(opsOf(simplify(s)), opsOf(s), 'simplify is idempotent');
});

test('simplify learns pass-through ops and reshape chains from the passThrough and reshapes facets, not names', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 3, 4] });
  const one = b.add1('Max', ['x']);
  const kept = b.add1('Identity', [one]);
  const flat = b.add1('Flatten', [b.add1('Reshape', [kept, b.constant('s', ints([6, 4]))])], { axis: 0 });
  b.setOutputs([b.add1('Relu', [flat], {}, 'y')]);
  const g = inferShapes(b.build());
  assert.deepEqual(opsOf(simplify(g)), ['Max', 'Reshape', 'Relu'], 'a one-input Max has no facet, Identity has');
  // a variadic Max of one input is its input: with the facet it vanishes like Identity
  const maxOfOne = { passThrough: ({ node, sameTypeAsOutput }: { node: { inputs: readonly string[] }; sameTypeAsOutput(i: number): boolean }) =>
    (node.inputs.length === 1 && sameTypeAsOutput(0) ? 0 : undefined) };
  const s = withFacets('Max', maxOfOne, () => simplify(g));
  assert.deepEqual(opsOf(s), ['Reshape', 'Relu']);
  assert.deepEqual(s.nodes[0].inputs[0], 'x');
  assertSameComputation(g, s);
  const apart = withFacets('Identity', { passThrough: undefined }, () => withFacets('Flatten', { reshapes: undefined }, () => simplify(g)));
  assert.deepEqual(opsOf(apart), ['Max', 'Identity', 'Reshape', 'Flatten', 'Relu'], 'without the facets nothing merges or vanishes');
  assertSameComputation(g, apart);
});
