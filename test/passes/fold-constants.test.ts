// foldConstants: a subgraph fed only by constants (or by the static shape of a tensor) becomes
// one constant with the reference kernels' values; nodes that read graph inputs stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { foldConstants } from '../../src/passes/fold-constants.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { assertSameComputation, opsOf } from './check.js';

test('weights transposed and scaled at run time, and a Shape->Gather->Concat reshape target, fold to constants', () => {
  const next = rng(11);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 3, 4] });
  const w = b.constant('w', randomTensor('float32', [4, 3, 2], next));
  const weights = b.add1('Mul', [b.add1('Transpose', [w], { perm: [2, 1, 0] }), b.constant('k', Tensor.scalar('float32', 0.5))], {}, 'weights');
  const batch = b.add1('Gather', [b.add1('Shape', ['x']), b.constant('i0', Tensor.from('int64', [1], [0]))]);
  const target = b.add1('Concat', [batch, b.constant('rest', Tensor.from('int64', [1], [-1]))], { axis: 0 });
  const sum = b.add1('Add', ['x', weights]);
  b.setOutputs([b.add1('Reshape', [sum, target], {}, 'y')]);
  const g = inferShapes(b.build());
  const f = foldConstants(g);
  assert.deepEqual(opsOf(f), ['Add', 'Reshape']);
  assert.deepEqual(f.constants.get(f.nodes[1].inputs[1])!.toArray(), [2, -1]);
  const folded = f.constants.get('weights')!;
  const want = execute({ ...g, outputs: ['weights'] }, { x: Tensor.zeros('float32', [2, 3, 4]) }).get('weights')!;
  assert.deepEqual(Array.from(folded.numbers), Array.from(want.numbers));
  assert.ok(!f.constants.has('w') && !f.constants.has('k'), 'what only the folded nodes read is gone');
  assertSameComputation(g, f);
});
