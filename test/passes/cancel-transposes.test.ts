// cancelTransposes against the reference executor: the rewritten graph computes the same
// outputs, with the transposes that compose to the identity gone and the others kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { cancelTransposes } from '../../src/passes/cancel-transposes.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';

const TO_NCHW = [0, 3, 1, 2], TO_NHWC = [0, 2, 3, 1];

function sameOutputs(a: Graph, b: Graph, shapes: Record<string, number[]>): void {
  const next = rng(3);
  const feeds = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, randomTensor('float32', s, next)]));
  const want = execute(a, feeds), got = execute(b, feeds);
  for (const name of a.outputs) assert.deepEqual(Array.from(got.get(name)!.numbers), Array.from(want.get(name)!.numbers), name);
}
const count = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).length;

test('NHWC<->NCHW pairs around elementwise ops cancel; a transposed residual Add keeps one layout', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 4, 5, 3] });
  b.addInput('skip', { dtype: 'float32', shape: [1, 4, 5, 3] });
  const nchw = b.add1('Transpose', ['x'], { perm: TO_NCHW });
  const relu = b.add1('Relu', [b.add1('Transpose', [b.add1('Transpose', [nchw], { perm: TO_NHWC })], { perm: TO_NCHW })]);
  const clip = b.add1('Clip', [b.add1('Transpose', [relu], { perm: TO_NHWC }), b.constant('lo', Tensor.scalar('float32', 0)),
    b.constant('hi', Tensor.scalar('float32', 0.5))]);
  const back = b.add1('Transpose', [clip], { perm: TO_NCHW });
  const sum = b.add1('Add', [b.add1('Transpose', [back], { perm: TO_NHWC }), b.add1('Transpose', ['skip'], { perm: [0, 1, 2, 3] })]);
  b.setOutputs([b.add1('Sigmoid', [b.add1('Transpose', [sum], { perm: TO_NCHW })], {}, 'y')]);
  const g = inferShapes(b.build());
  const c = cancelTransposes(g);
  sameOutputs(g, c, { x: [1, 4, 5, 3], skip: [1, 4, 5, 3] });
  assert.equal(count(g, 'Transpose'), 8);
  assert.equal(count(c, 'Transpose'), 1, 'one NHWC->NCHW transpose remains, ahead of the Sigmoid');
  assert.deepEqual(c.values.get('y')!.shape, [1, 3, 4, 5]);
});

test('transposes stay where an input is not transposed alike or is read elsewhere', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 3, 4, 5] });
  const nhwc = b.add1('Transpose', ['x'], { perm: TO_NHWC }, 'nhwc');
  const biased = b.add1('Add', [nhwc, b.constant('bias', Tensor.from('float32', [3], [1, 2, 3]))]);
  const y = b.add1('Transpose', [biased], { perm: TO_NCHW }, 'y');
  const z = b.add1('Transpose', [b.add1('Exp', [nhwc])], { perm: TO_NCHW }, 'z');
  b.setOutputs([y, z, nhwc]);
  const g = inferShapes(b.build());
  const c = cancelTransposes(g);
  sameOutputs(g, c, { x: [1, 3, 4, 5] });
  assert.equal(count(c, 'Transpose'), 3, 'a per-channel bias in NHWC and a transpose that is also a graph output');
});
