// Constant folding before and after: folded graphs compute what the originals did (the reference
// executor is the oracle), with the constant subgraphs gone and unread constants dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { Tensor } from '../../src/ir/tensor.js';
import { opDef } from '../../src/ops/index.js';
import { foldConstants } from '../../src/passes/fold-constants.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';

const f32 = (shape: number[], values: number[]) => Tensor.from('float32', shape, values);

/** Both graphs give the same outputs on `feeds`. */
function sameOutputs(before: Graph, after: Graph, feeds: Record<string, Tensor>): void {
  const a = execute(before, feeds), b = execute(after, feeds);
  for (const [name, t] of a) assert.deepEqual([...b.get(name)!.numbers], [...t.numbers], name);
}

test('a chain of constant nodes folds to one constant; the weights it came from are dropped', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  const x = b.addInput('x', { dtype: 'float32', shape: [2, 3] });
  const w = b.addConstant('w', f32([3, 2], [1, 2, 3, 4, 5, 6]));
  const wt = b.add1('Transpose', [w], { perm: [1, 0] });
  const scaled = b.add1('Mul', [wt, b.addConstant('two', Tensor.scalar('float32', 2))]);
  b.setOutputs([b.add1('Add', [x, scaled])]);
  const g = inferShapes(b.build());
  const folded = foldConstants(g);
  verifyGraph(folded, opDef);
  assert.deepEqual(folded.nodes.map((n) => n.op), ['Add']);
  assert.deepEqual([...folded.constants.keys()], [scaled]);
  assert.ok(!folded.values.has(w) && !folded.values.has(wt));
  sameOutputs(g, folded, { x: f32([2, 3], [1, -1, 0.5, 2, 3, -4]) });
});

test('Shape of a static input folds through the shape arithmetic that feeds a Reshape', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  const x = b.addInput('x', { dtype: 'float32', shape: [2, 3, 4] });
  const shape = b.add1('Shape', [x]);
  const idx = b.addConstant('idx', Tensor.from('int64', [2], [0, 1]));
  const lead = b.add1('Gather', [shape, idx], { axis: 0 });
  const target = b.add1('Concat', [lead, b.addConstant('minus1', Tensor.from('int64', [1], [-1]))], { axis: 0 });
  b.setOutputs([b.add1('Relu', [b.add1('Reshape', [x, target])])]);
  const g = inferShapes(b.build());
  const folded = foldConstants(g);
  verifyGraph(folded, opDef);
  assert.deepEqual(folded.nodes.map((n) => n.op), ['Reshape', 'Relu']);
  assert.deepEqual(folded.constants.get(target)!.toArray(), [2, 3, -1]);
  assert.deepEqual([...folded.constants.keys()], [target]);
  const feed = Tensor.from('float32', [2, 3, 4], Array.from({ length: 24 }, (_, i) => i - 12));
  sameOutputs(g, folded, { x: feed });
});

test('a graph with nothing to fold comes back with the same nodes and constants', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  const x = b.addInput('x', { dtype: 'float32', shape: ['n', 4] });
  const y = b.add1('Mul', [x, b.addConstant('k', f32([4], [1, 2, 3, 4]))]);
  b.setOutputs([b.add1('Shape', [y])]); // symbolic: its value is not known
  const g = inferShapes(b.build());
  const folded = foldConstants(g);
  assert.deepEqual(folded.nodes, g.nodes);
  assert.deepEqual([...folded.constants.keys()], ['k']);
});

test('a graph output that folds stays, as a constant', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  const x = b.addInput('x', { dtype: 'float32', shape: [2] });
  const c = b.add1('Neg', [b.addConstant('c', f32([2], [1, 2]))]);
  b.setOutputs([b.add1('Add', [x, x]), c]);
  const g = inferShapes(b.build());
  const folded = foldConstants(g);
  verifyGraph(folded, opDef);
  assert.deepEqual(folded.nodes.map((n) => n.op), ['Add']);
  assert.deepEqual([...folded.constants.get(c)!.numbers], [-1, -2]);
  sameOutputs(g, folded, { x: f32([2], [3, 4]) });
});
