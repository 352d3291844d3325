// Unscheduled stages take steps read off their access pattern: a contiguous innermost reduction
// axis is vectorised, else a contiguous output axis becomes a vector tile; strided reads stay scalar.
// Each kernel is then vectorised and interpreted against the reference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Attrs } from '../../src/ir/graph.js';
import type { Kernel, Stmt } from '../../src/loop/ir.js';
import { forEachInStmt } from '../../src/loop/visit.js';
import { vectorizeLoops } from '../../src/loop/vectorize.js';
import { simd128 } from '../../src/target/wasm/facts.js';
import { checkOp, type InputSpec } from './check.js';

const axes = (...a: number[]): InputSpec => ({ shape: [a.length], dtype: 'int64', values: a, constant: true });

/**
 * The lowered kernel's vectorised loops, and its vector accumulators as 'tile:NAME'; the kernel the
 * vectorize pass makes of it is what is checked against the reference.
 */
function vectorLoops(op: string, attrs: Attrs, inputs: readonly InputSpec[]): string[] {
  const widened = (k: Kernel): Kernel => ({ ...k, body: vectorizeLoops(k.body, { lanes: simd128, onScalar: (v, why) => assert.fail(`${op}: loop ${v} left scalar: ${why}`) }) });
  const { kernel } = checkOp(op, attrs, inputs, undefined, { tol: 1e-4, transform: widened });
  const loops: string[] = [];
  forEachInStmt(kernel.body, () => {}, (s: Stmt) => {
    if (s.k === 'for' && s.kind === 'vectorized') loops.push(s.v);
    if (s.k === 'local' && s.type.lanes > 1) loops.push(`tile:${s.v}`);
  });
  return loops;
}

describe('steps of unscheduled stages', () => {
  it('a reduction along the contiguous last axis vectorises that axis, tails included', () => {
    assert.deepEqual(vectorLoops('ReduceSum', {}, [{ shape: [5, 37] }, axes(1)]), ['y_r0']);
    assert.deepEqual(vectorLoops('ReduceMax', { keepdims: 0 }, [{ shape: [2, 3, 6, 6] }, axes(2, 3)]), ['y_r1']);
    assert.deepEqual(vectorLoops('GlobalAveragePool', {}, [{ shape: [1, 3, 5, 5] }]).length, 1);
  });
  it('a reduction over outer axes makes the contiguous output axis a vector tile', () => {
    assert.deepEqual(vectorLoops('ReduceSum', { keepdims: 0 }, [{ shape: [7, 3, 16] }, axes(0, 1)]), ['tile:y_acc0', 'tile:y_acc1']);
    assert.deepEqual(vectorLoops('ReduceMin', {}, [{ shape: [5, 12] }, axes(0)]), ['tile:y_acc0']);
  });
  it('a product, a strided or an unaligned reduction stays scalar', () => {
    assert.deepEqual(vectorLoops('ReduceProd', {}, [{ shape: [3, 16], range: [0.5, 1.5] }, axes(1)]), []);
    assert.deepEqual(vectorLoops('ReduceSum', {}, [{ shape: [16, 3] }, axes(0)]), []);
  });
  it("Softmax vectorises its max and sum along a contiguous axis and its last stage's rows", () => {
    assert.deepEqual(vectorLoops('Softmax', {}, [{ shape: [4, 33] }]), ['y_max_r0', 'y_exp_i1', 'y_sum_r0', 'y_i1']);
    assert.deepEqual(vectorLoops('Softmax', { axis: 0 }, [{ shape: [5, 8] }]),
      ['tile:y_max_acc0', 'tile:y_max_acc1', 'y_exp_i1', 'tile:y_sum_acc0', 'tile:y_sum_acc1', 'y_i1']);
    assert.deepEqual(vectorLoops('LogSoftmax', {}, [{ shape: [4, 33] }]), ['y_max_r0', 'y_sum_r0', 'y_i1']);
    const norm = vectorLoops('LayerNormalization', { axis: -1 }, [{ shape: [3, 20] }, { shape: [20] }, { shape: [20] }]);
    assert.ok(norm.length >= 3, `LayerNormalization: ${norm.join(', ')}`);
  });
});
