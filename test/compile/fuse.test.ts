// Operator fusion: which nodes share a kernel (the partition), and that a fused kernel computes what
// the reference executor does, for conv / matmul / pool epilogues and elementwise chains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { fuseGraph } from '../../src/compile/fuse.js';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';

const opsOf = (g: Graph) => fuseGraph(g).map((group) => group.nodes.map((n) => n.op).join('+'));

function convGraph(opts: { x: number[]; w: number[]; attrs?: Record<string, number[] | number>; tail: (b: GraphBuilder, y: string) => string }): Graph {
  const next = rng(11);
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: opts.x });
  const w = b.constant('w', randomTensor('float32', opts.w, next, -1, 1));
  const bias = b.constant('bias', randomTensor('float32', [opts.w[0]], next, -1, 1));
  const y = b.add1('Conv', ['x', w, bias], opts.attrs ?? {}, 'conv');
  b.setOutputs([opts.tail(b, y)]);
  return inferShapes(b.build());
}

/** Compiles g fused and unfused and checks both against the reference executor; returns the fused kernel count. */
async function checkCompiled(g: Graph): Promise<number> {
  const feeds = Object.fromEntries(g.inputs.map((name, i) => {
    const info = g.values.get(name)!;
    return [name, randomTensor(info.dtype, info.shape as number[], rng(20 + i), -2, 2)];
  }));
  const want = execute(g, feeds);
  let fusedKernels = 0;
  for (const fuse of [true, false]) {
    for (const target of ['wasm-simd', 'wasm'] as const) {
      const { bytes, report } = await compile(g, { target, fuse });
      if (fuse) fusedKernels = report.kernels;
      const got = await (await load(bytes)).run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.numbers as Float32Array])));
      for (const name of g.outputs) {
        const w = want.get(name)!.numbers, y = got[name].data;
        assert.equal(y.length, w.length);
        for (let i = 0; i < w.length; i++) {
          assert.ok(Math.abs(Number(y[i]) - w[i]) <= 1e-5 * Math.max(1, Math.abs(w[i])), `${target} fuse=${fuse} ${name}[${i}]: ${y[i]} vs ${w[i]}`);
        }
      }
    }
  }
  return fusedKernels;
}

test('a conv takes its bias, scale, residual and activation as one epilogue', async () => {
  const g = convGraph({
    x: [1, 8, 9, 11], w: [8, 8, 3, 3], attrs: { pads: [1, 1, 1, 1] },
    tail: (b, y) => {
      const scaled = b.add1('Mul', [y, b.constant('scale', randomTensor('float32', [1, 8, 1, 1], rng(3), 0.5, 2))], {}, 'scale');
      const res = b.add1('Add', [scaled, 'x'], {}, 'residual');
      return b.add1('Clip', [res, b.constant('lo', Tensor.from('float32', [], [0])), b.constant('hi', Tensor.from('float32', [], [6]))], {}, 'relu6');
    },
  });
  assert.deepEqual(opsOf(g), ['Conv+Mul+Add+Clip']);
  assert.equal(await checkCompiled(g), 1);
});

test('a pointwise conv (one H*W axis) reads its epilogue inputs through that axis, or stays unfused', async () => {
  const full = convGraph({ x: [1, 4, 5, 7], w: [4, 4, 1, 1], tail: (b, y) => b.add1('Relu', [b.add1('Add', [y, 'x'])]) });
  assert.equal(await checkCompiled(full), 1);
  // a row vector varies along W only: it cannot be read along H*W, so the Add runs as its own kernel
  const row = convGraph({
    x: [1, 4, 5, 8], w: [4, 4, 1, 1],
    tail: (b, y) => b.add1('Add', [y, b.constant('row', randomTensor('float32', [1, 1, 1, 8], rng(4), -1, 1))]),
  });
  assert.deepEqual(opsOf(row), ['Conv+Add']);
  assert.equal(await checkCompiled(row), 2);
});

test('matmul and pooling epilogues, and elementwise chains, are one kernel each', async () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('a', { dtype: 'float32', shape: [6, 16] });
  b.addInput('c', { dtype: 'float32', shape: [6, 8] });
  const m = b.add1('MatMul', ['a', b.constant('w', randomTensor('float32', [16, 8], rng(5), -1, 1))]);
  const act = b.add1('Sigmoid', [b.add1('Add', [m, b.constant('b', randomTensor('float32', [8], rng(6), -1, 1))])]);
  const chain = b.add1('Tanh', [b.add1('Mul', [b.add1('Sub', ['c', act]), 'c'])]);
  b.setOutputs([chain]);
  const g = inferShapes(b.build());
  assert.deepEqual(opsOf(g), ['MatMul+Add+Sigmoid+Sub+Mul+Tanh']);
  assert.equal(await checkCompiled(g), 1);

  const p = new GraphBuilder('p', { format: 'test' });
  p.addInput('x', { dtype: 'float32', shape: [1, 3, 8, 8] });
  const pooled = p.add1('MaxPool', ['x'], { kernel_shape: [2, 2], strides: [2, 2] });
  p.setOutputs([p.add1('Mul', [p.add1('GlobalAveragePool', [pooled]), p.constant('k', Tensor.from('float32', [], [3]))])]);
  const pg = inferShapes(p.build());
  assert.deepEqual(opsOf(pg), ['MaxPool', 'GlobalAveragePool+Mul']);
  assert.equal(await checkCompiled(pg), 2);
});

test('elementwise diamonds fuse; a value read outside its group, or a graph output, cuts the group there', async () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [4, 8] });
  b.addInput('big', { dtype: 'float32', shape: [3, 4, 8] });
  const r = b.add1('Relu', ['x'], {}, 'r');
  const twice = b.add1('Add', [b.add1('Exp', [r]), b.add1('Neg', [r])], {}, 'twice');
  const out = b.add1('Sigmoid', [twice], {}, 'out');
  const grown = b.add1('Mul', [out, 'big'], {}, 'grown');
  b.setOutputs([out, grown]);
  const g = inferShapes(b.build());
  // out is a graph output, so the group ends there; the Mul's output is bigger than out
  assert.deepEqual(opsOf(g), ['Relu+Exp+Neg+Add+Sigmoid', 'Mul']);
  assert.equal(await checkCompiled(g), 2);

  const c = new GraphBuilder('c', { format: 'test' });
  c.addInput('x', { dtype: 'float32', shape: [4, 8] });
  const e = c.add1('Exp', [c.add1('Relu', ['x'], {}, 'r')], {}, 'e');
  const s = c.add1('Sigmoid', [e], {}, 's');
  // the ReduceSum reads e, so Relu+Exp is cut off before the Sigmoid that had joined it
  c.setOutputs([c.add1('Mul', [s, c.add1('ReduceSum', [e, c.constant('axes', Tensor.from('int64', [1], [1]))], {}, 'sum')], {}, 'y')]);
  const cg = inferShapes(c.build());
  assert.deepEqual(opsOf(cg), ['Relu+Exp', 'Sigmoid', 'ReduceSum', 'Mul']);
  assert.equal(await checkCompiled(cg), 4);
});

test('a conv\'s output read twice by its epilogue (hard-swish) stays one kernel', async () => {
  const g = convGraph({
    x: [1, 3, 10, 10], w: [6, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 0, 1, 0] },
    tail: (b, y) => {
      const k = (name: string, x: number) => b.constant(name, Tensor.from('float32', [], [x]));
      const gate = b.add1('Div', [b.add1('Clip', [b.add1('Add', [y, k('three', 3)]), k('lo', 0), k('hi', 6)]), k('six', 6)]);
      return b.add1('Mul', [y, gate]);
    },
  });
  assert.deepEqual(opsOf(g), ['Conv+Add+Clip+Div+Mul']);
  assert.equal(await checkCompiled(g), 1);
});

test('a reduction takes its elementwise producers and consumers into one kernel', async () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [3, 10, 6] });
  const k = (name: string, x: number) => b.constant(name, Tensor.from('float32', [], [x]));
  const e = b.add1('Exp', [b.add1('Mul', ['x', k('half', 0.5)])]);
  const sum = b.add1('ReduceSum', [e, b.constant('axes', Tensor.from('int64', [1], [1]))], { keepdims: 1 });
  const lse = b.add1('Log', [sum]);
  const soft = b.add1('Mul', [b.add1('Softmax', [b.add1('Sub', ['x', k('one', 1)])], { axis: 1 }), k('two', 2)]);
  const pooled = b.add1('Sigmoid', [b.add1('GlobalAveragePool', [b.add1('Relu', [b.add1('Neg', ['x'])])])]);
  // the softmax's consumers become its epilogue, so a reduction after them starts a group of its own
  const after = b.add1('ReduceMax', [b.add1('Abs', [soft]), b.constant('axes2', Tensor.from('int64', [1], [2]))], { keepdims: 0 });
  b.setOutputs([lse, pooled, after]);
  const g = inferShapes(b.build());
  assert.deepEqual(opsOf(g), ['Mul+Exp+ReduceSum+Log', 'Neg+Relu+GlobalAveragePool+Sigmoid', 'Sub+Softmax+Mul+Abs', 'ReduceMax']);
  assert.equal(await checkCompiled(g), 4);
});

test('a movement op takes its elementwise producers and consumers into one kernel', async () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 3, 5] });
  b.addInput('y', { dtype: 'float32', shape: [2, 3, 4] });
  const t = b.add1('Sigmoid', [b.add1('Transpose', [b.add1('Relu', ['x'])], { perm: [2, 0, 1] })]);
  const c = b.add1('Neg', [b.add1('Concat', [b.add1('Exp', ['x']), b.add1('Abs', ['y'])], { axis: 2 })]);
  b.setOutputs([t, c]);
  const g = inferShapes(b.build());
  // the Concat joins the Exp's group; the Abs's value is that group's output, read from memory
  assert.deepEqual(opsOf(g), ['Relu+Transpose+Sigmoid', 'Abs', 'Exp+Concat+Neg']);
  assert.equal(await checkCompiled(g), 3);
});
