// vectorizeLoops: vectorised kernels compute what the scalar ones do in the interpreter (exactly,
// except float sums split into lanes), no 'vectorized' loop survives, and the key shapes print.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, bin, cast, cnst, F32, fconst, I32, load, loop, mul, select, seq, store, sub, un, v, vec,
  type Buffer, type Expr, type Kernel, type ScalarType, type Stmt, type VType,
} from '../../src/loop/ir.js';
import { vectorizeLoops } from '../../src/loop/vectorize.js';
import { simd128 } from '../../src/target/wasm/facts.js';
import { unrollLoops } from '../../src/loop/unroll.js';
import { printStmt } from '../../src/loop/print.js';
import { verifyKernel } from '../../src/loop/verify.js';
import { forEachInStmt, mapStmt } from '../../src/loop/visit.js';
import type { TypedArray } from '../../src/loop/interpret.js';
import { ARRAY_OF } from '../../src/loop/semantics.js';
import { rng } from '../../src/io/random.js';
import { randomBuffers, randomKernel, runOn } from './random-kernels.js';
import { checkOp } from '../lower/check.js';
import { split, vectorize } from '../../src/schedule/schedule.js';
import { runKernel, SIMD } from '../target/wasm/harness.js';

const buf = (name: string, elem: Buffer['elem'] = 'f32', size = 64): Buffer => ({ name, elem, size });
const X = buf('X'), Y = buf('Y'), A = buf('A'), B = buf('B'), C = buf('C'), OUT = buf('OUT');
const XI = buf('XI', 'i32'), OUTI = buf('OUTI', 'i32');
const X64 = buf('X64', 'f64'), OUT64 = buf('OUT64', 'f64');
const PARAMS = [X, Y, A, B, C, OUT, XI, OUTI, X64, OUT64];

const f = (name: string) => v(name, F32);
const set = (name: string, value: Expr): Stmt => ({ k: 'set', v: name, value });
const local = (name: string, type: VType, init: Expr, body: Stmt): Stmt => ({ k: 'local', v: name, type, init, body });
const at = (i: string, stride: number, offset = 0) => add(mul(v(i), cnst(stride)), cnst(offset));

function randomArrays(params: readonly Buffer[], next: () => number): TypedArray[] {
  return params.map((p) => {
    const a = new ARRAY_OF[p.elem](p.size) as TypedArray;
    for (let i = 0; i < p.size; i++) {
      const x = next() * 8 - 4;
      if (p.elem === 'i64') (a as BigInt64Array)[i] = BigInt(Math.floor(x * 5));
      else (a as Float32Array)[i] = p.elem === 'f32' || p.elem === 'f64' ? x : Math.floor(x * 5);
    }
    return a;
  });
}

/** Outputs agree exactly, or within `tol` relative error where float sums were reordered. */
function assertSame(got: TypedArray[] | string, want: TypedArray[] | string, tol: number, what: string): void {
  if (typeof want === 'string' || typeof got === 'string') {
    assert.equal(typeof got, typeof want, `${what}: ${typeof got === 'string' ? got : want}`);
    return;
  }
  if (tol === 0) { assert.deepEqual(got, want, what); return; }
  got.forEach((g, b) => {
    const w = want[b];
    for (let i = 0; i < w.length; i++) {
      const x = Number(g[i]), y = Number(w[i]);
      assert.ok(Object.is(x, y) || Math.abs(x - y) <= tol * (1 + Math.abs(y)), `${what}: buffer ${b}[${i}] ${x} vs ${y}`);
    }
  });
}

const noVectorizedLoop = (s: Stmt) =>
  forEachInStmt(s, () => {}, (st) => assert.ok(st.k !== 'for' || st.kind !== 'vectorized', 'a vectorized loop survived'));

interface Vectorized { readonly text: string; readonly notes: string[]; readonly kernel: Kernel }

/** Vectorises `body` (after unrolling, as the pipeline does), checks it and compares runs on random data. */
function check(body: Stmt, { tol = 0, lanes, params = PARAMS }: { tol?: number; lanes?: (s: ScalarType) => number; params?: readonly Buffer[] } = {}): Vectorized {
  const before: Kernel = { name: 'k', params, body };
  verifyKernel(before);
  const notes: string[] = [];
  const after: Kernel = { ...before, body: vectorizeLoops(unrollLoops(body), { lanes: lanes ?? simd128, onScalar: (n, why) => notes.push(`${n}: ${why}`) }) };
  verifyKernel(after);
  noVectorizedLoop(after.body);
  const next = rng(5);
  for (let trial = 0; trial < 3; trial++) {
    const bufs = randomArrays(params, next);
    assertSame(runOn(after, bufs), runOn(before, bufs), tol, printStmt(after.body));
  }
  return { text: printStmt(after.body), notes, kernel: after };
}

describe('vectorizeLoops', () => {
  it('axpy: contiguous vector loads and stores, the scalar operand broadcast', () => {
    const r = check(loop('i', 16, store(Y, v('i'), add(mul(load(A, cnst(3)), load(X, v('i'))), load(Y, v('i')))), 'vectorized'));
    assert.deepEqual(r.notes, []);
    assert.match(r.text, /Y\[ramp\(12, 1, 4\)\] = broadcast\(A\[3\], 4\) \* X\[ramp\(12, 1, 4\)\] \+ Y\[ramp\(12, 1, 4\)\];/);
    assert.doesNotMatch(r.text, /for/);
  });

  it('a scalar of an outer loop times a vector, and a strided gather', () => {
    const r = check(loop('j', 3, loop('i', 8, store(OUT, add(at('j', 8), v('i')), mul(load(X, at('i', 3, 1)), load(A, v('j')))), 'vectorized')));
    assert.deepEqual(r.notes, []);
    assert.match(r.text, /X\[ramp\(1, 3, 4\)\]/);
    assert.match(r.text, /X\[ramp\(13, 3, 4\)\]/);
    assert.match(r.text, /broadcast\(A\[j\], 4\)/);
  });

  it('a 4x8 matmul tile: i unrolled, j vectorised, k serial, f32x4 accumulators', () => {
    const K = 5;
    const tile = loop('i', 4, loop('j', 8, local('acc', F32, fconst(0), seq(
      loop('k', K, set('acc', add(f('acc'), mul(load(A, add(at('i', K), v('k'))), load(B, add(at('k', 8), v('j'))))))),
      store(C, add(at('i', 8), v('j')), f('acc')))), 'vectorized'), 'unrolled');
    const r = check(tile);
    assert.deepEqual(r.notes, []);
    assert.equal(r.text.match(/f32x4 acc = f32x4\(0\.0f\);/g)?.length, 8);
    assert.match(r.text, /acc = acc \+ broadcast\(A\[k \+ 15\], 4\) \* B\[ramp\(k \* 8 \+ 4, 1, 4\)\];/);
    assert.match(r.text, /C\[ramp\(28, 1, 4\)\] = acc;/);
  });

  it('an elementwise chain with compares, select, casts and intrinsics', () => {
    const x = load(X, v('i')), y = load(Y, add(v('i'), cnst(2)));
    const value = add(select(bin('gt', x, y), mul(x, fconst(2)), sub(y, fconst(1))), cast(v('i'), 'f32'));
    const flag = un('not', bin('lt', load(XI, v('i')), cnst(0)));
    const r = check(seq(
      loop('i', 8, { k: 'let', v: 't', value, body: store(OUT, v('i'), add({ k: 'call', type: F32, fn: 'tanh', args: [f('t')] }, f('t'))) }, 'vectorized'),
      loop('i', 8, store(OUTI, v('i'), flag), 'vectorized')));
    assert.deepEqual(r.notes, []);
    assert.match(r.text, /f32x4 t = /);
    assert.match(r.text, /\(f32x4\)ramp\(4, 1, 4\)/);
  });

  it('an extent that lanes do not divide leaves a scalar tail', () => {
    const r = check(loop('i', 10, store(OUT, v('i'), add(load(X, v('i')), fconst(1))), 'vectorized'));
    assert.deepEqual(r.notes, []);
    assert.match(r.text, /OUT\[ramp\(4, 1, 4\)\] =/);
    assert.match(r.text, /for \(i32 i = 8; i < 8 \+ 2; i\+\+\) \{\n  OUT\[i\] = X\[i\] \+ 1\.0f;/);
  });

  it('long loops keep a serial loop over vectors', () => {
    const r = check(loop('i', 60, store(OUT, v('i'), mul(load(X, v('i')), load(X, v('i')))), 'vectorized'));
    assert.match(r.text, /for \(i32 i_vec = 0; i_vec < 15; i_vec\+\+\)/);
  });

  it('reductions across the vectorised loop: lane partials, then one horizontal reduce', () => {
    const reduce = (op: 'add' | 'max' | 'min', type: VType, x: Expr, extent: number, out: Buffer) =>
      local('s', type, op === 'add' ? cnst(1, type) : load(out, cnst(0)), seq(
        loop('i', extent, set('s', bin(op, v('s', type), x)), 'vectorized'),
        store(out, cnst(0), v('s', type))));
    const sum = check(reduce('add', F32, load(X, add(v('i'), cnst(1))), 40, OUT), { tol: 1e-5 });
    assert.deepEqual(sum.notes, []);
    assert.match(sum.text, /f32x4 s_lanes = f32x4\(-0\.0f\);/);
    assert.match(sum.text, /s = s \+ reduce_add\(s_lanes\);/);
    // max and integer sums are exact, with or without a tail
    const max = check(reduce('max', F32, mul(load(X, v('i')), load(Y, v('i'))), 10, OUT));
    assert.match(max.text, /f32x4 s_lanes = broadcast\(s, 4\);[^]*s = reduce_max\(s_lanes\);\nfor/);
    check(reduce('min', I32, load(XI, at('i', 2)), 16, OUTI));
    const isum = check(reduce('add', I32, mul(load(XI, v('i')), load(XI, v('i'))), 13, OUTI));
    assert.match(isum.text, /reduce_add/);
    // a reduction nested in an inner serial loop
    check(local('s', F32, fconst(0), seq(
      loop('i', 8, loop('k', 3, set('s', add(f('s'), load(X, add(at('k', 8), v('i')))))), 'vectorized'),
      store(OUT, cnst(0), f('s')))), { tol: 1e-5 });
  });

  it('int32 arithmetic and 64-bit types take their own lane counts', () => {
    const xi = load(XI, v('i'));
    const r = check(loop('i', 12, store(OUTI, v('i'),
      bin('xor', add(mul(xi, cnst(3)), bin('shr', xi, cnst(1))), bin('floordiv', bin('max', xi, cnst(-7)), cnst(4)))), 'vectorized'));
    assert.deepEqual(r.notes, []);
    assert.match(r.text, /OUTI\[ramp\(8, 1, 4\)\]/);
    const d = check(loop('i', 6, store(OUT64, v('i'), mul(load(X64, v('i')), cnst(2, vec('f64', 1)))), 'vectorized'));
    assert.deepEqual(d.notes, []);
    assert.match(d.text, /OUT64\[ramp\(4, 1, 2\)\] = X64\[ramp\(4, 1, 2\)\] \* f64x2\(2\.0\);/);
    const wide = check(loop('i', 16, store(OUT, v('i'), load(X, v('i'))), 'vectorized'), { lanes: () => 8 });
    assert.match(wide.text, /OUT\[ramp\(8, 1, 8\)\] = X\[ramp\(8, 1, 8\)\];/);
  });

  it('a vectorised loop inside unrolled ones, unrolled first as the pipeline does', () => {
    const r = check(loop('a', 2, loop('b', 3, loop('c', 4,
      store(OUT, add(add(at('a', 12), at('b', 4)), v('c')), mul(load(X, add(at('b', 8), v('c'))), load(A, v('a')))), 'vectorized'), 'unrolled'), 'unrolled'));
    assert.deepEqual(r.notes, []);
    assert.equal(r.text.match(/OUT\[ramp\(\d+, 1, 4\)\]/g)?.length, 6);
  });

  it('bodies it cannot vectorise stay serial, say why and compute the same', () => {
    const refused = (body: Stmt, why: RegExp) => {
      const r = check(body);
      assert.equal(r.notes.length, 1, r.text);
      assert.match(r.notes[0], why);
    };
    refused(loop('i', 8, { k: 'if', cond: bin('lt', v('i'), cnst(5)), then: store(OUT, v('i'), fconst(1)) }, 'vectorized'), /an if inside it/);
    refused(loop('i', 8, store(OUT, bin('floormod', mul(v('i'), cnst(3)), cnst(8)), load(X, v('i'))), 'vectorized'), /not affine/);
    refused(loop('i', 8, store(OUT, add(v('i'), cnst(1)), load(OUT, v('i'))), 'vectorized'), /two indices/);
    refused(loop('i', 8, store(OUT, cnst(0), load(X, v('i'))), 'vectorized'), /same element/);
    refused(loop('i', 4, store(OUT64, v('i'), cast(load(X, v('i')), 'f64')), 'vectorized'), /mixes/);
    refused(loop('j', 2, loop('i', load(XI, v('j')), store(OUT, add(v('i'), cnst(0)), fconst(2)), 'vectorized')), /not a constant/);
    refused(loop('i', 2, store(OUT, v('i'), fconst(2)), 'vectorized'), /less than one vector/);
    refused(local('s', F32, fconst(0), seq(loop('i', 8, seq(set('s', mul(f('s'), load(X, v('i')))), store(OUT, v('i'), f('s'))), 'vectorized'))), /updates 's'/);
    refused(loop('i', 4, loop('j', 4, store(OUT, add(at('i', 4), v('j')), fconst(3)), 'vectorized'), 'vectorized'), /already computes/);
  });

  it('lowered kernels: elementwise, and a reduction with its accumulator inside the vectorised loop', () => {
    const cases = [
      checkOp('Tanh', {}, [{ shape: [5, 8] }], [split('i1', 4), vectorize('i1.i')]).kernel,
      checkOp('MatMul', {}, [{ shape: [6, 12] }, { shape: [12, 8] }], [split('n', 4), vectorize('n.i')]).kernel,
    ];
    for (const kernel of cases) {
      const r = check(kernel.body, { params: kernel.params });
      assert.deepEqual(r.notes, []);
      assert.match(r.text, /\[ramp\([^)]*, 1, 4\)\] =/);
    }
  });
});

describe('vectorizeLoops on random kernels', () => {
  const markVectorized = (s: Stmt): Stmt => {
    const inner = mapStmt(s, (e) => e, markVectorized);
    return inner.k === 'for' ? { ...inner, kind: 'vectorized' } : inner;
  };

  it('general random kernels with every loop marked vectorised compute the same buffers', () => {
    const next = rng(91);
    for (let n = 0; n < 200; n++) {
      const k = randomKernel(next);
      const marked = { ...k, body: markVectorized(k.body) };
      const after = { ...k, body: vectorizeLoops(marked.body, { lanes: simd128 }) };
      verifyKernel(after);
      noVectorizedLoop(after.body);
      const bufs = randomBuffers(next);
      assertSame(runOn(after, bufs), runOn(k, bufs), 1e-4, `kernel ${n}:\n${printStmt(k.body)}`);
    }
  });

  it('random vectorisable bodies: lets, locals, gathers, selects, reductions (the first ones also on wasm)', async () => {
    const next = rng(3);
    let onWasm = false;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    const index = () => pick([at('i', 1, pick([0, 3])), at('i', 2, 1), at('i', 0, pick([0, 5])), add(mul(v('i'), cnst(-1)), cnst(30))]);
    const int = (d: number): Expr => {
      const r = next();
      if (d <= 0 || r < 0.3) return pick([v('i'), cnst(pick([-2, 3, 7])), load(XI, index())]);
      if (r < 0.6) return bin(pick(['add', 'mul', 'sub', 'min', 'xor'] as const), int(d - 1), int(d - 1));
      if (r < 0.8) return bin(pick(['floordiv', 'floormod'] as const), int(d - 1), cnst(pick([2, 3, -4])));
      return bin(pick(['lt', 'ge', 'eq'] as const), int(d - 1), int(d - 1));
    };
    const float = (d: number, names: readonly string[]): Expr => {
      const r = next();
      if (d <= 0 || r < 0.25) return names.length && r < 0.12 ? f(pick(names)) : pick([load(X, index()), fconst(0.5), load(A, cnst(2))]);
      if (r < 0.6) return bin(pick(['add', 'mul', 'sub', 'max'] as const), float(d - 1, names), float(d - 1, names));
      if (r < 0.75) return cast(int(d - 1), 'f32');
      return select(bin('lt', float(d - 1, names), float(d - 1, names)), float(d - 1, names), float(d - 1, names));
    };
    let vectorized = 0;
    const total = 150;
    for (let n = 0; n < total; n++) {
      onWasm = n < 25;
      const out = pick([at('i', 1), at('i', 2, 1), add(mul(v('i'), cnst(-1)), cnst(40))]);
      let body: Stmt = seq(store(OUT, out, float(3, ['t', 'acc'])), store(OUTI, at('i', 1, 2), int(2)),
        set('m', bin('max', f('m'), float(2, ['t']))));
      body = local('acc', F32, float(1, ['t']), seq(loop('k', 3, set('acc', add(f('acc'), load(Y, add(at('k', 12), v('i')))))), body));
      body = { k: 'let', v: 't', value: float(2, []), body };
      const extent = pick([4, 8, 10, 13]);
      const kernel = local('m', F32, fconst(-1), seq(loop('i', extent, body, 'vectorized'), store(C, cnst(0), f('m'))));
      const r = check(kernel);
      if (r.notes.length === 0) vectorized++;
      if (onWasm) {
        const arrays = randomArrays(PARAMS, next);
        const got = arrays.map((a) => a.slice() as TypedArray);
        await runKernel(r.kernel, got, SIMD);
        assert.deepEqual(got, runOn(r.kernel, arrays), `wasm:\n${r.text}`);
      }
    }
    assert.ok(vectorized >= total * 0.9, `only ${vectorized} of ${total} vectorised`);
  });
});

describe('vectorised kernels on the wasm target', () => {
  it('compile with SIMD and agree with the interpreter', async () => {
    const K = 5;
    const bodies: Stmt[] = [
      loop('i', 10, store(Y, v('i'), add(mul(load(A, cnst(3)), load(X, v('i'))), load(Y, v('i')))), 'vectorized'),
      loop('i', 8, store(OUT, v('i'), mul(load(X, at('i', 3, 1)), load(A, v('i')))), 'vectorized'),
      loop('i', 4, loop('j', 8, local('acc', F32, fconst(0), seq(
        loop('k', K, set('acc', add(f('acc'), mul(load(A, add(at('i', K), v('k'))), load(B, add(at('k', 8), v('j'))))))),
        store(C, add(at('i', 8), v('j')), f('acc')))), 'vectorized'), 'unrolled'),
      local('s', F32, fconst(0), seq(loop('i', 13, set('s', bin('max', f('s'), load(X, v('i')))), 'vectorized'), store(OUT, cnst(0), f('s')))),
      local('s', I32, cnst(0), seq(loop('i', 16, set('s', add(v('s'), load(XI, v('i')))), 'vectorized'), store(OUTI, cnst(0), v('s')))),
      loop('i', 12, store(OUTI, v('i'), select(bin('lt', load(XI, v('i')), cnst(0)), bin('floordiv', load(XI, v('i')), cnst(3)), cast(load(X, v('i')), 'i32'))), 'vectorized'),
    ];
    const next = rng(8);
    for (const body of bodies) {
      const { kernel } = check(body);
      const arrays = randomArrays(PARAMS, next);
      const want = runOn(kernel, arrays);
      const got = arrays.map((a) => a.slice() as TypedArray);
      await runKernel(kernel, got, SIMD);
      assert.deepEqual(got, want, printStmt(kernel.body));
    }
  });
});
