// Hand-built loop-IR kernels compiled to wasm (SIMD and scalar targets) against the loop-IR
// interpreter and plain JS over the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  F32, I32, add, bin, broadcast, call, cast, cnst, fconst, load, loop, mul, ramp, select, seq, store, sub, v, vec,
  type Buffer, type Kernel, type Stmt,
} from '../../../src/loop/ir.js';
import { interpretKernel } from '../../../src/loop/interpret.js';
import { buildModule } from '../../../src/target/wasm/codegen.js';
import { runKernel, SCALAR, SIMD, type Arr } from './harness.js';

const buf = (name: string, elem: Buffer['elem'], size: number): Buffer => ({ name, elem, size });
const F4 = vec('f32', 4);
function randomF32(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) >>> 0; return (s / 2 ** 32) * 4 - 2; });
}
const clone = <T extends Arr>(a: T): T => a.slice() as T;

/** Runs `k` in wasm on both targets and in the interpreter; all outputs must agree within `tol` (0: bitwise). */
async function agree(k: Kernel, inputs: readonly Arr[], tol = 0): Promise<Arr[]> {
  const expected = inputs.map(clone);
  interpretKernel(k, expected as never);
  for (const target of [SIMD, SCALAR]) {
    const got = inputs.map(clone);
    await runKernel(k, got, target);
    got.forEach((g, i) => {
      for (let j = 0; j < g.length; j++) {
        const a = Number(g[j]), b = Number(expected[i][j]);
        if (tol === 0) assert.ok(Object.is(a, b), `${k.name} ${target.simd ? 'simd' : 'scalar'} buffer ${i}[${j}]: ${a} vs ${b}`);
        else assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${k.name}[${j}]: ${a} vs ${b}`);
      }
    });
  }
  return expected;
}

test('elementwise add over a buffer', async () => {
  const n = 37, x = buf('x', 'f32', n), y = buf('y', 'f32', n), z = buf('z', 'f32', n);
  const k: Kernel = { name: 'add', params: [x, y, z], body: loop('i', n, store(z, v('i'), add(load(x, v('i')), load(y, v('i'))))) };
  const [a, b] = [randomF32(n, 1), randomF32(n, 2)];
  const [, , out] = await agree(k, [a, b, new Float32Array(n)]);
  out.forEach((o, i) => assert.equal(o, Math.fround(a[i] + b[i])));
});

test('scalar reduction with a local accumulator, loop bounds from a variable', async () => {
  const n = 50, x = buf('x', 'f32', n), out = buf('out', 'f32', 2);
  const body: Stmt = {
    k: 'local', v: 'acc', type: F32, init: fconst(0),
    body: seq(
      loop('i', bin('sub', cnst(n), v('lo')), { k: 'set', v: 'acc', value: add(v('acc', F32), load(x, v('i'))) }, 'serial', v('lo')),
      store(out, cnst(1), v('acc', F32)),
    ),
  };
  const k: Kernel = { name: 'sum', params: [x, out], body: { k: 'let', v: 'lo', value: cnst(3), body } };
  const a = randomF32(n, 3);
  const [, o] = await agree(k, [a, new Float32Array(2)]);
  let s = 0;
  for (let i = 3; i < n; i++) s = Math.fround(s + a[i]);
  assert.equal(o[1], s);
});

test('vectorised f32x4 loop with a broadcast scalar, and a horizontal sum', async () => {
  const n = 64, x = buf('x', 'f32', n), y = buf('y', 'f32', n), alpha = buf('alpha', 'f32', 1), s = buf('s', 'f32', 1);
  const idx = ramp(mul(v('i'), cnst(4)), 1, 4);
  const k: Kernel = {
    name: 'axpy', params: [x, alpha, y, s],
    body: seq(
      loop('i', n / 4, store(y, idx, add(mul(load(x, idx), broadcast(load(alpha, cnst(0)), 4)), load(y, idx)))),
      store(s, cnst(0), { k: 'lane', type: F32, a: load(y, ramp(cnst(4), 1, 4)), lane: 'add' }),
    ),
  };
  await agree(k, [randomF32(n, 4), Float32Array.of(0.75), randomF32(n, 5), new Float32Array(1)]);
});

/** C[2x8] += A[2xK] B[Kx8] with eight f32x4 accumulators... two rows by two vectors of four. */
function matmulKernel(K: number): Kernel {
  const A = buf('A', 'f32', 2 * K), B = buf('B', 'f32', K * 8), C = buf('C', 'f32', 16);
  const acc = (r: number, c: number) => `acc${r}${c}`;
  const bvec = (c: number) => load(B, ramp(add(mul(v('k'), cnst(8)), cnst(4 * c)), 1, 4));
  const update: Stmt[] = [];
  for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) {
    const a = broadcast(load(A, add(cnst(r * K), v('k'))), 4);
    update.push({ k: 'set', v: acc(r, c), value: call('fma', a, bvec(c), v(acc(r, c), F4)) });
  }
  const stores: Stmt[] = [];
  for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) stores.push(store(C, ramp(cnst(r * 8 + c * 4), 1, 4), v(acc(r, c), F4)));
  let body: Stmt = seq(loop('k', K, seq(...update)), ...stores);
  for (let r = 1; r >= 0; r--) for (let c = 1; c >= 0; c--) {
    body = { k: 'local', v: acc(r, c), type: F4, init: load(C, ramp(cnst(r * 8 + c * 4), 1, 4)), body };
  }
  return { name: `gemm_2x8_k${K}`, params: [A, B, C], body };
}

test('2x8 register-tiled matmul micro-kernel with fma', async () => {
  const K = 13, a = randomF32(2 * K, 6), b = randomF32(K * 8, 7), c0 = randomF32(16, 8);
  const [, , c] = await agree(matmulKernel(K), [a, b, c0], 1e-5);
  for (let r = 0; r < 2; r++) for (let j = 0; j < 8; j++) {
    let s = c0[r * 8 + j];
    for (let k = 0; k < K; k++) s += a[r * K + k] * b[k * 8 + j];
    assert.ok(Math.abs(Number(c[r * 8 + j]) - s) < 1e-5, `C[${r},${j}]`);
  }
});

test('narrow types: u8 and i8 loads widen, i16 and u8 stores wrap, vector and scalar', async () => {
  const n = 16, x = buf('x', 'u8', n), w = buf('w', 'i8', n), y = buf('y', 'i16', n), z = buf('z', 'u8', n);
  const idx = ramp(mul(v('i'), cnst(4)), 1, 4);
  const prod = mul(load(x, idx), load(w, idx));
  const k: Kernel = {
    name: 'narrow', params: [x, w, y, z],
    body: loop('i', n / 4, seq(store(y, idx, mul(prod, broadcast(cnst(300), 4))), store(z, idx, add(load(x, idx), broadcast(cnst(200), 4))))),
  };
  const xs = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255), ws = Int8Array.from({ length: n }, (_, i) => ((i * 53) & 255) - 128);
  const [, , ys, zs] = await agree(k, [xs, ws, new Int16Array(n), new Uint8Array(n)]);
  ys.forEach((yv, i) => assert.equal(yv, ((xs[i] * ws[i] * 300) << 16) >> 16));
  zs.forEach((zv, i) => assert.equal(zv, (xs[i] + 200) & 255));
});

test('if, select (scalar and vector), integer floor division, casts', async () => {
  const n = 24, x = buf('x', 'f32', n), y = buf('y', 'f32', n), q = buf('q', 'i32', n);
  const idx = ramp(mul(v('i'), cnst(4)), 1, 4);
  const xv = load(x, idx);
  const relu = select(bin('gt', xv, broadcast(fconst(0), 4)), xv, broadcast(fconst(0), 4));
  const k: Kernel = {
    name: 'branches', params: [x, y, q],
    body: seq(
      loop('i', n / 4, store(y, idx, relu)),
      loop('i', n, seq(
        { k: 'if', cond: bin('eq', bin('floormod', v('i'), cnst(3)), cnst(0)), then: store(y, v('i'), fconst(-1)) },
        store(q, v('i'), add(bin('floordiv', sub(v('i'), cnst(11)), cnst(4)), cast(load(x, v('i')), 'i32'))),
      )),
      store(q, cnst(0), select(bin('lt', load(x, cnst(1)), fconst(0)), cnst(-7, I32), load(q, cnst(2)))),
    ),
  };
  await agree(k, [randomF32(n, 9).map((t) => t * 3), new Float32Array(n), new Int32Array(n)]);
});

test('identical kernels under two names compile to one function; run calls each step', async () => {
  const n = 8, x = buf('x', 'f32', n);
  const body = loop('i', n, store(x, v('i'), add(load(x, v('i')), fconst(1))));
  const k1: Kernel = { name: 'inc1', params: [x], body }, k2: Kernel = { name: 'inc2', params: [x], body };
  const { bytes, kernelIndex } = buildModule([{ kernel: k1, addresses: [64] }, { kernel: k2, addresses: [64] }],
    { target: SIMD, memory: { min: 1 } });
  assert.equal(kernelIndex.get('inc1'), kernelIndex.get('inc2'));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  new Float32Array(memory.buffer, 64, n).fill(2);
  (instance.exports.run as () => void)();
  assert.deepEqual([...new Float32Array(memory.buffer, 64, n)], new Array(n).fill(4));
});

test('vector comparisons used as values are 0/1 per lane; not is logical; 0/1 values and logic over compares feed select', async () => {
  const n = 8, xi = buf('xi', 'i32', n), yi = buf('yi', 'i32', n), x = buf('x', 'f32', n);
  const oi = buf('oi', 'i32', 8 * n), of = buf('of', 'f32', 4 * n);
  const I4 = vec('i32', 4), r = (base: number) => ramp(cnst(base), 1, 4);
  const a = load(xi, r(0)), b = load(xi, r(4)), fa = load(x, r(0)), fb = load(x, r(4));
  const lt = bin('lt', a, b), fgt = bin('gt', fa, fb);
  const flag = load(yi, r(0)); // arbitrary integers, used as truth values
  const body = seq(
    store(oi, r(0), lt),
    store(oi, r(4), fgt),
    store(oi, r(8), bin('ge', lt, a)),
    store(oi, r(12), { k: 'un', type: I4, op: 'not', a: flag }),
    store(oi, r(16), { k: 'un', type: I4, op: 'not', a: lt }),
    store(oi, r(20), bin('and', lt, fgt)),
    store(oi, r(24), add(lt, fgt)),
    store(oi, r(28), bin('and', flag, lt)),
    store(of, r(0), cast(lt, 'f32')),
    store(of, r(4), select(bin('or', lt, { k: 'un', type: I4, op: 'not', a: fgt }), fa, fb)),
    store(of, r(8), select(flag, fa, fb)),
    store(of, r(12), select(bin('and', flag, b), fa, fb)),
    store(of, r(16), select(load(oi, r(0)), fa, fb)),
  );
  const k: Kernel = { name: 'cmp_values', params: [xi, yi, x, oi, of], body };
  const ints = Int32Array.from([1, 5, 2, 0, 3, 3, 3, -1]);
  const flags = Int32Array.from([0, 2, -1, 1, 0, 0, 4, 0]);
  const [, , , outI] = await agree(k, [ints, flags, randomF32(n, 4), new Int32Array(8 * n), new Float32Array(4 * n)]);
  assert.deepEqual([...outI.slice(0, 4)], [1, 0, 1, 0]); // 1<3, 5<3, 2<3, 0<-1 as plain JS would say
});

test('stride-2 vector loads (strided convs) read the even elements, up to the last one of the buffer', async () => {
  // 5 rows of 4 outputs each read x[8r .. 8r+6]: the last row ends at the buffer's last element
  const rows = 5, x = buf('x', 'f32', 8 * (rows - 1) + 7), y = buf('y', 'f32', 4 * rows);
  const xi = buf('xi', 'i32', x.size), yi = buf('yi', 'i32', y.size);
  const row = (src: Buffer, dst: Buffer) => store(dst, ramp(mul(v('r'), cnst(4)), 1, 4), load(src, ramp(mul(v('r'), cnst(8)), 2, 4)));
  const k: Kernel = { name: 'stride2', params: [x, xi, y, yi], body: loop('r', rows, seq(row(x, y), row(xi, yi))) };
  const a = randomF32(x.size, 3), ai = Int32Array.from({ length: xi.size }, (_, i) => i * 7 - 20);
  const [, , out, outi] = await agree(k, [a, ai, new Float32Array(y.size), new Int32Array(yi.size)]);
  out.forEach((o, j) => assert.equal(o, a[8 * Math.floor(j / 4) + 2 * (j % 4)]));
  outi.forEach((o, j) => assert.equal(o, ai[8 * Math.floor(j / 4) + 2 * (j % 4)]));
});
