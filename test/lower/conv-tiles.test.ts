// Vector tiles for widths no tile divides: shifted last tiles for Conv (7, 14, 17, 35 wide), pointwise
// convs as one flat pixel axis, depthwise 3x3 at stride 1 and 2, strided and ragged convs through copies,
// and shifted splits elsewhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../src/loop/ir.js';
import { IllegalScheduleError, reorder, split, unroll, vectorize } from '../../src/schedule/schedule.js';
import { forEachExpr, forEachInStmt } from '../../src/loop/visit.js';
import { checkOp } from './check.js';

/** The vector accumulators a kernel declares. */
function vectorLocals(s: Stmt): number {
  switch (s.k) {
    case 'local': return (s.type.lanes > 1 ? 1 : 0) + vectorLocals(s.body);
    case 'for': case 'let': case 'alloc': return vectorLocals(s.body);
    case 'seq': return s.body.reduce((n, b) => n + vectorLocals(b), 0);
    case 'if': return vectorLocals(s.then) + (s.else ? vectorLocals(s.else) : 0);
    default: return 0;
  }
}

const conv = (x: number[], w: number[]) => [{ shape: x }, { shape: w, constant: true }, { shape: [w[0]], constant: true }];

describe('conv vector tiles on odd widths', () => {
  it('3x3 convs 7, 14, 17 and 35 wide get vector accumulators', () => {
    for (const width of [7, 14, 17, 35]) {
      const { kernel } = checkOp('Conv', { pads: [1, 1, 1, 1] }, conv([1, 3, 3, width], [4, 3, 3, 3]));
      assert.ok(vectorLocals(kernel.body) >= 4, `width ${width}: ${vectorLocals(kernel.body)} vector accumulators`);
    }
  });
  it('1x7 and 7x1 kernels on 17x17; a 7x1 kernel runs its tiles along the flat 289 pixels', () => {
    checkOp('Conv', { pads: [0, 3, 0, 3] }, conv([1, 2, 17, 17], [4, 2, 1, 7]));
    const { kernel } = checkOp('Conv', { pads: [3, 0, 3, 0] }, conv([1, 2, 17, 17], [4, 2, 7, 1]));
    const extents = new Map<string, number>();
    forEachInStmt(kernel.body, () => {}, (st) => { if (st.k === 'for' && st.extent.k === 'const') extents.set(st.v, st.extent.value); });
    assert.equal(extents.get('y_ow_o'), Math.ceil(289 / 8));
    checkOp('Conv', { pads: [2, 0, 2, 0], dilations: [2, 1] }, conv([1, 3, 9, 6], [4, 3, 3, 1]));
    checkOp('Conv', { auto_pad: 'SAME_UPPER' }, conv([1, 3, 9, 6], [4, 3, 4, 1]));
  });
  it('pointwise convs run along the flat pixel axis, so a 3x3 map still fills vectors', () => {
    const { kernel } = checkOp('Conv', {}, conv([2, 5, 3, 3], [8, 5, 1, 1]));
    assert.ok(vectorLocals(kernel.body) >= 4);
    checkOp('Conv', { strides: [1, 1], pads: [0, 0, 0, 0] }, conv([1, 6, 7, 7], [4, 6, 1, 1]));
    checkOp('Conv', { group: 2 }, conv([1, 4, 5, 5], [6, 2, 1, 1]));
    // strided or padded 1x1 convs are not pointwise
    checkOp('Conv', { strides: [2, 2] }, conv([1, 3, 9, 9], [4, 3, 1, 1]));
    checkOp('Conv', { pads: [1, 1, 1, 1] }, conv([1, 3, 6, 6], [4, 3, 1, 1]));
  });
  it('depthwise 3x3 at stride 1 and 2 vectorises with 4 accumulators, reading its input in place (no copy for one channel per group)', () => {
    for (const [size, stride] of [[7, 1], [14, 1], [14, 2], [15, 2]]) {
      const { kernel } = checkOp('Conv', { group: 8, pads: [1, 1, 1, 1], strides: [stride, stride] }, conv([1, 8, size, size], [8, 1, 3, 3]));
      // 2 channels x 8 columns or 4 x 4: each channel loads its own rows, so more accumulators only spill
      assert.equal(vectorLocals(kernel.body), 4, `depthwise ${size} stride ${stride}`);
      const allocs: string[] = [];
      forEachInStmt(kernel.body, () => {}, (st) => { if (st.k === 'alloc') allocs.push(st.buf.name); });
      assert.deepEqual(allocs, ['y_pad']);
    }
  });
  it('strided and ragged convs read a column or im2col copy, so every vector load of the reduction is contiguous', () => {
    const cases: [number[], number[], Record<string, number[] | number>][] = [
      [[1, 3, 11, 35], [8, 3, 3, 3], { strides: [2, 2] }],
      [[1, 4, 9, 40], [8, 4, 3, 3], { strides: [1, 3], pads: [1, 1, 1, 1], dilations: [1, 2] }],
      [[1, 6, 10, 18], [16, 3, 1, 1], { strides: [2, 2], group: 2 }],
      // channel-dense convs 17 (or 9) wide read an im2col copy along the flat pixel axis
      [[1, 8, 11, 35], [8, 8, 3, 3], { strides: [2, 2] }],
      [[1, 8, 5, 17], [8, 8, 1, 7], { pads: [0, 3, 0, 3] }],
      [[1, 16, 9, 9], [16, 8, 3, 3], { pads: [1, 1, 1, 1], group: 2 }],
    ];
    // 1-D and 3-D convs take the same copy (their schedules do not tile yet)
    checkOp('Conv', { strides: [2], pads: [2, 2] }, conv([1, 2, 33], [4, 2, 5]));
    checkOp('Conv', { strides: [1, 2, 2], pads: [0, 1, 1, 0, 1, 1] }, conv([1, 2, 4, 5, 20], [4, 2, 2, 3, 3]));
    for (const [x, w, attrs] of cases) {
      const { kernel } = checkOp('Conv', attrs, conv(x, w));
      const strides: number[] = [];
      forEachInStmt(kernel.body, (e) => forEachExpr(e, (l) => {
        if (l.k === 'load' && ['y_cols', 'y_patches'].includes(l.buf.name) && l.index.k === 'ramp') strides.push(l.index.stride);
      }));
      assert.ok(strides.length > 0 && strides.every((st) => st === 1), `${JSON.stringify(attrs)}: ramps of stride ${strides.join(',')}`);
    }
  });
  it('widths below one vector stay scalar', () => {
    const { kernel } = checkOp('Conv', { pads: [1, 1, 1, 1] }, conv([1, 2, 3, 3], [4, 2, 3, 3]));
    assert.equal(vectorLocals(kernel.body), 0);
  });
});

describe('shifted splits', () => {
  it('elementwise and MatMul register tiles with a shifted last block', () => {
    checkOp('Tanh', {}, [{ shape: [3, 7] }], [split('i1', 4, undefined, 'shift'), vectorize('i1.i')]);
    checkOp('Tanh', {}, [{ shape: [3, 7] }], [split('i0', 2, undefined, 'shift'), unroll('i0.i')]);
    checkOp('MatMul', {}, [{ shape: [6, 5] }, { shape: [5, 10] }], [split('m', 4, undefined, 'shift'), split('n', 8, undefined, 'shift'),
      reorder(['m.o', 'n.o', 'k', 'm.i', 'n.i']), unroll('m.i'), vectorize('n.i')]);
  });
  it('needs an extent of at least the factor', () => {
    assert.throws(() => checkOp('Tanh', {}, [{ shape: [3, 3] }], [split('i1', 4, undefined, 'shift')]), IllegalScheduleError);
  });
});
