// cancelTransposes against the reference executor: the rewritten graph computes the same
// outputs, with transposes moved through layout-agnostic ops (axes remapped, constants
// transposed) until they cancel, and kept where the layout matters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { cancelTransposes } from '../../src/passes/cancel-transposes.js';
import { foldPad } from '../../src/passes/fold-pad.js';
import { layoutConversions } from '../../src/passes/layout-report.js';
import { normAxis } from '../../src/ir/shape.js';
import { LAYOUT, replaceInput } from '../../src/ops/facets.js';
import { assertSameComputation } from './check.js';
import { withFacets } from './with-facet.js';
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

test('a per-channel NHWC bias becomes a channels-first constant; a transpose that is a graph output stays', () => {
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
  assert.equal(count(c, 'Transpose'), 1, 'only the graph output nhwc');
  assert.deepEqual(c.constants.get(c.nodes.find((n) => n.op === 'Add')!.inputs[1])!.shape, [1, 3, 1, 1]);
});

const ints = (v: number[]) => Tensor.from('int64', [v.length], v);

test('transposes move through Concat, Softmax, Pad, Slice, a per-channel Mul, ReduceMean and Gather with axes remapped, and cancel', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('a', { dtype: 'float32', shape: [1, 3, 4, 5] });
  b.addInput('c', { dtype: 'float32', shape: [1, 3, 4, 5] });
  const joined = b.add1('Concat', [b.add1('Transpose', ['a'], { perm: TO_NHWC }), b.add1('Transpose', ['c'], { perm: TO_NHWC })], { axis: 3 });
  const soft = b.add1('Softmax', [joined], { axis: -1 });
  const padded = b.add1('Pad', [soft, b.constant('pads', ints([0, 1, 2, 0, 0, 1, 0, 0]))]);
  const cut = b.add1('Slice', [padded, b.constant('st', ints([1])), b.constant('en', ints([5])), b.constant('ax', ints([2]))]);
  const scaled = b.add1('Mul', [cut, b.constant('scale', Tensor.from('float32', [6], [1, 2, 3, 4, 5, 6]))]);
  const mean = b.add1('ReduceMean', [scaled, b.constant('axes', ints([1, 2]))], { keepdims: 0 }, 'mean');
  const picked = b.add1('Gather', [scaled, b.constant('idx', ints([4, 0]))], { axis: 3 });
  b.setOutputs([b.add1('Transpose', [scaled], { perm: TO_NCHW }, 'y'), mean, b.add1('Transpose', [picked], { perm: TO_NCHW }, 'z')]);
  const g = inferShapes(b.build());
  const c = cancelTransposes(g);
  assert.equal(count(c, 'Transpose'), 0);
  assert.equal(c.nodes.find((n) => n.op === 'Concat')!.attrs.axis, 1);
  assertSameComputation(g, c);
});

test('Split, Resize and ArgMax run channels-first; a transpose before Reshape or MatMul stays', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 4, 3, 5] });
  const nhwc = b.add1('Transpose', ['x'], { perm: TO_NHWC });
  const [s0, s1] = b.addNode('Split', [nhwc], { axis: 3, num_outputs: 2 }, { outputs: 2 });
  const big = b.add1('Resize', [s1, '', b.constant('scales', Tensor.from('float32', [4], [1, 2, 2, 1]))], { mode: 'nearest' });
  const best = b.add1('ArgMax', [s0], { axis: 3, keepdims: 0 }, 'best');
  const flat = b.add1('Reshape', [b.add1('Transpose', ['x'], { perm: TO_NHWC }), b.constant('shape', ints([1, -1]))], {}, 'flat');
  b.setOutputs([b.add1('Transpose', [big], { perm: TO_NCHW }, 'y'), best, flat]);
  const g = inferShapes(b.build());
  const c = cancelTransposes(g);
  assert.equal(count(c, 'Transpose'), 1, 'only the one feeding the Reshape');
  assert.equal(c.nodes.find((n) => n.op === 'Reshape')!.inputs[0], c.nodes.find((n) => n.op === 'Transpose')!.outputs[0]);
  assertSameComputation(g, c);
});

test('a residual block with hard-swish, whose NHWC value has three readers, ends up channels-first throughout', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 3, 4, 5] });
  const h = b.add1('Transpose', [b.add1('Relu', ['x'])], { perm: TO_NHWC });
  const gate = b.add1('Clip', [b.add1('Add', [h, b.constant('three', Tensor.scalar('float32', 3))]),
    b.constant('lo', Tensor.scalar('float32', 0)), b.constant('hi', Tensor.scalar('float32', 6))]);
  const swish = b.add1('Div', [b.add1('Mul', [h, gate]), b.constant('six', Tensor.scalar('float32', 6))]);
  const sum = b.add1('Add', [swish, h]);
  b.setOutputs([b.add1('Exp', [b.add1('Transpose', [sum], { perm: TO_NCHW })], {}, 'y')]);
  const g = inferShapes(b.build());
  const c = cancelTransposes(g);
  assert.equal(count(c, 'Transpose'), 0);
  assert.equal(layoutConversions(g).count, 2);
  assert.deepEqual(layoutConversions(c), { count: 0, conversions: [], between: {} });
  assertSameComputation(g, c);
});

test('the layout report names the ops a conversion sits between and skips transposes that only move unit dims', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 3, 4, 2] });
  b.addInput('u', { dtype: 'float32', shape: [1, 3, 4, 1] });
  const moved = b.add1('Transpose', [b.add1('Relu', ['x'])], { perm: TO_NCHW });
  const unit = b.add1('Transpose', ['u'], { perm: [3, 1, 2, 0] }, 'unit');
  b.setOutputs([b.add1('Reshape', [moved, b.constant('s', ints([-1]))], {}, 'y'), unit]);
  const r = layoutConversions(inferShapes(b.build()));
  assert.deepEqual(r, { count: 1, conversions: [{ node: 'Transpose', perm: TO_NCHW, from: 'Relu', to: ['Reshape'] }], between: { 'Relu -> Reshape': 1 } });
});

/** An NHWC input, a Pad, a Transpose to NCHW and a Conv. */
function padTransposeConv(): Graph {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 5, 6, 3] });
  const padded = b.add1('Pad', ['x', b.constant('pads', ints([0, 1, 0, 0, 0, 1, 1, 0]))]);
  const w = b.constant('w', randomTensor('float32', [2, 3, 3, 3], rng(12)));
  b.setOutputs([b.add1('Conv', [b.add1('Transpose', [padded], { perm: TO_NCHW }), w], { strides: [2, 2] }, 'y')]);
  return inferShapes(b.build());
}

test('a transpose between an NHWC input Pad and a Conv moves above the Pad, which then folds into the Conv', () => {
  const g = padTransposeConv();
  const c = cancelTransposes(g);
  assert.deepEqual(c.nodes.map((n) => n.op), ['Transpose', 'Pad', 'Conv']);
  assertSameComputation(g, c);
  const f = foldPad(c);
  assert.deepEqual(f.nodes.map((n) => n.op), ['Transpose', 'Conv']);
  assert.deepEqual(f.nodes[1].attrs.pads, [1, 0, 1, 1]);
  assertSameComputation(g, f, 1e-5);
});

test('layout planning learns how an op runs under a transpose from its permute facet, not its name', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [1, 4, 5, 3] });
  const summed = b.add1('CumSum', [b.add1('Transpose', ['x'], { perm: TO_NCHW }), b.constant('axis', Tensor.from('int64', [], [2]))]);
  const joined = b.add1('Concat', [summed, summed], { axis: 1 });
  b.setOutputs([b.add1('Transpose', [joined], { perm: TO_NHWC }, 'y')]);
  const g = inferShapes(b.build());
  assert.equal(count(cancelTransposes(g), 'Transpose'), 2, 'CumSum has no facet');
  // CumSum along axis a of transpose(x, p) is the transpose of CumSum along p[a] of x
  const cumSumPermute = {
    permute: ({ node, perm, constant }: { node: { attrs: Graph['nodes'][number]['attrs'] }; perm: readonly number[]; constant(i: number): Tensor | undefined }) => {
      const axis = constant(1);
      if (!axis) return undefined;
      const moved = Tensor.from('int64', axis.shape, [perm[normAxis(axis.toArray()[0], perm.length)]]);
      return { attrs: node.attrs, inputs: [LAYOUT, replaceInput(moved)], outPerms: [perm] };
    },
  };
  const c = withFacets('CumSum', cumSumPermute, () => cancelTransposes(g));
  assert.deepEqual(c.nodes.map((n) => n.op), ['CumSum', 'Concat']);
  assert.equal(c.nodes[1].attrs.axis, 3);
  sameOutputs(g, c, { x: [1, 4, 5, 3] });
  const stuck = withFacets('CumSum', cumSumPermute, () => withFacets('Concat', { permute: undefined }, () => cancelTransposes(g)));
  assert.equal(count(stuck, 'Transpose'), 2, 'without its facet Concat holds the transposes');
  sameOutputs(g, stuck, { x: [1, 4, 5, 3] });
});

test('the transpose hoist above a Pad asks the readers for absorbPad', () => {
  const g = padTransposeConv();
  const c = withFacets('Conv', { absorbPad: undefined }, () => cancelTransposes(g));
  assert.deepEqual(c.nodes.map((n) => n.op), ['Pad', 'Transpose', 'Conv']);
});
