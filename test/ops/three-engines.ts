// Runs one ONNX model on onnxruntime-node, Kiln's reference executor and Kiln's compiled engine
// (wasm-simd, one artifact) with the same feeds, and checks Kiln's outputs against ORT's.
import assert from 'node:assert/strict';
import { compile } from '../../src/compile/compile.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { fromRuntimeTensor, toFeed } from '../../src/artifact/feeds.js';
import { runOrt } from '../util/onnx-ort.js';

export interface EngineResults {
  readonly ort: ReadonlyMap<string, Tensor>;
  readonly reference: ReadonlyMap<string, Tensor>;
  readonly compiled: ReadonlyMap<string, Tensor>;
}

/** The model's outputs on the three engines. */
export async function runThree(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>, optimizeOrt = true): Promise<EngineResults> {
  const g = importOnnx(model, 'test.onnx');
  const reference = execute(g, feeds);
  const session = await load((await compile(g, { target: 'wasm-simd' })).bytes);
  const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toFeed(t)])));
  const compiled = new Map(g.outputs.map((o) => [o, fromRuntimeTensor(got[o])]));
  return { ort: await runOrt(model, feeds, optimizeOrt), reference, compiled };
}

/** Element-wise |a - b| <= tol for every element, shapes and dtypes equal; `what` names the case. */
export function assertSame(actual: Tensor, expected: Tensor, what: string, tol = 0): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.numbers, e = expected.numbers;
  for (let i = 0; i < e.length; i++) {
    const ok = Object.is(a[i], e[i]) || a[i] === e[i] || Math.abs(a[i] - e[i]) <= tol;
    assert.ok(ok, `${what}: element ${i} is ${a[i]}, onnxruntime gives ${e[i]}`);
  }
}

/** Both Kiln engines give ORT's outputs exactly (within `tol`). */
export async function matchesOrtOnBoth(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>, what: string, tol = 0): Promise<EngineResults> {
  const r = await runThree(model, feeds);
  for (const [name, want] of r.ort) {
    assertSame(r.reference.get(name)!, want, `${what} reference '${name}'`, tol);
    assertSame(r.compiled.get(name)!, want, `${what} compiled '${name}'`, tol);
  }
  return r;
}
