// The benchmark's output check must flag a wrong engine: relative differences, NaNs, and
// outputs that do not line up, with outputs paired by name (TF.js ':0' suffixes) or position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreement } from '../../bench/compare.js';
import type { HostOutputs, HostTensor } from '../../bench/engine.js';
import { median } from '../../bench/measure.js';

const f32 = (...xs: number[]): HostTensor => ({ dtype: 'float32', shape: [xs.length], data: Float32Array.from(xs) });
const outs = (...entries: [string, HostTensor][]): HostOutputs => new Map(entries);

test('identical outputs agree exactly; a difference is relative to the largest baseline magnitude', () => {
  const base = outs(['y', f32(1, -4, 2)]);
  assert.deepEqual(agreement(base, outs(['y', f32(1, -4, 2)])), { ok: true, relDiff: 0, maxAbsDiff: 0, maxMagnitude: 4 });
  const r = agreement(base, outs(['y', f32(1, -4, 3)]));
  assert.ok(r.ok);
  assert.equal(r.relDiff, 1 / 4);
});

test("outputs pair by name despite TF.js's ':0' suffix and a different order", () => {
  const base = outs(['a', f32(1, 2)], ['b', f32(10, 20)]);
  const r = agreement(base, outs(['b:0', f32(10, 20)], ['a:0', f32(1, 2)]));
  assert.ok(r.ok);
  assert.equal(r.relDiff, 0);
});

test('differently named outputs pair by position, and the worst output counts', () => {
  const r = agreement(outs(['x', f32(1, 1)], ['y', f32(2, 2)]), outs(['p', f32(1, 1)], ['q', f32(2, 3)]));
  assert.ok(r.ok);
  assert.equal(r.relDiff, 1 / 2);
});

test('a NaN in one engine only is a difference; outputs that do not line up are a mismatch', () => {
  const nan = agreement(outs(['y', f32(1, 2)]), outs(['y', f32(1, NaN)]));
  assert.ok(nan.ok && Number.isNaN(nan.relDiff));
  assert.equal(agreement(outs(['y', f32(1, 2)]), outs(['y', f32(1, 2, 3)])).ok, false);
  assert.equal(agreement(outs(['y', f32(1)]), outs(['p', f32(1)], ['q', f32(1)])).ok, false);
});

test('median of odd and even counts', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});
