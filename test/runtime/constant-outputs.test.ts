// A model that folds to constants entirely still compiles: its outputs come from the weights
// region (or its input slots) and `run` calls no kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';

test('outputs that are constants or inputs are read from the weights and input slots', async () => {
  const g = new GraphBuilder('constant', { format: 'test' });
  g.addInput('x', { dtype: 'float32', shape: [2, 3] });
  const w = g.addConstant('w', Tensor.from('float32', [2], [0.5, -7]));
  g.setOutputs([g.add1('Shape', ['x'], {}, 'shape'), g.add1('Identity', [w], {}, 'w_out'), 'x']);
  const graph = inferShapes(g.build());
  const { bytes, report } = await compile(graph);
  assert.equal(report.kernels, 0);
  const x = Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const want = execute(graph, { x });
  const got = await (await load(bytes)).run({ x: x.data as Float32Array });
  assert.deepEqual(got.shape.data, BigInt64Array.from([2n, 3n]));
  assert.deepEqual(Array.from(got.w_out.data as Float32Array), Array.from(want.get('w_out')!.data as Float32Array));
  assert.deepEqual(Array.from(got.x.data as Float32Array), [1, 2, 3, 4, 5, 6]);
});
