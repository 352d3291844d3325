// The simplifier: each rule's before/after, and random kernels that must compute the same
// buffers, bit for bit, before and after simplification (the interpreter is the oracle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, bin, cast, cnst, F32, fconst, load, loop, mul, select, seq, store, sub, v,
  type Buffer, type Expr, type Stmt,
} from '../../src/loop/ir.js';
import { simplifyExpr } from '../../src/loop/simplify-expr.js';
import { simplifyKernel, simplifyStmt } from '../../src/loop/simplify.js';
import { printExpr, printKernel, printStmt } from '../../src/loop/print.js';
import { verifyKernel } from '../../src/loop/verify.js';
import { rng } from '../../src/io/random.js';
import { randomBuffers, randomKernel, runOn } from './random-kernels.js';

const ranges = (r: Record<string, [number, number]>) => new Map(Object.entries(r));
const s = (e: Expr, r: Record<string, [number, number]> = {}) => printExpr(simplifyExpr(e, ranges(r)));
const A: Buffer = { name: 'A', elem: 'f32', size: 4096 };
const B: Buffer = { name: 'B', elem: 'f32', size: 4096 };

test('fold-constants computes as the interpreter does (f32 rounding, i32 wrap, total integer division)', () => {
  assert.equal(s(add(fconst(0.1), fconst(0.2))), `${Math.fround(Math.fround(0.1) + Math.fround(0.2))}f`);
  assert.equal(s(mul(cnst(65536), cnst(65536))), '0');
  assert.equal(s(bin('floordiv', cnst(-7), cnst(2))), '-4');
  assert.equal(s(bin('div', cnst(1), cnst(0))), '0');
  assert.equal(s(bin('div', cnst(-(2 ** 31)), cnst(-1))), '-2147483648');
  assert.equal(s(cast(fconst(1e10), 'i32')), '2147483647');
});

test('linear-index: commutative terms ordered, like terms collected', () => {
  const [io, ii, jo] = [v('io'), v('ii'), v('jo')];
  assert.equal(s(add(mul(add(mul(io, cnst(4)), ii), cnst(8)), mul(jo, cnst(32)))), 'ii * 8 + io * 32 + jo * 32');
  assert.equal(s(sub(add(v('x'), cnst(3)), add(cnst(1), v('x')))), '2');
  assert.equal(s(add(mul(cnst(2), v('b')), sub(v('a'), v('b')))), 'a + b');
  assert.equal(s(sub(cnst(0), v('a'))), 'a * -1');
});

test('int- and float-identities: only the exact ones for floats', () => {
  const x = v('x', F32);
  assert.equal(s(mul(x, fconst(1))), 'x');
  assert.equal(s(sub(x, fconst(0))), 'x');
  assert.equal(s(add(x, fconst(0))), 'x + 0.0f');   // -0 + 0 is +0
  assert.equal(s(mul(x, fconst(0))), 'x * 0.0f');   // NaN * 0 is NaN
  assert.equal(s(bin('and', v('n'), cnst(0))), '0');
  assert.equal(s(bin('shl', v('n'), cnst(0))), 'n');
});

test('divmod-by-range: split indices recombine when the inner var stays inside a block', () => {
  const idx = add(mul(v('io'), cnst(8)), v('ii'));
  assert.equal(s(bin('floordiv', idx, cnst(8)), { io: [0, 15], ii: [0, 7] }), 'io');
  assert.equal(s(bin('floormod', idx, cnst(8)), { io: [0, 15], ii: [0, 7] }), 'ii');
  assert.equal(s(bin('floordiv', add(idx, cnst(8)), cnst(8)), { io: [0, 15], ii: [0, 7] }), 'io + 1');
  assert.equal(s(bin('floordiv', idx, cnst(8)), { io: [0, 15], ii: [0, 8] }), 'floordiv(ii + io * 8, 8)');
  assert.equal(s(bin('div', idx, cnst(8)), { io: [-1, 15], ii: [0, 7] }), '(ii + io * 8) / 8');
  assert.equal(s(bin('floordiv', bin('floordiv', v('n'), cnst(4)), cnst(2))), 'floordiv(n, 8)');
});

test('compare-by-range and min-max decide what the loop extents settle', () => {
  assert.equal(s(bin('lt', v('i'), cnst(8)), { i: [0, 7] }), '1');
  assert.equal(s(bin('ge', add(v('i'), v('j')), cnst(10)), { i: [0, 3], j: [0, 5] }), '0');
  assert.equal(s(bin('lt', v('i'), cnst(5)), { i: [0, 7] }), 'i < 5');
  assert.equal(s(bin('lt', v('n'), add(v('n'), cnst(1)))), 'n < n + 1');   // wraps at 2^31-1
  assert.equal(s(bin('min', v('i'), cnst(16)), { i: [0, 15] }), 'i');
  assert.equal(s(bin('max', v('i'), cnst(16)), { i: [0, 15] }), '16');
});

test('select-decided, cast-identity, lane-of-known', () => {
  assert.equal(s(select(bin('lt', v('i'), cnst(4)), v('a'), v('b')), { i: [0, 3] }), 'a');
  assert.equal(s(select(v('c'), v('a'), v('a'))), 'a');
  assert.equal(s(cast(v('a'), 'i32')), 'a');
  assert.equal(s({ k: 'lane', type: { scalar: 'i32', lanes: 1 }, lane: 2, a: { k: 'ramp', type: { scalar: 'i32', lanes: 4 }, base: v('b'), stride: 3 } }), 'b + 6');
});

test('statements: dead loops and branches go, unit loops inline, constant lets inline', () => {
  const body = seq(
    loop('z', 0, store(A, cnst(0), fconst(1))),
    loop('u', 1, store(A, add(v('u'), cnst(5)), fconst(2)), 'serial', 3),
    { k: 'if', cond: bin('lt', cnst(1), cnst(0)), then: store(A, cnst(1), fconst(3)), else: store(A, cnst(2), fconst(4)) },
    { k: 'let', v: 'c', value: cnst(7), body: store(A, v('c'), fconst(5)) });
  assert.equal(printStmt(simplifyStmt(body)), 'A[8] = 2.0f;\nA[2] = 4.0f;\nA[7] = 5.0f;\n');
});

test('loop-invariant lets are hoisted; a load of a buffer the loop stores to stays', () => {
  const inner = (value: Expr): Stmt => loop('i', 4, {
    k: 'let', v: 'row', value, body: store(A, add(v('i'), v('row')), fconst(1)),
  });
  const hoisted = printStmt(simplifyStmt(loop('j', 3, inner(cast(load(B, mul(v('j'), cnst(7))), 'i32')))));
  assert.match(hoisted, /^for \(i32 j.*\n  const i32 row = \(i32\)B\[j \* 7\];\n  for \(i32 i/);
  const kept = printStmt(simplifyStmt(loop('j', 3, inner(cast(load(A, mul(v('j'), cnst(7))), 'i32')))));
  assert.match(kept, /for \(i32 i = 0; i < 4; i\+\+\) \{\n    const i32 row = \(i32\)A\[j \* 7\];/);
});

test('a let reading a local is not inlined past a set of that local', () => {
  const acc = v('acc', F32);
  const body: Stmt = {
    k: 'local', v: 'acc', type: F32, init: fconst(1), body: {
      k: 'let', v: 'x', value: acc, body: seq({ k: 'set', v: 'acc', value: mul(acc, fconst(2)) }, store(A, cnst(0), v('x', F32))),
    },
  };
  assert.match(printStmt(simplifyStmt(body)), /const f32 x = acc;[^]*A\[0\] = x;/);
});

test('random kernels compute the same buffers before and after simplification', () => {
  const next = rng(2024);
  let changed = 0;
  for (let n = 0; n < 400; n++) {
    const k = randomKernel(next);
    verifyKernel(k);
    const simple = simplifyKernel(k);
    verifyKernel(simple);
    if (printKernel(simple) !== printKernel(k)) changed++;
    for (let trial = 0; trial < 2; trial++) {
      const bufs = randomBuffers(next);
      const before = runOn(k, bufs), after = runOn(simple, bufs);
      assert.deepEqual(after, before, `kernel ${n}:\n${printKernel(k)}\nsimplified:\n${printKernel(simple)}`);
    }
  }
  assert.ok(changed > 200, `only ${changed} of 400 kernels changed`);
});
