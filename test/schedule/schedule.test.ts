// Schedule legality: every illegal step throws IllegalScheduleError naming the step and why; every
// point of the matmul and conv knob spaces lowers to a kernel that matches the reference.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { convTemplate, matmulTemplate } from '../../src/schedule/templates.js';
import { enumerate } from '../../src/schedule/knobs.js';
import { reductionTemplate } from '../../src/schedule/reduction.js';
import {
  IllegalScheduleError, fuse, pack, parallel, reorder, split, unroll, vectorize, type Schedule,
} from '../../src/schedule/schedule.js';
import { checkOp } from '../lower/check.js';

function illegal(op: string, inputs: Parameters<typeof checkOp>[2], schedule: Schedule, why: RegExp, attrs = {}): void {
  assert.throws(() => checkOp(op, attrs, inputs, schedule), (err: unknown) => {
    assert.ok(err instanceof IllegalScheduleError, `expected IllegalScheduleError, got ${String(err)}`);
    assert.match(err.message, why);
    return true;
  });
}

const mm = [{ shape: [4, 6] }, { shape: [6, 8] }];
const axes0 = { shape: [1], dtype: 'int64' as const, values: [0], constant: true };
const axes1 = { ...axes0, values: [1] };

describe('illegal schedule steps', () => {
  it('unknown axis or stage', () => {
    illegal('MatMul', mm, [split('q', 2)], /split\(q, 2\).*no axis q/);
    illegal('MatMul', mm, [unroll('m', 'nope')], /no stage nope/);
  });
  it('non-positive or fractional split factors', () => {
    illegal('MatMul', mm, [split('m', 0)], /positive integer/);
    illegal('MatMul', mm, [split('m', 1.5)], /positive integer/);
  });
  it('vectorising a reduction axis that is not innermost, holds a tile or multiplies; or a non-innermost loop', () => {
    illegal('MatMul', mm, [reorder(['k', 'm', 'n']), vectorize('k')], /must be the innermost loop/);
    illegal('MatMul', mm, [split('n', 4), reorder(['m', 'n.o', 'k', 'n.i']), unroll('n.i'), vectorize('k')], /must be the innermost loop/);
    illegal('ReduceProd', [{ shape: [6, 8] }, axes1], [vectorize('r0')], /product reduction/);
    illegal('Exp', [{ shape: [4, 4] }], [vectorize('i0')], /innermost/);
  });
  it('a ragged tail under a vector or register-tile axis', () => {
    illegal('Exp', [{ shape: [4, 7] }], [split('i1', 4), vectorize('i1.i')], /ragged tail/);
    illegal('MatMul', [{ shape: [5, 6] }, { shape: [6, 8] }], [split('m', 2), reorder(['m.o', 'n', 'k', 'm.i']), unroll('m.i')], /ragged tail/);
  });
  it('register tile axes must be unrolled or vectorised, vectors a multiple of the lanes', () => {
    illegal('MatMul', mm, [reorder(['m', 'k', 'n'])], /unrolled or vectorised/);
    illegal('MatMul', [{ shape: [4, 6] }, { shape: [6, 6] }], [reorder(['m', 'k', 'n']), vectorize('n')], /multiple of 4/);
  });
  it('vector indices that are not affine', () => {
    illegal('ReduceSum', [{ shape: [6, 2, 4] }, axes0], [fuse('i1', 'i2'), reorder(['i0', 'r0', 'i1.i2']), vectorize('i1.i2')], /not affine/);
  });
  it('fuse of non-adjacent axes, parallel reduction, double annotation', () => {
    illegal('MatMul', mm, [fuse('m', 'k')], /directly inside/);
    illegal('MatMul', mm, [parallel('k')], /reduction axis/);
    illegal('MatMul', mm, [unroll('m'), vectorize('m')], /already unrolled/);
  });
  it('pack of a non-constant or unknown input, or of a missing axis', () => {
    illegal('MatMul', mm, [pack('w', { axis: 0, block: 4 })], /no input w/);
    illegal('MatMul', mm, [pack('x1', { axis: 1, block: 4 })], /not a compile-time constant/);
    illegal('MatMul', [{ shape: [4, 6] }, { shape: [6, 8], constant: true }], [pack('x1', { axis: 2, block: 4 })], /outside rank/);
  });
});

describe('knob spaces', () => {
  it('every matmul knob point is legal and correct', () => {
    const p = { batch: 0, m: 4, n: 8, k: 4, lanes: 4 };
    const points = enumerate(matmulTemplate.space(p));
    assert.ok(points.length >= 12);
    for (const knobs of points) checkOp('MatMul', {}, [{ shape: [4, 4] }, { shape: [4, 8] }], matmulTemplate.schedule(p, knobs));
  });
  it('every conv knob point is legal and correct', () => {
    const p = { lanes: 4, l2Bytes: 1024 * 1024, o: 4, ow: 8, weight: 'x1' };
    const points = enumerate(convTemplate.space(p));
    assert.ok(points.length >= 8);
    for (const knobs of points) {
      checkOp('Conv', { pads: [1, 1, 1, 1] }, [{ shape: [1, 2, 5, 8] }, { shape: [4, 2, 3, 3], constant: true }], convTemplate.schedule(p, knobs));
    }
  });
  it('every reduction knob point is legal and correct, along the reduction or the output axis', () => {
    // ReduceSum of [3, 8, 16] over axis 1 keeping dims: output [3, 1, 16]; reads walk r0 by 16, i2 by 1
    const outer = { stage: 'y', axes: ['i0', 'i1', 'i2'], shape: [3, 1, 16], reduce: [{ name: 'r0', extent: 8 }], lanes: 4, reduceContiguous: false, outputContiguous: true, prod: false };
    assert.deepEqual(reductionTemplate.space(outer), { along: [2, 0], width: [2, 1] });
    for (const knobs of enumerate(reductionTemplate.space(outer))) checkOp('ReduceSum', {}, [{ shape: [3, 8, 16] }, axes1], reductionTemplate.schedule(outer, knobs));
    // over axis 2: the reduction axis is the contiguous one
    const row = { ...outer, shape: [3, 8, 1], reduce: [{ name: 'r0', extent: 16 }], reduceContiguous: true, outputContiguous: false };
    assert.deepEqual(reductionTemplate.space(row).along, [1, 0]);
    for (const knobs of enumerate(reductionTemplate.space(row))) checkOp('ReduceSum', {}, [{ shape: [3, 8, 16] }, { ...axes0, values: [2] }], reductionTemplate.schedule(row, knobs));
    assert.deepEqual(reductionTemplate.space({ ...row, prod: true }).along, [0]);
  });
  it('conv tiles loop over output-channel blocks inside the pixel tiles when the source would stream more than the weights', () => {
    // InceptionV3's stride-2 conv as im2col (3 MB of patches, 4 MB of weights, 37 tiles, 96 blocks)
    const strided = { lanes: 4, l2Bytes: 1024 * 1024, o: 384, ow: 289, weight: 'w', rows: 1, sourceElems: 288 * 9 * 289, weightElems: 384 * 288 * 9 };
    assert.equal(convTemplate.defaults(strided).blocksInside, 1);
    // an 8x8 map with 6 MB of weights: the input stays cached, the weights are read once
    const small = { lanes: 4, l2Bytes: 1024 * 1024, o: 384, ow: 8, weight: 'w', rows: 8, sourceElems: 448 * 100, weightElems: 384 * 448 * 9 };
    assert.equal(convTemplate.defaults(small).blocksInside, 0);
    // depthwise blocks read different channels: nothing to share
    assert.equal(convTemplate.defaults({ ...strided, perGroup: 1 }).blocksInside, 0);
  });
  it('parallel is an annotation on an outer spatial loop', () => {
    checkOp('MatMul', {}, mm, [parallel('m')]);
  });
});
