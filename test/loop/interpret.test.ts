// The loop-IR interpreter against independent oracles: WebAssembly instructions for scalar
// semantics and memory widths, the reference GEMM for a whole kernel, exact integer algebra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, bin, broadcast, cast, cnst, F32, fconst, load, loop, mul, ramp, scalar, select, seq, store, v,
  type BinOp, type Buffer, type ElemType, type Expr, type Kernel, type ScalarType, type Stmt, type UnOp,
} from '../../src/loop/ir.js';
import { interpretKernel, type TypedArray } from '../../src/loop/interpret.js';
import { ARRAY_OF } from '../../src/loop/semantics.js';
import { LoopIRError } from '../../src/loop/errors.js';
import { gemm } from '../../src/ops/nn-gemm.js';
import { rng } from '../../src/io/random.js';
import { wasmFunctions, type WasmCase } from './wasm-oracle.js';

const buf = (name: string, elem: ElemType, size: number): Buffer => ({ name, elem, size });
const arr = (elem: ElemType, values: readonly (number | bigint)[]): TypedArray => {
  const a = new ARRAY_OF[elem](values.length) as TypedArray;
  values.forEach((x, i) => { a[i] = x as never; });
  return a;
};

const I32_EDGES = [0, 1, -1, 2, -2, 3, 7, -7, 31, 32, 33, -2147483648, 2147483647, 1000003, -65536];
const I64_EDGES = [0n, 1n, -1n, 2n, -2n, 7n, -7n, 63n, 64n, 65n, -(1n << 63n), (1n << 63n) - 1n, 1n << 40n, -(3n << 50n),
  (1n << 53n) + 1n, (1n << 60n) + (1n << 35n) + 1n];
const F32_EDGES = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, NaN, Infinity, -Infinity, 3.4028234663852886e38,
  1.401298464324817e-45, Math.fround(1e-3), Math.fround(123456.789), -7.25, 2147483520, -2147483904, 1e10, 9.3e18];
const F64_EDGES = [...F32_EDGES, 1.7976931348623157e308, 5e-324, 0.1, 2 ** 53 + 2, -(2 ** 62)];
const U32_EDGES = [0, 1, 2, 3, 7, 31, 32, 33, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 1000003, 65536];
const U64_EDGES = [0n, 1n, 2n, 7n, 63n, 64n, 65n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 40n, (1n << 53n) + 1n];
const EDGES: Record<ScalarType, readonly (number | bigint)[]> = {
  i32: I32_EDGES, i64: I64_EDGES, f32: F32_EDGES, f64: F64_EDGES, u32: U32_EDGES, u64: U64_EDGES,
};

function randomOf(t: ScalarType, next: () => number): number | bigint {
  const r = next() * 2 - 1;
  switch (t) {
    case 'i32': return Math.trunc(r * 2 ** 31) | 0;
    case 'i64': return BigInt.asIntN(64, BigInt(Math.trunc(r * 2 ** 52)) * BigInt(1 + Math.trunc(next() * 4096)));
    case 'f32': return Math.fround(r * 10 ** Math.trunc(next() * 8 - 4));
    case 'f64': return r * 10 ** Math.trunc(next() * 8 - 4);
    case 'u32': return Math.trunc(next() * 2 ** 32) >>> 0;
    case 'u64': return BigInt.asUintN(64, BigInt(Math.trunc(r * 2 ** 52)) * BigInt(1 + Math.trunc(next() * 4096)));
  }
}

/** Every pair of edge values, then random pairs. */
function operandPairs(t: ScalarType, seed: number): [(number | bigint)[], (number | bigint)[]] {
  const e = EDGES[t], as: (number | bigint)[] = [], bs: (number | bigint)[] = [];
  for (const a of e) for (const b of e) { as.push(a); bs.push(b); }
  const next = rng(seed);
  for (let i = 0; i < 200; i++) { as.push(randomOf(t, next)); bs.push(randomOf(t, next)); }
  return [as, bs];
}

const same = (a: unknown, b: unknown) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Runs `out[i] = f(a[i], b[i])` in the interpreter and compares each element to wasm (skipping traps). */
async function checkAgainstWasm(what: string, t: ScalarType, result: ScalarType, wasmBody: string,
  build: (a: Expr, b: Expr) => Expr, arity: 1 | 2, seed: number): Promise<void> {
  const [fn] = await wasmFunctions([{ params: arity === 2 ? [t, t] : [t], result, body: wasmBody }]);
  let [as, bs] = operandPairs(t, seed);
  if (arity === 1) { as = [...new Set([...as, ...bs])]; bs = as; }
  const keep: number[] = [];
  const want = as.flatMap((a, i) => {
    try { const r = arity === 2 ? fn(a, bs[i]) : fn(a); keep.push(i); return [r]; } catch { return []; }
  });
  const n = keep.length;
  const A = buf('A', t, n), B = buf('B', t, n), O = buf('O', result, n);
  const body = loop('i', n, store(O, v('i'), arity === 2 ? build(load(A, v('i')), load(B, v('i'))) : build(load(A, v('i')), load(A, v('i')))));
  const out = new ARRAY_OF[result](n) as TypedArray;
  interpretKernel({ name: what, params: [A, B, O], body },
    [arr(t, keep.map((i) => as[i])), arr(t, keep.map((i) => bs[i])), out]);
  keep.forEach((src, i) => {
    assert.ok(same(out[i], want[i]), `${what}(${as[src]}${arity === 2 ? `, ${bs[src]}` : ''}): interpreter ${out[i]}, wasm ${want[i]}`);
  });
}

const signed = (op: string) => ['div', 'rem', 'shr', 'lt', 'le', 'gt', 'ge'].includes(op) ? `${op}_s` : op;
const WASM_BIN: Partial<Record<BinOp, string>> = {
  add: 'add', sub: 'sub', mul: 'mul', div: 'div', mod: 'rem', and: 'and', or: 'or', xor: 'xor', shl: 'shl', shr: 'shr',
  min: 'min', max: 'max', eq: 'eq', ne: 'ne', lt: 'lt', le: 'le', gt: 'gt', ge: 'ge',
};
const COMPARE = new Set<BinOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

function wasmBinBody(op: BinOp, t: ScalarType): string {
  const a = '(local.get $a)', b = '(local.get $b)', int = t[0] === 'i';
  if (int && (op === 'min' || op === 'max')) return `(select ${a} ${b} (${t}.${op === 'min' ? 'lt_s' : 'gt_s'} ${a} ${b}))`;
  return `(${t}.${int ? signed(WASM_BIN[op]!) : WASM_BIN[op]} ${a} ${b})`;
}

for (const t of ['i32', 'i64', 'f32', 'f64'] as const) {
  const ops = (Object.keys(WASM_BIN) as BinOp[]).filter((op) => t[0] === 'i' || !['mod', 'and', 'or', 'xor', 'shl', 'shr'].includes(op));
  test(`binary ops on ${t} match WebAssembly bit for bit`, async () => {
    for (const [k, op] of ops.entries()) {
      await checkAgainstWasm(`${op}.${t}`, t, COMPARE.has(op) ? 'i32' : t, wasmBinBody(op, t), (a, b) => bin(op, a, b), 2, k + 1);
      if (COMPARE.has(op)) continue;
      // (a op b) op b: a result kept in a register must already be rounded to the type
      const twice = wasmBinBody(op, t).replace('(local.get $a)', `(local.set $a ${wasmBinBody(op, t)}) (local.get $a)`);
      await checkAgainstWasm(`${op}.${t} twice`, t, t, twice, (a, b) => bin(op, bin(op, a, b), b), 2, k + 50);
    }
  });
}

test('unary ops match WebAssembly bit for bit', async () => {
  const a = '(local.get $a)';
  const cases: [UnOp, ScalarType, string][] = [];
  for (const t of ['f32', 'f64'] as const) {
    for (const op of ['neg', 'abs', 'sqrt', 'floor', 'ceil', 'trunc', 'nearest'] as const) cases.push([op, t, `(${t}.${op} ${a})`]);
  }
  for (const t of ['i32', 'i64'] as const) {
    cases.push(['neg', t, `(${t}.sub (${t}.const 0) ${a})`]);
    cases.push(['abs', t, `(select (${t}.sub (${t}.const 0) ${a}) ${a} (${t}.lt_s ${a} (${t}.const 0)))`]);
  }
  cases.push(['not', 'i32', `(i32.eqz ${a})`], ['not', 'i64', `(i64.extend_i32_u (i64.eqz ${a}))`]);
  for (const [k, [op, t, body]] of cases.entries()) {
    await checkAgainstWasm(`${op}.${t}`, t, t, body, (x) => ({ k: 'un', type: x.type, op, a: x }), 1, 100 + k);
  }
});

test('casts match WebAssembly conversions (saturating float -> int)', async () => {
  const a = '(local.get $a)';
  const cases: [ScalarType, ScalarType, string][] = [
    ['f32', 'i32', 'i32.trunc_sat_f32_s'], ['f64', 'i32', 'i32.trunc_sat_f64_s'],
    ['f32', 'i64', 'i64.trunc_sat_f32_s'], ['f64', 'i64', 'i64.trunc_sat_f64_s'],
    ['i32', 'f32', 'f32.convert_i32_s'], ['i64', 'f32', 'f32.convert_i64_s'],
    ['i32', 'f64', 'f64.convert_i32_s'], ['i64', 'f64', 'f64.convert_i64_s'],
    ['f64', 'f32', 'f32.demote_f64'], ['f32', 'f64', 'f64.promote_f32'],
    ['i64', 'i32', 'i32.wrap_i64'], ['i32', 'i64', 'i64.extend_i32_s'],
  ];
  for (const [k, [from, to, instr]] of cases.entries()) {
    await checkAgainstWasm(`cast ${from}->${to}`, from, to, `(${instr} ${a})`, (x) => cast(x, to), 1, 200 + k);
  }
});

test('narrow loads widen and stores narrow as wasm load8/16 and store8/16 do', async () => {
  const widths: [ElemType, string, string][] = [
    ['i8', 'i32.store8', 'i32.load8_s'], ['u8', 'i32.store8', 'i32.load8_u'],
    ['i16', 'i32.store16', 'i32.load16_s'], ['u16', 'i32.store16', 'i32.load16_u'],
  ];
  const cases: WasmCase[] = widths.map(([, st, ld]) =>
    ({ params: ['i32'], result: 'i32', body: `(${st} (i32.const 0) (local.get $a)) (${ld} (i32.const 0))` }));
  const fns = await wasmFunctions(cases);
  const xs = [...I32_EDGES, 127, 128, 255, 256, -129, 32767, 32768, 65535, 65536, -32769];
  for (const [k, [elem]] of widths.entries()) {
    const X = buf('X', 'i32', xs.length), N = buf('N', elem, xs.length), Y = buf('Y', 'i32', xs.length);
    const body = seq(loop('i', xs.length, store(N, v('i'), load(X, v('i')))), loop('i', xs.length, store(Y, v('i'), load(N, v('i')))));
    const out = new Int32Array(xs.length);
    interpretKernel({ name: 'narrow', params: [X, N, Y], body }, [Int32Array.from(xs), new ARRAY_OF[elem](xs.length) as TypedArray, out]);
    assert.deepEqual([...out], xs.map((x) => fns[k](x)), elem);
  }
});

test('integer floordiv/floormod: q*b + r = a exactly, r takes the sign of b, |r| < |b|', () => {
  for (const t of ['i32', 'i64'] as const) {
    const [as, bs] = operandPairs(t, 7);
    const idx = as.map((_, i) => i).filter((i) => BigInt(bs[i]) !== 0n &&
      !(BigInt(bs[i]) === -1n && (as[i] === -2147483648 || as[i] === -(1n << 63n))));
    const n = idx.length;
    const A = buf('A', t, n), B = buf('B', t, n), Q = buf('Q', t, n), R = buf('R', t, n);
    const x = load(A, v('i')), y = load(B, v('i'));
    const body = loop('i', n, seq(store(Q, v('i'), bin('floordiv', x, y)), store(R, v('i'), bin('floormod', x, y))));
    const q = new ARRAY_OF[t](n) as TypedArray, r = new ARRAY_OF[t](n) as TypedArray;
    interpretKernel({ name: 'floor', params: [A, B, Q, R], body }, [arr(t, idx.map((i) => as[i])), arr(t, idx.map((i) => bs[i])), q, r]);
    idx.forEach((src, i) => {
      const a = BigInt(as[src]), b = BigInt(bs[src]), qi = BigInt(q[i]), ri = BigInt(r[i]);
      assert.equal(qi * b + ri, a, `${t} ${a} floordiv ${b} = ${qi}, floormod ${ri}`);
      assert.ok(ri === 0n || (ri < 0n) === (b < 0n), `${t} ${a} floormod ${b} = ${ri} has the wrong sign`);
      assert.ok((ri < 0n ? -ri : ri) < (b < 0n ? -b : b), `${t} |${a} floormod ${b}| >= |b|`);
    });
  }
});

test('a matmul kernel with a register accumulator equals the reference GEMM', () => {
  const M = 5, N = 7, K = 9;
  const A = buf('A', 'f32', M * K), B = buf('B', 'f32', K * N), C = buf('C', 'f32', M * N);
  const i = v('i'), j = v('j'), k = v('k'), acc = v('acc', F32);
  const body = loop('i', M, loop('j', N, {
    k: 'local', v: 'acc', type: F32, init: fconst(0), body: seq(
      loop('k', K, { k: 'set', v: 'acc', value: add(acc, mul(load(A, add(mul(i, cnst(K)), k)), load(B, add(mul(k, cnst(N)), j)))) }),
      store(C, add(mul(i, cnst(N)), j), acc)),
  }));
  const next = rng(3);
  const a = Float32Array.from({ length: M * K }, () => next() * 2 - 1), b = Float32Array.from({ length: K * N }, () => next() * 2 - 1);
  const c = new Float32Array(M * N), want = new Float32Array(M * N);
  interpretKernel({ name: 'matmul', params: [A, B, C], body }, [a, b, c]);
  gemm(M, N, K, { data: a, off: 0, ld: K }, { data: b, off: 0, ld: N }, { data: want, off: 0, ld: N });
  c.forEach((x, n) => assert.ok(Math.abs(x - want[n]) <= 1e-5 * (1 + Math.abs(want[n])), `C[${n}] = ${x}, reference ${want[n]}`));
});

test('vector ops equal the scalar ops lane by lane; gathers, broadcasts, per-lane select', () => {
  const n = 16;
  const X = buf('X', 'f32', 3 * n), S = buf('S', 'f32', n), V = buf('V', 'f32', n);
  const next = rng(11);
  const x = Float32Array.from({ length: 3 * n }, () => next() * 4 - 2);
  // y[i] = x[3i] > 0 ? x[3i] * x[3i+1] : 0.5 — scalar, then 4 lanes at a time
  const scalarBody = (i: Expr, lanes: number, stride: number) => {
    const xi = load(X, stride === 0 ? mul(i, cnst(3)) : ramp(mul(i, cnst(3)), 3, lanes));
    const xj = load(X, stride === 0 ? add(mul(i, cnst(3)), cnst(1)) : ramp(add(mul(i, cnst(3)), cnst(1)), 3, lanes));
    const zero = lanes === 1 ? fconst(0) : broadcast(fconst(0), lanes);
    const half = lanes === 1 ? fconst(0.5) : broadcast(fconst(0.5), lanes);
    return select(bin('gt', xi, zero), mul(xi, xj), half);
  };
  const s = new Float32Array(n), vv = new Float32Array(n);
  interpretKernel({ name: 'scalar', params: [X, S], body: loop('i', n, store(S, v('i'), scalarBody(v('i'), 1, 0))) }, [x, s]);
  const vbody = loop('io', n / 4, store(V, ramp(mul(v('io'), cnst(4)), 1, 4), scalarBody(mul(v('io'), cnst(4)), 4, 3)));
  interpretKernel({ name: 'vector', params: [X, V], body: vbody }, [x, vv]);
  assert.deepEqual([...vv], [...s]);
});

test('lane reductions: i32 add wraps like exact arithmetic mod 2^32; f32 add pairs lanes (l0+l2)+(l1+l3)', () => {
  const X = buf('X', 'i32', 4), F = buf('F', 'f32', 4), O = buf('O', 'i32', 3), P = buf('P', 'f32', 3);
  const xi = load(X, ramp(cnst(0), 1, 4)), xf = load(F, ramp(cnst(0), 1, 4));
  const lane = (a: Expr, l: 'add' | 'max' | 'min'): Expr => ({ k: 'lane', type: scalar(a.type.scalar), a, lane: l });
  const body = seq(...(['add', 'max', 'min'] as const).flatMap((l, k) => [store(O, cnst(k), lane(xi, l)), store(P, cnst(k), lane(xf, l))]));
  const ints = [2147483647, 5, -9, 2147483000], floats = [1e8, 1, -1e8, 1].map(Math.fround);
  const o = new Int32Array(3), p = new Float32Array(3);
  interpretKernel({ name: 'reduce', params: [X, F, O, P], body }, [Int32Array.from(ints), Float32Array.from(floats), o, p]);
  assert.equal(o[0], Number(BigInt.asIntN(32, ints.reduce((s, x) => s + BigInt(x), 0n))));
  assert.deepEqual([o[1], o[2]], [Math.max(...ints), Math.min(...ints)]);
  const f = Math.fround;
  assert.equal(p[0], f(f(floats[0] + floats[2]) + f(floats[1] + floats[3])));
  assert.deepEqual([p[1], p[2]], [Math.max(...floats), Math.min(...floats)]);
});

test('alloc gives fresh zeroed scratch on every entry; locals and lets scope as written', () => {
  const O = buf('O', 'i32', 3), T = buf('T', 'i32', 2);
  // each outer iteration: T[0] += i + 1 twice, then O[i] = T[0] — stale scratch would accumulate
  const bump = store(T, cnst(0), add(load(T, cnst(0)), add(v('i'), cnst(1))));
  const body = loop('i', 3, { k: 'alloc', buf: T, body: seq(bump, bump, store(O, v('i'), load(T, cnst(0)))) });
  const o = new Int32Array(3);
  interpretKernel({ name: 'scratch', params: [O], body }, [o]);
  assert.deepEqual([...o], [2, 4, 6]);
});

test('faults name the kernel, the buffer and the index; bad bindings are refused', () => {
  const A = buf('A', 'f32', 4), B = buf('B', 'f32', 4);
  const run = (body: Stmt, a = new Float32Array(4)) => interpretKernel({ name: 'k1', params: [A, B], body }, [a, new Float32Array(4)]);
  assert.throws(() => run(loop('i', 5, store(B, v('i'), load(A, v('i'))))),
    (e: unknown) => e instanceof LoopIRError && /k1/.test(e.message) && /'A'/.test(e.message) && /index 4/.test(e.message));
  assert.throws(() => run(store(B, cnst(-1), fconst(1))), (e: unknown) => e instanceof LoopIRError && /'B' at index -1/.test(e.message));
  assert.throws(() => run(store(B, cnst(0), load(A, v('q')))), (e: unknown) => e instanceof LoopIRError && /'q'/.test(e.message));
  assert.throws(() => run(store(B, cnst(0), fconst(0)), new Float32Array(2)), /declares 4 elements/);
  const Ai = buf('I', 'i32', 1);
  const div0: Kernel = { name: 'k2', params: [Ai], body: store(Ai, cnst(0), bin('div', cnst(1), load(Ai, cnst(0)))) };
  const zero = new Int32Array(1);
  interpretKernel(div0, [zero]); // integer division is total: 1 / 0 = 0
  assert.equal(zero[0], 0);
  assert.throws(() => interpretKernel(div0, [new Float32Array(1)]), /needs Int32Array/);
  assert.throws(() => run(loop('i', 2, { k: 'set', v: 'i', value: cnst(0) })), /not a local/);
});
