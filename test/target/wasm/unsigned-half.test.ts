// u32/u64 arithmetic and conversions, and f16 memory, compiled to wasm (SIMD and scalar targets,
// scalar and vector forms) against the loop-IR interpreter and an independent BigInt/JS oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bin, cast, cnst, load, loop, mul, ramp, store, un, v, type BinOp, type Buffer, type ElemType, type Expr, type Kernel, type ScalarType } from '../../../src/loop/ir.js';
import { interpretKernel } from '../../../src/loop/interpret.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../../src/ir/dtype.js';
import { runKernel, SCALAR, SIMD, type Arr } from './harness.js';

const buf = (name: string, elem: ElemType, size: number): Buffer => ({ name, elem, size });
const ARRAY: Record<string, new (n: number) => Arr> = {
  u32: Uint32Array, u64: BigUint64Array, i32: Int32Array, i64: BigInt64Array, f32: Float32Array, f64: Float64Array, f16: Uint16Array,
};

/** out[i] = f(a[i], b[i]) in `lanes`-wide steps; wasm on both targets must equal the interpreter bit for bit. */
async function agree(name: string, elems: readonly [ElemType, ElemType, ElemType], lanes: number, a: Arr, b: Arr,
  f: (x: Expr, y: Expr) => Expr): Promise<Arr> {
  const n = a.length;
  const [A, B, O] = elems.map((e, i) => buf('ABO'[i], e, n));
  const idx = lanes === 1 ? v('i') : ramp(mul(v('i'), cnst(lanes)), 1, lanes);
  const k: Kernel = { name, params: [A, B, O], body: loop('i', n / lanes, store(O, idx, f(load(A, idx), load(B, idx)))) };
  const want = new ARRAY[elems[2]](n);
  interpretKernel(k, [a, b, want] as never);
  for (const target of [SIMD, SCALAR]) {
    const got = new ARRAY[elems[2]](n);
    await runKernel(k, [a.slice() as Arr, b.slice() as Arr, got], target);
    for (let i = 0; i < n; i++) {
      const bothNaN = elems[2] === 'f16' ? halfNaN(got[i] as number) && halfNaN(want[i] as number) : Number.isNaN(got[i]) && Number.isNaN(want[i]);
      assert.ok(Object.is(got[i], want[i]) || bothNaN,
        `${name} (${target.simd ? 'simd' : 'scalar'}, ${lanes} lanes) at ${a[i]}, ${b[i]}: wasm ${got[i]}, interpreter ${want[i]}`);
    }
  }
  return want;
}

/** NaN halves agree whatever their sign and payload: JS numbers do not keep a NaN's bits. */
const halfNaN = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

const U32_VALUES = [0, 1, 2, 3, 7, 31, 32, 33, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 1000003, 65536, 12345678, 0xdeadbeef];
const U64_VALUES = [0n, 1n, 2n, 7n, 63n, 64n, 65n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 40n, (1n << 53n) + 1n,
  0xdeadbeefcafebaben, 3n, 1000000007n, (1n << 32n) + 5n];

/** Every pair of values (divisors 0 replaced by 1: the target traps there, as the interpreter says). */
function pairs<T>(values: readonly T[], one: T, zero: T): [T[], T[]] {
  const as: T[] = [], bs: T[] = [];
  for (const a of values) for (const b of values) { as.push(a); bs.push(b === zero ? one : b); }
  return [as, bs];
}

/** The unsigned meaning of each op, in BigInt, on `bits`-bit values. */
function oracle(op: BinOp, a: bigint, b: bigint, bits: bigint): bigint {
  const m = (x: bigint) => BigInt.asUintN(Number(bits), x);
  switch (op) {
    case 'add': return m(a + b);
    case 'sub': return m(a - b);
    case 'mul': return m(a * b);
    case 'div': case 'floordiv': return a / b;
    case 'mod': case 'floormod': return a % b;
    case 'min': return a < b ? a : b;
    case 'max': return a > b ? a : b;
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return m(a << (b % bits));
    case 'shr': return a >> (b % bits);
    case 'eq': return a === b ? 1n : 0n;
    case 'ne': return a !== b ? 1n : 0n;
    case 'lt': return a < b ? 1n : 0n;
    case 'le': return a <= b ? 1n : 0n;
    case 'gt': return a > b ? 1n : 0n;
    case 'ge': return a >= b ? 1n : 0n;
  }
}

const OPS: BinOp[] = ['add', 'sub', 'mul', 'div', 'mod', 'floordiv', 'floormod', 'min', 'max', 'and', 'or', 'xor', 'shl', 'shr',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const COMPARE = new Set<BinOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

for (const [t, lanes] of [['u32', 4], ['u64', 2]] as const) {
  test(`${t}: every binary op as unsigned arithmetic, scalar and ${t}x${lanes}, as the BigInt oracle says`, async () => {
    const bits = t === 'u32' ? 32n : 64n;
    const [as, bs] = t === 'u32' ? pairs(U32_VALUES, 1, 0) : pairs(U64_VALUES, 1n, 0n);
    const A = t === 'u32' ? Uint32Array.from(as as number[]) : BigUint64Array.from(as as bigint[]);
    const B = t === 'u32' ? Uint32Array.from(bs as number[]) : BigUint64Array.from(bs as bigint[]);
    for (const op of OPS) {
      const out: ElemType = COMPARE.has(op) ? 'i32' : t;
      for (const l of [1, lanes]) {
        const got = await agree(`${op}.${t}`, [t, t, out], l, A, B, (x, y) => bin(op, x, y));
        for (let i = 0; i < A.length; i++) {
          const want = oracle(op, BigInt(A[i]), BigInt(B[i]), bits);
          assert.equal(BigInt(got[i]), want, `${op}.${t}(${A[i]}, ${B[i]})`);
        }
      }
    }
  });
}

test('u32/u64 neg, abs and not; conversions among u32, u64, i32, i64, f32, f64 (floats saturate into unsigned)', async () => {
  const u32 = Uint32Array.from(U32_VALUES), u64 = BigUint64Array.from(U64_VALUES);
  for (const [t, a] of [['u32', u32], ['u64', u64]] as const) {
    for (const op of ['neg', 'abs', 'not'] as const) {
      await agree(`${op}.${t}`, [t, t, t], 1, a, a, (x) => un(op, x));
      await agree(`${op}.${t}x`, [t, t, t], t === 'u32' ? 4 : 2, a, a, (x) => un(op, x));
    }
  }
  const sources: [ElemType, Arr][] = [
    ['u32', u32], ['u64', u64], ['i32', Int32Array.from(U32_VALUES.map((x) => x | 0))],
    ['i64', BigInt64Array.from(U64_VALUES.map((x) => BigInt.asIntN(64, x)))],
    ['f32', Float32Array.from([0, -0, 1.5, -1.5, -7.9, 4294967295, 4294967296, 1e10, -1e10, 2 ** 63, -(2 ** 63), NaN, Infinity, -Infinity, 123.99, -0.5])],
    ['f64', Float64Array.from([0, -0, 1.5, -1.5, -7.9, 4294967295, 4294967296.5, 1e10, -1e10, 2 ** 63, -(2 ** 63), NaN, Infinity, -Infinity, 2 ** 53 + 2, -3])],
  ];
  for (const [from, a] of sources) {
    for (const to of ['u32', 'u64', 'i32', 'i64', 'f32', 'f64'] as const) {
      const got = await agree(`cast ${from}->${to}`, [from, from, to], 1, a, a, (x) => cast(x, to as ScalarType));
      const vectorLanes = from === 'u32' || from === 'i32' || from === 'f32' ? 4 : 2;
      if ((to === 'u32' || to === 'i32' || to === 'f32' ? 4 : 2) === vectorLanes) await agree(`cast ${from}->${to} x`, [from, from, to], vectorLanes, a, a, (x) => cast(x, to as ScalarType));
      if (from === 'u32' && to === 'f64') got.forEach((y, i) => assert.equal(y, U32_VALUES[i]));
      if (from === 'u64' && to === 'f64') got.forEach((y, i) => assert.equal(y, Number(U64_VALUES[i])));
      if (from === 'f64' && to === 'u32') {
        got.forEach((y, i) => { const x = a[i] as number; assert.equal(y, Number.isNaN(x) ? 0 : Math.min(2 ** 32 - 1, Math.max(0, Math.trunc(x))), `u32(${x})`); });
      }
    }
  }
});

test('f16 memory: every half loads to its exact value; f32 stores round to nearest-even as the reference rounds', async () => {
  const halves = Uint16Array.from({ length: 65536 }, (_, i) => i);
  for (const lanes of [1, 4]) {
    const floats = await agree('f16 load', ['f16', 'f16', 'f32'], lanes, halves, halves, (x) => x);
    for (let h = 0; h < 65536; h++) {
      const want = float16BitsToNumber(h);
      assert.ok(Object.is(floats[h], want) || (Number.isNaN(want) && Number.isNaN(floats[h] as number)), `half ${h.toString(16)} (${lanes} lanes): ${floats[h]} vs ${want}`);
    }
  }
  // round trip: every non-NaN half comes back bit for bit
  for (const lanes of [1, 4]) {
    const back = await agree('f16 round trip', ['f16', 'f16', 'f16'], lanes, halves, halves, (x) => x);
    for (let h = 0; h < 65536; h++) if (!Number.isNaN(float16BitsToNumber(h))) assert.equal(back[h], h);
  }
  // f32 values around every rounding boundary (halfway points, just either side), subnormals,
  // overflow, tiny, NaN, inf, then random bit patterns of every exponent
  const xs: number[] = [];
  for (let h = 0; h < 0x7c00; h++) {
    const lo = float16BitsToNumber(h), hi = float16BitsToNumber(h + 1), mid = (lo + hi) / 2;
    xs.push(lo, mid, Math.fround(mid * (1 + 2 ** -20)), Math.fround(mid * (1 - 2 ** -20)), -mid, Math.fround(lo + (hi - lo) / 3));
  }
  xs.push(65504, 65519.99, 65520, 65535.99, 65536, 1e6, -1e6, 2 ** -25, 2 ** -26, 2 ** -25 * 1.0001, 2 ** -24 * 1.5, 1e-30, 1e-40, -1e-45,
    3e38, NaN, -NaN, Infinity, -Infinity, -0);
  const bits = new Uint32Array(1);
  let seed = 12345;
  for (let i = 0; i < 1 << 17; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bits[0] = Math.imul(seed ^ (seed >>> 13), 0x9e3779b1);
    xs.push(new Float32Array(bits.buffer)[0]);
  }
  while (xs.length % 4) xs.push(0);
  const f = Float32Array.from(xs);
  for (const lanes of [1, 4]) {
    const stored = await agree('f16 store', ['f32', 'f32', 'f16'], lanes, f, f, (x) => x);
    for (let i = 0; i < f.length; i++) assert.equal(stored[i], numberToFloat16Bits(f[i]), `store ${f[i]}: ${stored[i].toString(16)} vs ${numberToFloat16Bits(f[i]).toString(16)}`);
  }
});

test('f16 memory at a stride: vectors assembled and stored lane by lane agree with the interpreter', async () => {
  const n = 4096;
  const src: Buffer = buf('src', 'f16', 2 * n), dst: Buffer = buf('dst', 'f16', 2 * n);
  const idx = ramp(mul(v('i'), cnst(8)), 2, 4);
  const k: Kernel = { name: 'strided', params: [src, dst], body: loop('i', n / 4, store(dst, idx, bin('mul', load(src, idx), cnst(3, { scalar: 'f32', lanes: 4 })))) };
  const halves = Uint16Array.from({ length: 2 * n }, (_, i) => (i * 40503) & 0xffff);
  const want = new Uint16Array(2 * n);
  interpretKernel(k, [halves, want] as never);
  for (const target of [SIMD, SCALAR]) {
    const got = new Uint16Array(2 * n);
    await runKernel(k, [halves.slice(), got], target);
    got.forEach((h, i) => assert.ok(h === want[i] || (halfNaN(h) && halfNaN(want[i])), `strided f16 (${target.simd ? 'simd' : 'scalar'}) [${i}]: ${h} vs ${want[i]}`));
  }
});
