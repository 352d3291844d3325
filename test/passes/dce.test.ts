// Dead-code elimination: what no output depends on goes, with its constants; a multi-output node
// one of whose outputs is used stays whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { eliminateDeadCode } from '../../src/passes/dce.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { assertSameComputation, opsOf } from './check.js';

test('an unread chain and its weights go; a Split read through one output stays; unread inputs stay inputs', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [4, 2] });
  b.addInput('unused', { dtype: 'float32', shape: [1] });
  b.add1('Relu', [b.add1('Mul', ['x', b.constant('w', Tensor.from('float32', [2], [1, 2]))])]);
  const [first] = b.addNode('Split', ['x'], { axis: 0, num_outputs: 2 }, { outputs: 2 });
  b.setOutputs([b.add1('Exp', [first], {}, 'y')]);
  const g = inferShapes(b.build());
  const d = eliminateDeadCode(g);
  assert.deepEqual(opsOf(d), ['Split', 'Exp']);
  assert.ok(!d.constants.has('w') && !d.values.has('w'));
  assert.deepEqual(d.inputs, ['x', 'unused']);
  assertSameComputation(g, d);
});
