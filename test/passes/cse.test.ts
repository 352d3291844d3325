// Common-subexpression elimination: equal constants and repeated computations become one; nodes
// that differ in an attribute or an input stay apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { eliminateCommonSubexpressions } from '../../src/passes/cse.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { assertSameComputation, countOp, opsOf } from './check.js';

test('two Reshapes by equal shape constants and a repeated Sigmoid merge; a different Softmax axis does not', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 6] });
  const shape = () => Tensor.from('int64', [2], [3, 4]);
  const r1 = b.add1('Reshape', ['x', b.constant('s1', shape())]);
  const r2 = b.add1('Reshape', ['x', b.constant('s2', shape())]);
  const a = b.add1('Sigmoid', [r1]), c = b.add1('Sigmoid', [r2]);
  const s0 = b.add1('Softmax', [a], { axis: 0 }), s1 = b.add1('Softmax', [c], { axis: 1 });
  const neg = b.add1('Mul', [a, b.constant('m1', Tensor.scalar('float32', -1))]);
  const negZero = b.add1('Mul', [c, b.constant('m2', Tensor.scalar('float32', -0))]);
  b.setOutputs([b.add1('Add', [s0, s1], {}, 'y'), neg, negZero, c]);
  const g = inferShapes(b.build());
  const e = eliminateCommonSubexpressions(g);
  assert.deepEqual(opsOf(e), ['Reshape', 'Sigmoid', 'Softmax', 'Softmax', 'Mul', 'Mul', 'Add']);
  assert.equal(countOp(e, 'Mul'), 2, '-1 and -0 are different constants');
  assert.equal(e.constants.size, 3);
  assertSameComputation(g, e);
});

test('a duplicate that is a graph output keeps its name through an Identity when the original is an output too', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [4] });
  b.setOutputs([b.add1('Exp', ['x'], {}, 'y1'), b.add1('Exp', ['x'], {}, 'y2')]);
  const g = inferShapes(b.build());
  const e = eliminateCommonSubexpressions(g);
  assert.deepEqual(opsOf(e), ['Exp', 'Identity']);
  assertSameComputation(g, e);
});
