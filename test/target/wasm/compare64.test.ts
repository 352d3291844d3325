// 64-bit comparisons on the SIMD target: u64 ordered through i64x2 signed compares with the sign
// bits flipped, two-lane compare results read from one mask, i64/u64 min and max by bitselect;
// against the loop-IR interpreter on the values where signed and unsigned order part ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bin, cast, cnst, load, loop, mul, ramp, select, store, v, type Buffer, type ElemType, type Expr, type Kernel } from '../../../src/loop/ir.js';
import { interpretKernel } from '../../../src/loop/interpret.js';
import { buildModule } from '../../../src/target/wasm/codegen.js';
import { toWat } from '../../../src/target/wasm/wat.js';
import { runKernel, SCALAR, SIMD, type Arr } from './harness.js';

const EDGES = [0n, 1n, 2n, (1n << 62n), (1n << 63n) - 1n, 1n << 63n, (1n << 63n) + 1n, (1n << 64n) - 2n, (1n << 64n) - 1n, 12345678901234n];
const A: bigint[] = [], B: bigint[] = [];
for (const a of EDGES) for (const b of EDGES) { A.push(a); B.push(b); }
const N = A.length;

const ARRAY: Record<string, new (n: number) => Arr> = { u64: BigUint64Array, i64: BigInt64Array, u8: Uint8Array, i32: Int32Array, f64: Float64Array };
const input = (t: 'u64' | 'i64' | 'f64', xs: readonly bigint[]): Arr =>
  t === 'u64' ? BigUint64Array.from(xs) : t === 'i64' ? BigInt64Array.from(xs, (x) => BigInt.asIntN(64, x)) : Float64Array.from(xs, (x) => Number(BigInt.asIntN(64, x)));

/** out[i] = f(a[i], b[i]) two lanes at a time; both targets must equal the interpreter. Returns the SIMD module's text. */
async function agree(label: string, t: 'u64' | 'i64' | 'f64', out: ElemType, f: (x: Expr, y: Expr) => Expr): Promise<string> {
  const [a, b, o]: Buffer[] = [{ name: 'a', elem: t, size: N }, { name: 'b', elem: t, size: N }, { name: 'o', elem: out, size: N }];
  const idx = ramp(mul(v('i'), cnst(2)), 1, 2);
  const k: Kernel = { name: label, params: [a, b, o], body: loop('i', N / 2, store(o, idx, f(load(a, idx), load(b, idx)))) };
  const want = new ARRAY[out](N);
  interpretKernel(k, [input(t, A), input(t, B), want] as never);
  for (const target of [SIMD, SCALAR]) {
    const got = new ARRAY[out](N);
    await runKernel(k, [input(t, A), input(t, B), got], target);
    for (let i = 0; i < N; i++) assert.ok(Object.is(got[i], want[i]), `${label} (${target.simd ? 'simd' : 'scalar'}) at ${A[i]}, ${B[i]}: wasm ${got[i]}, interpreter ${want[i]}`);
  }
  return toWat(buildModule([{ kernel: k, addresses: [0, 8 * N, 16 * N] }], { target: SIMD, memory: { min: 1 } }).bytes);
}

const ORDER = ['lt', 'le', 'gt', 'ge'] as const;

test('u64 and i64 order compares as one i64x2 compare (unsigned: sign bits flipped), results to u8 and i32', async () => {
  for (const t of ['u64', 'i64'] as const) {
    for (const cmp of [...ORDER, 'eq', 'ne'] as const) {
      for (const out of ['u8', 'i32'] as const) {
        const wat = await agree(`${cmp}.${t}->${out}`, t, out, (x, y) => bin(cmp, x, y));
        const simd = cmp === 'eq' || cmp === 'ne' ? `i64x2.${cmp}` : `i64x2.${cmp}_s`;
        assert.ok(wat.includes(simd), `${cmp}.${t}: ${simd} expected`);
        assert.ok(!/\bi64\.(lt|le|gt|ge|eq|ne)/.test(wat), `${cmp}.${t}: no scalar compare expected`);
      }
    }
  }
});

test('selects on 64-bit compares, i64/u64 min and max, compares cast to u64: SIMD, no scalar compare', async () => {
  for (const t of ['u64', 'i64'] as const) {
    for (const cmp of ORDER) {
      const wat = await agree(`select ${cmp}.${t}`, t, t, (x, y) => select(bin(cmp, x, y), y, x));
      assert.ok(!/\bi64\.(lt|le|gt|ge)/.test(wat) && wat.includes('v128.bitselect'), `select ${cmp}.${t} in SIMD`);
    }
    for (const op of ['min', 'max'] as const) {
      const wat = await agree(`${op}.${t}`, t, t, (x, y) => bin(op, x, y));
      assert.ok(!/\bi64\.(lt|le|gt|ge)/.test(wat) && wat.includes('v128.bitselect'), `${op}.${t} in SIMD`);
    }
    await agree(`cast(lt).${t}`, t, 'u64', (x, y) => cast(bin('lt', x, y), 'u64'));
  }
  // f64 compares to bytes take the same mask path
  for (const cmp of ORDER) await agree(`${cmp}.f64->u8`, 'f64', 'u8', (x, y) => bin(cmp, x, y));
});
