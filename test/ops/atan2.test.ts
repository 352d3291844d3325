// Atan2 against Math.atan2 (the definition TF's kernel follows): every quadrant, both signed
// zeros, infinities and NaN, in the reference and compiled for wasm with and without SIMD.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toFeed } from '../../src/artifact/feeds.js';
import { compile, type CompileTarget } from '../../src/compile/compile.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { nodeGraph } from './compiled-check.js';

const SPECIAL = [-Infinity, -3, -1, -1e-30, -0, 0, 1e-30, 0.5, 1, 7, Infinity, NaN];
/** Every (y, x) pair of SPECIAL, plus a spread of ordinary angles. */
const ys = [...SPECIAL.flatMap((y) => SPECIAL.map(() => y)), ...Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) * (i + 1))];
const xs = [...SPECIAL.flatMap(() => SPECIAL), ...Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7) * (i % 5 + 0.25))];

function sameAngle(got: number, want: number, tol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (want === 0) return Object.is(got, want); // the sign of a zero angle is part of the result
  return Math.abs(got - want) <= tol * Math.abs(want);
}

for (const [dtype, round, tol] of [['float32', Math.fround, 4e-7], ['float64', (v: number) => v, 1e-15]] as [DType, (v: number) => number, number][]) {
  const y = Tensor.from(dtype, [ys.length], ys), x = Tensor.from(dtype, [xs.length], xs);
  const want = ys.map((v, i) => round(Math.atan2(round(v), round(xs[i]))));

  test(`Atan2 ${dtype}: the reference is Math.atan2, signed zeros included`, () => {
    const g = nodeGraph('Atan2', {}, [y, x]);
    const got = execute(g, { x0: y, x1: x }).get('y')!.numbers;
    want.forEach((w, i) => assert.ok(Object.is(got[i], w) || (Number.isNaN(w) && Number.isNaN(got[i])), `atan2(${ys[i]}, ${xs[i]}): ${got[i]} vs ${w}`));
  });

  test(`Atan2 ${dtype}: compiled kernels agree with Math.atan2 in every quadrant and corner`, async () => {
    const g = nodeGraph('Atan2', {}, [y, x]);
    for (const target of ['wasm-simd', 'wasm'] as CompileTarget[]) {
      const session = await load((await compile(g, { target })).bytes);
      const out = (await session.run({ x0: toFeed(y), x1: toFeed(x) })).y;
      const got = Array.from(out.data as ArrayLike<number>);
      want.forEach((w, i) => assert.ok(sameAngle(got[i], w, tol), `${target} atan2(${ys[i]}, ${xs[i]}): ${got[i]} vs ${w}`));
    }
  });
}
