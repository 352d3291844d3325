// Shared values in lowered kernels: fused chains of ops that read their input several times (Mish,
// HardSwish, tanh-Gelu, Where chains) must evaluate each value once and keep the kernel linear in size.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { rng, randomTensor } from '../../src/io/random.js';
import { interpretKernel } from '../../src/loop/interpret.js';
import { bin, fconst, select, un, type Kernel } from '../../src/loop/ir.js';
import { simplifyKernel } from '../../src/loop/simplify.js';
import { vectorizeLoops } from '../../src/loop/vectorize.js';
import { simd128 } from '../../src/target/wasm/facts.js';
import { forEachInStmt } from '../../src/loop/visit.js';
import { lowerKernel } from '../../src/lower/lower.js';
import { compute, placeholder, type TeTensor } from '../../src/lower/te.js';
import { opDef } from '../../src/ops/index.js';
import { resolveAttrs } from '../../src/ops/op.js';
import { vectorize } from '../../src/schedule/schedule.js';
import { checkOp } from './check.js';

const SHAPE = [3, 10];

/** `op` applied `depth` times as one fused kernel (each compute inlines the previous one). */
function chain(op: string, attrs: Record<string, string>, depth: number): Kernel {
  const def = opDef(op)!;
  const x = placeholder('x', SHAPE, 'f32');
  let t: TeTensor = x;
  for (let d = 0; d < depth; d++) {
    const name = d === depth - 1 ? 'y' : `t${d}`;
    t = def.compute!({
      attrs: resolveAttrs(def.attrs, attrs), inputs: [t], inputTypes: [{ dtype: 'float32', shape: SHAPE }],
      constant: () => undefined, outputs: [{ name, shape: SHAPE, elem: 'f32' }],
    })[0];
  }
  if (t.kind !== 'compute') throw new Error('chain of placeholders');
  return lowerKernel({ name: 'chain', inputs: [x], outputs: [t], schedule: [vectorize('i1')] });
}

/** Expression nodes of the kernel counted as a tree: what code generation walks. */
function treeSize(k: Kernel): number {
  let n = 0;
  forEachInStmt(k.body, () => { n++; });
  return n;
}

function loadsOf(k: Kernel): number {
  let n = 0;
  forEachInStmt(k.body, (e) => { if (e.k === 'load') n++; });
  return n;
}

describe('shared subexpressions', () => {
  for (const [op, attrs] of [['Mish', {}], ['HardSwish', {}], ['Gelu', { approximate: 'tanh' }], ['Softplus', {}]] as const) {
    it(`${op} x6 fused: linear size, one load of x, same values as 6 reference runs`, () => {
      const six = chain(op, attrs, 6), twelve = chain(op, attrs, 12);
      assert.ok(treeSize(twelve) < 2.2 * treeSize(six), `${op}: 6 ops give ${treeSize(six)} nodes, 12 give ${treeSize(twelve)}`);
      assert.equal(loadsOf(six), 1);
      const def = opDef(op)!;
      const node: Node = { name: 'n', op, inputs: ['x'], outputs: ['y'], attrs: { ...attrs } };
      const x = randomTensor('float32', SHAPE, rng(3), -3, 3);
      let want: Tensor = x;
      for (let d = 0; d < 6; d++) want = def.run!({ node, attrs: resolveAttrs(def.attrs, attrs), inputs: [want] })[0];
      for (const k of [six, { ...six, body: vectorizeLoops(simplifyKernel(six).body, { lanes: simd128 }) }]) {
        const got = new Float32Array(want.size);
        interpretKernel(k, [x.numbers as Float32Array, got]);
        want.numbers.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-5 * (1 + Math.abs(w)), `${op}[${i}]: got ${got[i]}, want ${w}`));
      }
    });
  }

  it('equal values rebuilt by separate reads are bound once', () => {
    const x = placeholder('x', [4, 6], 'f32');
    const a = compute('a', [4, 6], (i) => bin('mul', x.at(i), fconst(3)));
    const y = compute('y', [4, 6], (i) => select(bin('gt', a.at(i), fconst(0)), a.at(i), un('neg', a.at(i))));
    const kernel = lowerKernel({ name: 'where', inputs: [x], outputs: [y] });
    let muls = 0;
    forEachInStmt(kernel.body, (e) => { if (e.k === 'bin' && e.op === 'mul' && e.type.scalar === 'f32') muls++; });
    assert.deepEqual([loadsOf(kernel), muls], [1, 1]);
    const X = randomTensor('float32', [4, 6], rng(5)).numbers as Float32Array, Y = new Float32Array(24);
    interpretKernel(kernel, [X, Y]);
    X.forEach((v, j) => assert.equal(Y[j], Math.abs(Math.fround(v * 3))));
    assert.equal(loadsOf(checkOp('Mish', {}, [{ shape: [5, 8] }]).kernel), 1);
  });
});
