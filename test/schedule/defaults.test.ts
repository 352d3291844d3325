// defaultSchedule knows no op by name: an op's `schedule` facet decides, else its fusion kind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSchedule } from '../../src/schedule/defaults.js';
import { split, vectorize } from '../../src/schedule/schedule.js';
import { Tensor } from '../../src/ir/tensor.js';
import { withFacets } from '../passes/with-facet.js';

const value = (name: string, shape: number[], constant?: Tensor) => ({ name, info: { dtype: 'float32' as const, shape }, ...(constant ? { constant } : {}) });
const weights = value('w', [16, 8, 3, 3], Tensor.from('float32', [16, 8, 3, 3], new Float32Array(16 * 8 * 9)));
const conv = () => defaultSchedule('Conv', 'out-fusable', [value('x', [1, 8, 16, 16]), weights], [[1, 16, 14, 14]], {});

describe('defaultSchedule', () => {
  it("takes the op's schedule facet", () => {
    const steps = conv();
    assert.ok(steps.some((s) => s.s === 'pack' && s.input === 'w'), 'the conv tile packs its weights');
    assert.ok(steps.some((s) => s.s === 'vectorize'));
    assert.deepEqual(withFacets('Conv', { schedule: undefined }, conv), [], 'without the facet an out-fusable op has no schedule');
  });
  it('an op that gains the facet gets its schedule, whatever its name', () => {
    const mine = [split('i0', 2)];
    const seen: unknown[] = [];
    const steps = withFacets('Transpose', {
      schedule: (ctx) => { seen.push(ctx.attrs, ctx.outputs); return mine; },
    }, () => defaultSchedule('Transpose', 'injective', [value('x', [4, 8])], [[8, 4]], { perm: [1, 0] }));
    assert.equal(steps, mine);
    assert.deepEqual(seen, [{ perm: [1, 0] }, [[8, 4]]]);
    assert.deepEqual(defaultSchedule('Transpose', 'injective', [value('x', [4, 8])], [[8, 4]], { perm: [1, 0] }), []);
  });
  it("QLinearConv's conv tile addresses its i32 accumulator stage, which it names after its output", () => {
    const u8 = (name: string, shape: number[], values?: number[]) =>
      ({ name, info: { dtype: 'uint8' as const, shape }, ...(values ? { constant: Tensor.from('uint8', shape, values) } : {}) });
    const f32 = (name: string, v: number) => value(name, [], Tensor.from('float32', [], [v]));
    const inputs = [u8('x', [1, 8, 16, 16]), f32('xs', 0.1), u8('xz', [], [1]), u8('w', [16, 8, 3, 3], new Array(16 * 8 * 9).fill(2)),
      f32('ws', 0.1), u8('wz', [], [0]), f32('ys', 0.2), u8('yz', [], [3])];
    const steps = defaultSchedule('QLinearConv', 'opaque', inputs, [[1, 16, 14, 14]], {}, ['y']);
    assert.ok(steps.some((s) => s.s === 'pack' && s.input === 'w'), 'the weights are packed');
    assert.ok(steps.filter((s) => s.s !== 'pack').every((s) => s.stage === 'y_acc'), 'every loop step is on y_acc');
    assert.deepEqual(defaultSchedule('QLinearConv', 'opaque', inputs, [[1, 16, 14, 14]], {}), [], 'without the output name, no steps');
  });
  it('elementwise kinds without a facet take the elementwise template', () => {
    assert.deepEqual(defaultSchedule('Relu', 'elemwise', [value('x', [2, 8])], [[2, 8]]), [vectorize('i1')]);
    assert.deepEqual(defaultSchedule('Relu', 'elemwise', [value('x', [8, 3])], [[8, 3]]), []);
  });
  it('facets see resolved attributes', () => {
    let group: unknown;
    withFacets('Conv', { schedule: (ctx) => { group = ctx.attrs.group; return []; } }, conv);
    assert.equal(group, 1);
  });
});
