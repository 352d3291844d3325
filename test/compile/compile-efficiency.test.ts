// What the compile path leaves out: identical kernels share one function, views (Reshape, ...)
// run no kernel, and constants read only while compiling (pads, shapes) are not in the weights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';

test('identical kernels are one function, views and compile-time constants cost nothing', async () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [16] });
  const r2 = b.add1('Relu', [b.add1('Exp', [b.add1('Relu', ['x'], {}, 'r1')], {}, 'e')], {}, 'r2');
  const v = b.add1('Reshape', [r2, b.constant('shape', Tensor.from('int64', [2], [2, 8]))], {}, 'v');
  b.setOutputs([b.add1('Pad', [v, b.constant('pads', Tensor.from('int64', [4], [0, 1, 0, 1]))], {}, 'y')]);
  const g = inferShapes(b.build());

  for (const target of ['wasm-simd', 'wasm'] as const) {
    // unfused, so each elementwise op is a kernel of its own
    const { bytes, report } = await compile(g, { target, fuse: false });
    assert.equal(report.kernels, 4, 'Relu, Exp, Relu, Pad: the Reshape runs nothing');
    assert.equal(report.uniqueKernels, 3, 'the two Relus over [16] are one function');
    assert.equal(report.weightsBytes, 0, 'the shape and the pads were read while compiling');
    const x = randomTensor('float32', [16], rng(5));
    const want = execute(g, { x }).get('y')!.numbers;
    const got = await (await load(bytes)).run({ x: x.numbers as Float32Array });
    const y = got.y.data as Float32Array;
    assert.equal(y.length, want.length);
    want.forEach((w, i) => assert.ok(Math.abs(y[i] - w) <= 1e-6 * Math.max(1, Math.abs(w)), `${target} y[${i}]: ${y[i]} vs ${w}`));
  }
});

test('a view of a graph input feeding a graph output, and a view that is itself an output', async () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 3] });
  const flat = b.add1('Flatten', ['x'], { axis: 0 }, 'flat');
  const s = b.add1('Sigmoid', [flat], {}, 's');
  b.setOutputs([s, b.add1('Squeeze', [s, b.constant('axes', Tensor.from('int64', [1], [0]))], {}, 'sq')]);
  const g = inferShapes(b.build());
  const { bytes, report } = await compile(g);
  assert.equal(report.kernels, 2, 'Sigmoid and the Squeeze that writes a graph output of its own');
  const x = randomTensor('float32', [2, 3], rng(6));
  const want = execute(g, { x });
  const got = await (await load(bytes)).run({ x: x.numbers as Float32Array });
  for (const name of ['s', 'sq']) {
    const w = want.get(name)!.numbers, y = got[name].data as Float32Array;
    w.forEach((v, i) => assert.ok(Math.abs(y[i] - v) <= 1e-6, `${name}[${i}]: ${y[i]} vs ${v}`));
  }
});
