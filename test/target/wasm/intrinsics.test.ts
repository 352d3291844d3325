// Every intrinsic, scalar and f32x4, against Math.* (erf: the reference kernel) over wide
// ranges including subnormals, huge values, NaN and ±inf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, cnst, load, loop, mul, ramp, store, v, type Buffer, type Intrinsic, type Kernel } from '../../../src/loop/ir.js';
import { erf } from '../../../src/ops/elementwise-unary.js';
import { runKernel, SCALAR, SIMD } from './harness.js';

const f32 = Math.fround;
const ORACLE: Readonly<Record<string, (...a: number[]) => number>> = {
  exp: Math.exp, log: Math.log, tanh: Math.tanh, erf, sin: Math.sin, cos: Math.cos, tan: Math.tan,
  asin: Math.asin, acos: Math.acos, atan: Math.atan, sinh: Math.sinh, cosh: Math.cosh,
  asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh, sigmoid: (x) => 1 / (1 + Math.exp(-x)), pow: Math.pow,
};
/** Where each function is tested densely (beyond these, a sparse sweep of all magnitudes). */
const RANGE: Readonly<Record<string, [number, number]>> = {
  exp: [-104, 89], log: [0, 100], tanh: [-10, 10], erf: [-5, 5], sin: [-100, 100], cos: [-100, 100], tan: [-10, 10],
  asin: [-1, 1], acos: [-1, 1], atan: [-20, 20], sinh: [-90, 90], cosh: [-90, 90], asinh: [-50, 50],
  acosh: [1, 50], atanh: [-1, 1], sigmoid: [-100, 30],
};

function inputs(fn: string): Float32Array {
  const [lo, hi] = RANGE[fn];
  const xs: number[] = [];
  for (let i = 0; i < 4000; i++) xs.push(lo + ((hi - lo) * (i + 0.5)) / 4000);
  for (let e = -149; e <= 127; e += 0.37) xs.push(2 ** e, -(2 ** e));
  xs.push(0, -0, NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1, -1, 0.5, 1e-45, 88.7, 89.5, -87.5, 1e6, -1e6);
  while (xs.length % 4) xs.push(0.25);
  return Float32Array.from(xs);
}

/** Error in units of the f32 spacing at the exact result (subnormal results judged on the subnormal grid). */
function ulps(got: number, exact: number): number {
  if (Number.isNaN(exact)) return Number.isNaN(got) ? 0 : Infinity;
  if (!Number.isFinite(exact) || Math.abs(exact) > 3.4028234663852886e38) return got === f32(exact) ? 0 : Infinity;
  const spacing = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(exact))) - 23));
  return Math.abs(got - exact) / spacing;
}

function kernelFor(fn: Intrinsic, n: number, lanes: number): Kernel {
  const x: Buffer = { name: 'x', elem: 'f32', size: n }, y: Buffer = { name: 'y', elem: 'f32', size: n };
  const z: Buffer = { name: 'z', elem: 'f32', size: n };
  const idx = lanes === 1 ? v('i') : ramp(mul(v('i'), cnst(lanes)), 1, lanes);
  const args = fn === 'pow' ? [load(x, idx), load(y, idx)] : [load(x, idx)];
  return { name: `${fn}${lanes}`, params: [x, y, z], body: loop('i', n / lanes, store(z, idx, call(fn, ...args))) };
}

/** Results of `fn` in wasm, scalar and f32x4 (SIMD target) and f32x4 on the scalar target; all must agree. */
async function evaluate(fn: Intrinsic, xs: Float32Array, ys: Float32Array): Promise<Float32Array> {
  const outs: Float32Array[] = [];
  for (const [lanes, target] of [[1, SIMD], [4, SIMD], [4, SCALAR]] as const) {
    const z = new Float32Array(xs.length);
    await runKernel(kernelFor(fn, xs.length, lanes), [xs, ys, z], target);
    outs.push(z);
  }
  for (let i = 0; i < xs.length; i++) {
    assert.ok(Object.is(outs[0][i], outs[1][i]) && Object.is(outs[0][i], outs[2][i]),
      `${fn}(${xs[i]}): scalar ${outs[0][i]}, f32x4 ${outs[1][i]}, lanes ${outs[2][i]}`);
  }
  return outs[0];
}

const UNARY: Intrinsic[] = ['exp', 'log', 'tanh', 'erf', 'sigmoid', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'asinh', 'acosh', 'atanh'];

for (const fn of UNARY) {
  test(`${fn}: within 3 ulp of the exact result, NaN and infinities as Math.${fn} has them`, async () => {
    const xs = inputs(fn);
    const got = await evaluate(fn, xs, new Float32Array(xs.length));
    let worst = 0, at = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if ((fn === 'sin' || fn === 'cos' || fn === 'tan') && Math.abs(x) > 1e6) {
        assert.ok(Number.isNaN(got[i]) === !Number.isFinite(x), `${fn}(${x}) = ${got[i]}`);
        continue;   // range reduction is exact only below 2^20 · pi/2
      }
      const exact = ORACLE[fn](x);
      // tan near its poles: the f32 argument's own rounding dominates, compare relative error only
      const e = fn === 'tan' ? Math.abs(got[i] - exact) / Math.abs(exact) / 2 ** -23 : ulps(got[i], exact);
      if (e > worst) { worst = e; at = x; }
    }
    assert.ok(worst <= 3, `${fn}: worst error ${worst.toFixed(2)} ulp at x = ${at} (got ${got[xs.indexOf(at)]}, exact ${ORACLE[fn](at)})`);
  });
}

test('pow: a grid of bases and exponents, signs, zeros, infinities and NaN as Math.pow', async () => {
  const bases = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, 10, 1e-30, 1e30, 1.0001, 0.9999, Infinity, -Infinity, NaN, 7.25, -7.25, 1e-40];
  const exps = [0, -0, 1, -1, 2, 3, -3, 0.5, -0.5, 2.5, 10, -10, 100, 1e10, Infinity, -Infinity, NaN, 1 / 3, 31, -31];
  const xs: number[] = [], ys: number[] = [];
  for (const b of bases) for (const e of exps) { xs.push(b); ys.push(e); }
  for (let i = 0; i < 2000; i++) { xs.push(f32(0.01 + i * 0.05)); ys.push(f32(-40 + i * 0.04)); }
  const got = await evaluate('pow', Float32Array.from(xs), Float32Array.from(ys));
  for (let i = 0; i < xs.length; i++) {
    const exact = Math.pow(f32(xs[i]), f32(ys[i]));
    assert.ok(ulps(got[i], exact) <= 1, `pow(${xs[i]}, ${ys[i]}) = ${got[i]}, exact ${exact}`);
  }
});
