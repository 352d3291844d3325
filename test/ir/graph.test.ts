import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { printGraph } from '../../src/ir/print.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { opDef } from '../../src/ops/index.js';
import { GraphError, InputError } from '../../src/errors.js';

function tiny() {
  const b = new GraphBuilder('tiny', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: ['N', 3] });
  const y = b.add1('Identity', ['x']);
  b.setOutputs([y]);
  return inferShapes(b.build());
}

test('builder + inference + verifier + executor on a one-node graph', () => {
  const g = tiny();
  verifyGraph(g, opDef);
  assert.deepEqual(g.values.get(g.outputs[0])?.shape, ['N', 3]);
  const x = Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const out = execute(g, { x });
  assert.deepEqual(out.get(g.outputs[0])?.toArray(), [1, 2, 3, 4, 5, 6]);
  assert.match(printGraph(g), /Identity\(%x\)/);
});

test('executor rejects a feed that contradicts the model', () => {
  const g = tiny();
  assert.throws(() => execute(g, { x: Tensor.zeros('float32', [2, 4]) }), InputError);
  assert.throws(() => execute(g, { x: Tensor.zeros('int32', [2, 3]) }), InputError);
  assert.throws(() => execute(g, {}), InputError);
});

test('verifier catches a read before definition', () => {
  const g = tiny();
  const bad = { ...g, nodes: [{ ...g.nodes[0], inputs: ['nope'] }] };
  assert.throws(() => verifyGraph(bad, opDef), GraphError);
});
