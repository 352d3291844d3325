// unrollLoops: no 'unrolled' loop survives, and random kernels compute the same buffers after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, cnst, fconst, load, loop, mul, store, v, type Buffer, type Stmt } from '../../src/loop/ir.js';
import { unrollLoops } from '../../src/loop/unroll.js';
import { printStmt } from '../../src/loop/print.js';
import { verifyKernel } from '../../src/loop/verify.js';
import { mapStmt, forEachInStmt } from '../../src/loop/visit.js';
import { rng } from '../../src/io/random.js';
import { randomBuffers, randomKernel, runOn } from './random-kernels.js';

const markUnrolled = (s: Stmt): Stmt => {
  const inner = mapStmt(s, (e) => e, markUnrolled);
  return inner.k === 'for' ? { ...inner, kind: 'unrolled' } : inner;
};

test('an unrolled loop becomes one store per iteration with folded indices', () => {
  const A: Buffer = { name: 'A', elem: 'f32', size: 8 }, B: Buffer = { name: 'B', elem: 'f32', size: 16 };
  const body = loop('j', 2, loop('k', 3, store(A, add(mul(v('j'), cnst(4)), v('k')), load(B, add(v('k'), cnst(2)))), 'unrolled', 1));
  assert.equal(printStmt(unrollLoops(body)), [
    'for (i32 j = 0; j < 2; j++) {',
    '  A[j * 4 + 1] = B[3];',
    '  A[j * 4 + 2] = B[4];',
    '  A[j * 4 + 3] = B[5];',
    '}', ''].join('\n'));
  assert.equal(printStmt(unrollLoops(loop('k', 0, store(A, cnst(0), fconst(1)), 'unrolled'))), '');
});

test('random kernels with every loop unrolled compute the same buffers', () => {
  const next = rng(77);
  for (let n = 0; n < 200; n++) {
    const k = randomKernel(next);
    const marked = { ...k, body: markUnrolled(k.body) };
    const unrolled = { ...k, body: unrollLoops(marked.body) };
    verifyKernel(unrolled);
    forEachInStmt(unrolled.body, () => {}, (st) => assert.ok(st.k !== 'for' || st.kind !== 'unrolled', 'an unrolled loop survived'));
    const bufs = randomBuffers(next);
    assert.deepEqual(runOn(unrolled, bufs), runOn(k, bufs), `kernel ${n}:\n${printStmt(k.body)}`);
  }
});
