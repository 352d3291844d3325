// MatMul, Gemm and Conv computes: register-tiled default schedules, other legal schedules and
// packed weights, run in the loop-IR interpreter against the reference kernels.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../src/loop/ir.js';
import { pack, reorder, split, unroll, vectorize } from '../../src/schedule/schedule.js';
import { checkOp } from './check.js';

/** The locals a kernel declares, with their types. */
function locals(s: Stmt, out: string[] = []): string[] {
  switch (s.k) {
    case 'local': out.push(`${s.type.scalar}x${s.type.lanes}`); locals(s.body, out); break;
    case 'for': case 'let': case 'alloc': locals(s.body, out); break;
    case 'seq': s.body.forEach((b) => locals(b, out)); break;
    case 'if': locals(s.then, out); if (s.else) locals(s.else, out); break;
    default: break;
  }
  return out;
}

/** The loads a register tile binds per reduction step: A for a broadcast scalar (load and splat), B for a vector row. */
function tileLoads(s: Stmt, out: string[] = []): string[] {
  switch (s.k) {
    case 'let':
      if (s.value.k === 'load' && s.value.type.lanes > 1) out.push(s.value.index.k === 'broadcast' ? 'A' : 'B');
      tileLoads(s.body, out); break;
    case 'local': case 'for': case 'alloc': tileLoads(s.body, out); break;
    case 'seq': s.body.forEach((b) => tileLoads(b, out)); break;
    default: break;
  }
  return out;
}

describe('MatMul and Gemm computes', () => {
  it('default 4x8 register tile: 8 accumulators of f32x4, 4 broadcasts of A and 2 vectors of B per k', () => {
    const { kernel } = checkOp('MatMul', {}, [{ shape: [8, 5] }, { shape: [5, 16] }]);
    assert.deepEqual(locals(kernel.body), new Array(8).fill('f32x4'));
    assert.deepEqual(tileLoads(kernel.body).sort(), ['A', 'A', 'A', 'A', 'B', 'B']);
  });
  it('odd shapes, 1-D operands and broadcast batches', () => {
    checkOp('MatMul', {}, [{ shape: [3, 5] }, { shape: [5, 7] }]);
    checkOp('MatMul', {}, [{ shape: [5] }, { shape: [5, 4] }]);
    checkOp('MatMul', {}, [{ shape: [2, 3, 5] }, { shape: [5] }]);
    checkOp('MatMul', {}, [{ shape: [2, 1, 4, 3] }, { shape: [3, 3, 8] }]);
  });
  it('other legal schedules: k split and unrolled, 2x4 tile, ragged outer split', () => {
    const ab = [{ shape: [6, 12] }, { shape: [12, 8] }];
    checkOp('MatMul', {}, ab, [split('m', 2), split('n', 4), split('k', 4), reorder(['m.o', 'n.o', 'k.o', 'k.i', 'm.i', 'n.i']),
      unroll('m.i'), vectorize('n.i'), unroll('k.i')]);
    checkOp('MatMul', {}, ab, [split('n', 4), vectorize('n.i')]);
    checkOp('MatMul', {}, ab, [split('m', 5), split('n', 3)]);
    checkOp('MatMul', {}, ab, [reorder(['n', 'm'])]);
  });
  it('Gemm with transposes, alpha/beta and broadcast C', () => {
    checkOp('Gemm', { alpha: 0.5, beta: 2, transA: 1 }, [{ shape: [5, 4] }, { shape: [5, 8] }, { shape: [8] }]);
    checkOp('Gemm', { transB: 1 }, [{ shape: [4, 5] }, { shape: [8, 5] }, { shape: [4, 1] }]);
    checkOp('Gemm', {}, [{ shape: [3, 5] }, { shape: [5, 6] }]);
  });
});

describe('Conv compute', () => {
  const conv = (x: number[], w: number[], bias = true) =>
    [{ shape: x }, { shape: w, constant: true }, ...(bias ? [{ shape: [w[0]], constant: true }] : [])];

  it('default: 4 output channels x 8 columns tile over packed weights', () => {
    const { kernel } = checkOp('Conv', { pads: [1, 1, 1, 1] }, conv([1, 3, 6, 8], [8, 3, 3, 3]));
    assert.deepEqual(locals(kernel.body), new Array(8).fill('f32x4'));
  });
  it('1x1, strided, dilated, grouped, depthwise and ragged shapes', () => {
    checkOp('Conv', {}, conv([2, 5, 4, 8], [6, 5, 1, 1]));
    checkOp('Conv', { strides: [2, 2], pads: [1, 1, 0, 0] }, conv([1, 3, 9, 17], [4, 3, 3, 3]));
    checkOp('Conv', { dilations: [2, 2], pads: [2, 2, 2, 2] }, conv([1, 2, 7, 8], [4, 2, 3, 3]));
    checkOp('Conv', { group: 2 }, conv([1, 4, 5, 5], [6, 2, 3, 3], false));
    checkOp('Conv', { group: 4, pads: [1, 1, 1, 1] }, conv([1, 4, 7, 12], [4, 1, 3, 3]));
    checkOp('Conv', { auto_pad: 'SAME_UPPER' }, conv([1, 3, 5, 7], [5, 3, 2, 2]));
  });
  it('other schedules: no tile, o tile only, packed by 2, 8-wide vector only', () => {
    const args = conv([1, 4, 6, 8], [4, 4, 3, 3]);
    checkOp('Conv', { pads: [1, 1, 1, 1] }, args, []);
    checkOp('Conv', { pads: [1, 1, 1, 1] }, args, [split('o', 2), reorder(['n', 'o.o', 'oh', 'ow', 'c', 'kh', 'kw', 'o.i']), unroll('o.i')]);
    checkOp('Conv', { pads: [1, 1, 1, 1] }, args, [pack('x1', { axis: 0, block: 2 })]);
    checkOp('Conv', { pads: [1, 1, 1, 1] }, args, [pack('x1', { axis: 1, block: 3 }), reorder(['n', 'o', 'oh', 'c', 'kh', 'kw', 'ow']), vectorize('ow')]);
  });
});
