// Lowering asks the target's facts: each op family's default schedule, lowered and legalized for
// vectors of 1, 4, 8 and 16 f32 lanes, computes what the reference executor does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Attrs } from '../../src/ir/graph.js';
import { legalizeLoops } from '../../src/loop/legalize.js';
import { forEachInStmt } from '../../src/loop/visit.js';
import { cFacts, cpuProfile } from '../../src/target/c/facts.js';
import { WASM_SIMD_FACTS } from '../../src/target/wasm/facts.js';
import type { TargetFacts } from '../../src/target/target.js';
import { checkOp, type InputSpec } from '../lower/check.js';

const CASES: readonly { op: string; attrs?: Attrs; specs: InputSpec[] }[] = [
  { op: 'MatMul', specs: [{ shape: [8, 12] }, { shape: [12, 64] }] },
  { op: 'Conv', attrs: { pads: [1, 1, 1, 1] }, specs: [{ shape: [1, 3, 9, 40] }, { shape: [8, 3, 3, 3], constant: true }, { shape: [8], constant: true }] },
  { op: 'Conv', attrs: { group: 4, pads: [1, 1, 1, 1] }, specs: [{ shape: [1, 4, 6, 37] }, { shape: [4, 1, 3, 3], constant: true }] },
  { op: 'MaxPool', attrs: { kernel_shape: [3, 3], strides: [1, 1] }, specs: [{ shape: [1, 2, 8, 35] }] },
  { op: 'ReduceSum', attrs: { keepdims: 1 }, specs: [{ shape: [3, 5, 67] }, { shape: [1], dtype: 'int64', values: [2], constant: true }] },
  { op: 'Softmax', attrs: { axis: -1 }, specs: [{ shape: [4, 70] }] },
  { op: 'Sigmoid', specs: [{ shape: [2, 3, 77] }] },
];

const TARGETS: readonly [string, TargetFacts][] = [
  ['wasm-simd', WASM_SIMD_FACTS],
  ['c x86-64-v4 (16 lanes)', cFacts('c', cpuProfile('x86-64-v4')!)],
  ['c x86-64-v3 (8 lanes)', cFacts('c', cpuProfile('x86-64-v3')!)],
  ['c cortex-m4 (scalar)', cFacts('c', cpuProfile('cortex-m4')!)],
];

describe('lowering for a target\'s lanes', () => {
  for (const [label, target] of TARGETS) {
    it(`${label}: default schedules compute the reference's results`, () => {
      let widest = 1;
      for (const c of CASES) {
        checkOp(c.op, c.attrs ?? {}, c.specs, undefined, {
          tol: 1e-4, target,
          transform: (k) => {
            const legal = legalizeLoops(k, target);
            forEachInStmt(legal.body, (e) => { widest = Math.max(widest, e.type.lanes); });
            return legal;
          },
        });
      }
      // the vectors are the target's: as wide as its f32 lanes, and none on a scalar core
      assert.equal(widest, target.vectorizes ? target.lanes('f32') : 1, `widest vector of ${label}`);
    });
  }
});
