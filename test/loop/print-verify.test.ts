// The printer (C precedence checked by evaluating its output as JavaScript, which shares
// C's precedence for these operators) and the verifier (one broken kernel per rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, bin, call, cast, cnst, F32, fconst, load, loop, mul, ramp, select, seq, store, un, v, vec,
  type BinOp, type Buffer, type Expr, type Kernel, type Stmt,
} from '../../src/loop/ir.js';
import { printExpr, printKernel } from '../../src/loop/print.js';
import { verifyKernel } from '../../src/loop/verify.js';
import { interpretKernel } from '../../src/loop/interpret.js';
import { LoopIRError } from '../../src/loop/errors.js';
import { rng } from '../../src/io/random.js';

const buf = (name: string, elem: Buffer['elem'], size: number): Buffer => ({ name, elem, size });

test('printed integer expressions evaluate, as JavaScript, to what the interpreter computes', () => {
  const ops: BinOp[] = ['add', 'sub', 'mul', 'shl', 'shr', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'xor'];
  const next = rng(5);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const gen = (depth: number): Expr => {
    const r = next();
    if (depth === 0 || r < 0.2) return r < 0.1 ? cnst(Math.floor(next() * 7) - 3) : v(pick(['x', 'y', 'z']));
    if (r < 0.3) return un(pick(['neg', 'not'] as const), gen(depth - 1));
    if (r < 0.38) return select(gen(depth - 1), gen(depth - 1), gen(depth - 1));
    const op = pick(ops);
    // small shift counts keep JavaScript's doubles exact
    return bin(op, gen(depth - 1), op === 'shl' || op === 'shr' ? cnst(Math.floor(next() * 4)) : gen(depth - 1));
  };
  const O = buf('O', 'i32', 1);
  for (let n = 0; n < 300; n++) {
    const e = gen(3);
    const [x, y, z] = [0, 1, 2].map(() => Math.floor(next() * 9) - 4);
    const body = seq(
      { k: 'let', v: 'x', value: cnst(x), body: { k: 'let', v: 'y', value: cnst(y), body: { k: 'let', v: 'z', value: cnst(z), body: store(O, cnst(0), e) } } });
    const out = new Int32Array(1);
    interpretKernel({ name: 'p', params: [O], body }, [out]);
    const text = printExpr(e);
    const js = new Function('x', 'y', 'z', `return Number(${text}) | 0;`) as (...a: number[]) => number;
    assert.equal(js(x, y, z), out[0], `${text} with x=${x} y=${y} z=${z}`);
  }
});

test('a kernel prints as C-like text with types and loop kinds', () => {
  const A = buf('A', 'f32', 32), C = buf('C', 'f32', 8);
  const acc = v('acc', vec('f32', 4));
  const body = loop('i', 2, {
    k: 'local', v: 'acc', type: vec('f32', 4), init: { k: 'const', type: vec('f32', 4), value: 0 },
    body: seq(
      loop('k', 4, { k: 'set', v: 'acc', value: add(acc, load(A, ramp(add(mul(v('k'), cnst(8)), mul(v('i'), cnst(4))), 1, 4))) }, 'unrolled'),
      store(C, ramp(mul(v('i'), cnst(4)), 1, 4), acc)),
  }, 'parallel');
  assert.equal(printKernel({ name: 'colsum', params: [A, C], body }), [
    'kernel colsum(f32 A[32], f32 C[8]) {',
    '  parallel for (i32 i = 0; i < 2; i++) {',
    '    f32x4 acc = f32x4(0.0f);',
    '    unrolled for (i32 k = 0; k < 4; k++) {',
    '      acc = acc + A[ramp(k * 8 + i * 4, 1, 4)];',
    '    }',
    '    C[ramp(i * 4, 1, 4)] = acc;',
    '  }',
    '}',
    ''].join('\n'));
  assert.equal(printExpr(mul(add(v('a'), v('b')), cast(bin('floordiv', v('c'), cnst(-2)), 'i32'))), '(a + b) * (i32)floordiv(c, -2)');
  assert.equal(printExpr(call('fma', fconst(1.5), fconst(-0), fconst(2))), 'fma(1.5f, -0.0f, 2.0f)');
});

test('the verifier accepts a well-formed kernel and names the problem in each broken one', () => {
  const A = buf('A', 'f32', 16), B = buf('B', 'f32', 16), U = buf('U', 'u8', 16);
  const kernel = (body: Stmt): Kernel => ({ name: 'bad', params: [A, B, U], body });
  const good = loop('i', 4, seq(
    store(B, ramp(mul(v('i'), cnst(4)), 1, 4), load(A, ramp(mul(v('i'), cnst(4)), 1, 4))),
    store(U, v('i'), add(load(U, v('i')), cnst(1))),
    { k: 'local', v: 's', type: F32, init: fconst(0), body: { k: 'set', v: 's', value: call('exp', load(A, v('i'))) } }));
  verifyKernel(kernel(good));

  const raw = (op: BinOp, a: Expr, b: Expr): Expr => ({ k: 'bin', type: a.type, op, a, b });
  const broken: [Stmt, RegExp][] = [
    [store(B, cnst(0), load(A, v('q'))), /'q' is used where it is not bound/],
    [loop('i', 2, loop('i', 2, store(B, v('i'), fconst(0)))), /'i' shadows/],
    [loop('i', 2, { k: 'set', v: 'i', value: cnst(1) }), /not a local/],
    [store(B, cnst(0), raw('add', fconst(1), cnst(1))), /add of f32 and i32/],
    [store(B, cnst(0), { k: 'load', type: vec('f32', 4), buf: A, index: cnst(0) }), /index of 'A' is i32, expected i32x4/],
    [store(B, cnst(0), load(A, ramp(cnst(0), 1, 4))), /index of 'B' is i32, expected i32x4/],
    [store(B, cnst(16), fconst(0)), /index 16 is outside 'B'/],
    [store(U, cnst(0), fconst(1)), /stores f32 into u8 'U'/],
    [store(B, cnst(0), load(buf('A', 'i32', 16), cnst(0))), /'A' is f32 but accessed as i32/],
    [loop('i', fconst(2), store(B, cnst(0), fconst(0))), /bounds must be scalar i32/],
    [store(B, cnst(0), cast(call('exp', cnst(1)), 'f32')), /exp is not defined on i32/],
    [store(B, cnst(0), { k: 'call', type: F32, fn: 'pow', args: [fconst(1)] }), /pow takes 2 arguments/],
    [store(B, cnst(0), load(A, { k: 'ramp', type: vec('f32', 4), base: fconst(0), stride: 1 } as Expr)), /ramp base is f32/],
    [store(B, cnst(0), cast(raw('and', fconst(1), fconst(1)), 'f32')), /and is not defined on f32/],
    [{ k: 'alloc', buf: buf('A', 'f32', 4), body: seq() }, /buffer 'A' is declared twice/],
    [{ k: 'local', v: 'a', type: F32, init: cnst(0), body: seq() }, /local 'a' is f32 but starts as i32/],
    [{ k: 'if', cond: fconst(1), then: seq() }, /if condition is f32/],
  ];
  for (const [body, message] of broken) {
    assert.throws(() => verifyKernel(kernel(body)), (e: unknown) => e instanceof LoopIRError && message.test(e.message) &&
      /kernel 'bad'/.test(e.message), `expected ${message}`);
  }
});
