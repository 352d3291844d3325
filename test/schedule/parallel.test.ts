// The parallel split a stage gets after its own template: which outer loop the threads share,
// when a stage stays serial, and that every point of the knob space lowers to the right values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../src/loop/ir.js';
import { phasesOf } from '../../src/loop/phases.js';
import { enumerate } from '../../src/schedule/knobs.js';
import { parallelTemplate, PARALLEL_MIN_WORK, type ParallelProblem } from '../../src/schedule/parallel.js';
import { fmtStep } from '../../src/schedule/schedule.js';
import { matmulTemplate } from '../../src/schedule/templates.js';
import { checkOp } from '../lower/check.js';

const loop = (name: string, extent: number, kind: 'serial' | 'vectorized' | 'unrolled' = 'serial') => ({ name, extent, kind });
const problem = (outer: ParallelProblem['outer'], work = 1e9): ParallelProblem => ({ outer, work, minWork: PARALLEL_MIN_WORK });

/** The loop variables of the kernel's parallel loops, in tree order. */
function parallelLoops(s: Stmt, out: string[] = []): string[] {
  switch (s.k) {
    case 'for': if (s.kind === 'parallel') out.push(s.v); return parallelLoops(s.body, out);
    case 'let': case 'local': case 'alloc': return parallelLoops(s.body, out);
    case 'if': parallelLoops(s.then, out); if (s.else) parallelLoops(s.else, out); return out;
    case 'seq': s.body.forEach((b) => parallelLoops(b, out)); return out;
    default: return out;
  }
}

describe('parallel template', () => {
  it('shares the outermost loop with enough iterations to balance a few threads', () => {
    const p = problem([loop('n', 1), loop('o.o', 4), loop('oh', 320), loop('ow.o', 40)]);
    assert.deepEqual(parallelTemplate.defaults(p), { axis: 2, grain: 1 });
    assert.deepEqual(parallelTemplate.schedule(p, parallelTemplate.defaults(p)).map(fmtStep), ['parallel(oh)']);
  });
  it('takes the widest loop when none has enough iterations, and none past a vectorised or unrolled one', () => {
    assert.equal(parallelTemplate.defaults(problem([loop('a', 3), loop('b', 6), loop('c', 5)])).axis, 1);
    assert.equal(parallelTemplate.defaults(problem([loop('a', 2), loop('i', 64, 'vectorized')])).axis, 0);
    assert.equal(parallelTemplate.defaults(problem([loop('i', 64, 'unrolled'), loop('j', 64)])).axis, -1);
  });
  it('leaves small stages and single-iteration nests serial', () => {
    assert.equal(parallelTemplate.defaults(problem([loop('i', 1000)], PARALLEL_MIN_WORK - 1)).axis, -1);
    assert.equal(parallelTemplate.defaults(problem([loop('n', 1)])).axis, -1);
    assert.deepEqual(parallelTemplate.schedule(problem([loop('i', 1000)]), { axis: -1, grain: 1 }), []);
  });
  it('a grain splits the shared loop first, so chunks hold whole multiples of it', () => {
    const p = problem([loop('m.o', 100)]);
    assert.deepEqual(parallelTemplate.space(p).grain, [1, 2, 4]);
    assert.deepEqual(parallelTemplate.schedule(p, { axis: 0, grain: 4 }).map(fmtStep), ['split(m.o, 4)', 'parallel(m.o.o)']);
  });
});

describe('parallel splits lower to kernels that compute the reference values', () => {
  const mm = [{ shape: [2, 19, 24] }, { shape: [24, 16] }];
  const tile = matmulTemplate.schedule({ batch: 1, m: 19, n: 16, k: 24, lanes: 4 }, { mr: 1, nr: 8, ku: 1 });
  it('every axis and grain of the space, on a batched matmul with a register tile', () => {
    const outer = [loop('b0', 2), loop('m.o', 19), loop('n.o', 2)];
    for (const knobs of enumerate(parallelTemplate.space(problem(outer)))) {
      const { kernel } = checkOp('MatMul', {}, mm, [...tile, ...parallelTemplate.schedule(problem(outer), knobs)]);
      assert.equal(parallelLoops(kernel.body).length, knobs.axis < 0 ? 0 : 1, JSON.stringify(knobs));
      const phases = phasesOf(kernel.body);
      assert.equal(phases.some((p) => p.parallel), knobs.axis >= 0);
    }
  });
  it('by default, every stage big enough: a fused conv and its pad each split, the pad fill stays on thread 0', () => {
    const { kernel } = checkOp('Conv', { pads: [1, 1, 1, 1] }, [{ shape: [1, 8, 30, 30] }, { shape: [16, 8, 3, 3], constant: true }]);
    assert.ok(parallelLoops(kernel.body).length >= 1);
    assert.deepEqual(phasesOf(kernel.body).map((p) => p.parallel).slice(-1), [true], 'the conv itself is split');
  });
});
