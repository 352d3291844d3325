// Graphs with subgraphs under the graph passes: what a branch reads from outside is a node input,
// so DCE keeps its producer, simplify renames it, CSE tells branches apart; the verifier checks
// inside; a constant condition inlines its branch, at compile time and at shape inference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { printGraph } from '../../src/ir/print.js';
import { Tensor } from '../../src/ir/tensor.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';
import { eliminateCommonSubexpressions } from '../../src/passes/cse.js';
import { eliminateDeadCode } from '../../src/passes/dce.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { inlineSubgraphs } from '../../src/passes/inline-subgraphs.js';
import { optimizeGraph } from '../../src/passes/pipeline.js';
import { simplify } from '../../src/passes/simplify.js';
import { execute } from '../../src/reference/execute.js';
import { assertSameComputation, opsOf } from './check.js';

const X = { dtype: 'float32', shape: [2, 3] } as const;

/** A branch computing `op(input * w)` on the one outer value it captures (under its own name). */
function branch(name: string, op: string, w: number): Graph {
  const b = new GraphBuilder(name, { format: 'test' });
  b.addInput('captured', X);
  b.setOutputs([b.add1(op, [b.add1('Mul', ['captured', b.constant('w', Tensor.scalar('float32', w))])])]);
  return b.build();
}

/** y = If(cond, Identity(Exp(x))) with a Relu and a Neg branch; a dead Sigmoid on the side. */
function ifGraph(cond?: boolean): Graph {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', X);
  const c = cond === undefined ? b.addInput('cond', { dtype: 'bool', shape: [] }) : b.constant('cond', Tensor.scalar('bool', cond ? 1 : 0));
  const outer = b.add1('Identity', [b.add1('Exp', ['x'])]);
  b.add1('Sigmoid', ['x']);
  const y = b.addNode('If', [c, outer], { then_branch: branch('then', 'Relu', 2), else_branch: branch('else', 'Neg', 3) }, { outputs: ['y'] });
  b.setOutputs(y);
  return inferShapes(b.build());
}

const feeds = (cond: boolean) => ({
  x: Tensor.from('float32', [2, 3], [-1, 0.5, 2, -3, 1, 0]), cond: Tensor.scalar('bool', cond ? 1 : 0),
});

test('a value read only inside a branch survives DCE; simplify renames what the If passes in', () => {
  const g = ifGraph();
  verifyGraph(g, opDef);
  const d = eliminateDeadCode(g);
  assert.deepEqual(opsOf(d), ['Exp', 'Identity', 'If'], 'the Sigmoid goes, the Exp the branch reads stays');
  const s = simplify(d);
  assert.deepEqual(opsOf(s), ['Exp', 'If']);
  assert.equal(s.nodes[1].inputs[1], s.nodes[0].outputs[0], 'the If now passes the Exp in');
  for (const cond of [true, false]) assertSameComputation(g, s, 0, feeds(cond));
  assert.match(printGraph(s), /then_branch: graph then[\s\S]*Relu[\s\S]*else_branch: graph else/);
});

test('CSE never merges Ifs whose branches differ', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', X);
  b.addInput('cond', { dtype: 'bool', shape: [] });
  const then = branch('then', 'Relu', 2), other = branch('else', 'Neg', 3), differs = branch('else2', 'Neg', 4);
  const [a] = b.addNode('If', ['cond', 'x'], { then_branch: then, else_branch: other });
  const [same] = b.addNode('If', ['cond', 'x'], { then_branch: then, else_branch: other });
  const [c] = b.addNode('If', ['cond', 'x'], { then_branch: then, else_branch: differs });
  b.setOutputs([b.add1('Add', [b.add1('Add', [a, same]), c], {}, 'y')]);
  const g = inferShapes(b.build());
  const e = eliminateCommonSubexpressions(g);
  // inference types each node's branches as its own copies, so only the differing else branch is certain to stay apart
  const elses = e.nodes.filter((n) => n.op === 'If').map((n) => (n.attrs.else_branch as Graph).name);
  assert.ok(elses.includes('else') && elses.includes('else2'), `branches kept: ${elses.join(', ')}`);
  assertSameComputation(g, e, 0, feeds(false));
});

test('the verifier looks inside subgraphs: a branch reading a value it does not take is refused', () => {
  const bad = new GraphBuilder('then', { format: 'test' });
  bad.addInput('captured', X);
  bad.addNode('Relu', ['outer_value'], {}, { outputs: ['r'] });
  bad.setOutputs(['r']);
  const g = ifGraph();
  const node = g.nodes.find((n) => n.op === 'If')!;
  const broken = { ...g, nodes: g.nodes.map((n) => (n === node ? { ...n, attrs: { ...n.attrs, then_branch: { ...bad.build(), values: new Map([['captured', X], ['r', X]]) } } } : n)) };
  assert.throws(() => verifyGraph(broken, opDef), /subgraph 'then_branch'.*reads 'outer_value' before it is defined/);
});

test('an If on a constant condition becomes its branch: at shape inference, and by the pipeline once a frozen input folds', () => {
  for (const cond of [true, false]) {
    const folded = ifGraph(cond);
    assert.ok(!opsOf(folded).includes('If'), 'inference inlines a known condition');
    assert.deepEqual(opsOf(folded).slice(-2), ['Mul', cond ? 'Relu' : 'Neg']);
    verifyGraph(folded, opDef);
    const { x } = feeds(cond);
    assert.deepEqual(execute(folded, { x }).get('y')!.toArray(), execute(ifGraph(), feeds(cond)).get('y')!.toArray());
  }
  // a condition that only folding decides: Not of a constant
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', X);
  const live = b.addInput('flag', { dtype: 'bool', shape: [] });
  const [y] = b.addNode('If', [b.add1('Not', [live]), 'x'], { then_branch: branch('then', 'Relu', 2), else_branch: branch('else', 'Neg', 3) }, { outputs: ['y'] });
  b.setOutputs([y]);
  const g = inferShapes(b.build());
  assert.deepEqual(inlineSubgraphs(g), g, 'a condition fed at run time stays an If');
  const frozen = inferShapes({ ...g, inputs: ['x'], constants: new Map([['flag', Tensor.scalar('bool', 1)]]) });
  const optimized = optimizeGraph(frozen, { verify: true }).graph;
  assert.deepEqual(opsOf(optimized), ['Mul', 'Neg']);
  const x = feeds(true).x;
  assert.deepEqual(execute(optimized, { x }).get('y')!.toArray(), x.toArray().map((v) => -3 * v));
});
