// exp and log of float64 values, scalar and f64x2, against Math.exp / Math.log in f64 ulps over
// their whole domain: subnormal results and arguments, overflow, NaN and ±inf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, cnst, load, loop, mul, ramp, store, v, type Buffer, type Intrinsic, type Kernel } from '../../../src/loop/ir.js';
import { runKernel, SIMD } from './harness.js';

/** Error in units of the f64 spacing at the exact result (subnormals on the subnormal grid). */
function ulps(got: number, exact: number): number {
  if (Number.isNaN(exact)) return Number.isNaN(got) ? 0 : Infinity;
  if (!Number.isFinite(exact)) return got === exact ? 0 : Infinity;
  const spacing = Math.max(2 ** -1074, 2 ** (Math.floor(Math.log2(Math.abs(exact))) - 52));
  return Math.abs(got - exact) / spacing;
}

function kernelFor(fn: Intrinsic, n: number, lanes: number): Kernel {
  const x: Buffer = { name: 'x', elem: 'f64', size: n }, y: Buffer = { name: 'y', elem: 'f64', size: n };
  const idx = lanes === 1 ? v('i') : ramp(mul(v('i'), cnst(lanes)), 1, lanes);
  return { name: `${fn}${lanes}`, params: [x, y], body: loop('i', n / lanes, store(y, idx, call(fn, load(x, idx)))) };
}

const CASES: readonly { readonly fn: Intrinsic; readonly exact: (x: number) => number; readonly range: [number, number] }[] = [
  { fn: 'exp', exact: Math.exp, range: [-746, 710] },
  { fn: 'log', exact: Math.log, range: [0, 100] },
];

for (const { fn, exact, range: [lo, hi] } of CASES) {
  test(`${fn} on f64: within 2 ulp of Math.${fn}, scalar and f64x2 alike, special values as Math.${fn}`, async () => {
    const xs: number[] = [];
    for (let i = 0; i < 20000; i++) xs.push(lo + ((hi - lo) * (i + 0.5)) / 20000);
    for (let e = -1074; e <= 1023; e += 0.61) xs.push(2 ** e, -(2 ** e));
    xs.push(0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 0.5, 5e-324, 709.78, 709.79, -745.13, -745.14, 1e-300);
    while (xs.length % 2) xs.push(0.25);
    const x = Float64Array.from(xs);
    const outs = await Promise.all([1, 2].map(async (lanes) => {
      const y = new Float64Array(x.length);
      await runKernel(kernelFor(fn, x.length, lanes), [x, y], SIMD);
      return y;
    }));
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      assert.ok(Object.is(outs[0][i], outs[1][i]), `${fn}(${x[i]}): scalar ${outs[0][i]}, f64x2 ${outs[1][i]}`);
      const e = ulps(outs[0][i], exact(x[i]));
      if (e > worst) { worst = e; at = x[i]; }
    }
    assert.ok(worst <= 2, `${fn}: worst error ${worst.toFixed(2)} ulp at x = ${at} (got ${outs[0][xs.indexOf(at)]}, exact ${exact(at)})`);
  });
}
