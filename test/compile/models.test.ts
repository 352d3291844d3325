// A real model end to end: nsfwjs mobilenet_v2 (TF.js layers, NHWC) compiled to one wasm module,
// loaded by the runtime and run against the reference executor on the same image.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { nsfwjsModel } from '../fixtures/fixtures.js';

const argmax = (a: ArrayLike<number>) => Array.from(a).reduce((best, x, i, all) => (x > all[best] ? i : best), 0);

test('nsfwjs mobilenet_v2 compiled (wasm-simd) gives the reference executor\'s scores', async () => {
  const g0 = await loadModel(nsfwjsModel('mobilenet_v2'));
  const input = g0.inputs[0];
  const g = withInputShapes(g0, { [input]: [1, 224, 224, 3] });
  const { bytes, report } = await compile(g);
  assert.equal(report.kernels > 50, true, 'one kernel per remaining node');
  assert.ok(report.arenaBytes < report.intermediateBytes / 4, 'the arena reuses memory between intermediates');
  const x = randomTensor('float32', [1, 224, 224, 3], rng(2));
  const want = execute(g, { [input]: x });
  const session = await load(bytes);
  const got = await session.run({ [input]: x.numbers as Float32Array });
  for (const [name, w] of want) {
    const ref = w.numbers, out = got[name].data as Float32Array;
    const scale = Math.max(...Array.from(ref, Math.abs));
    ref.forEach((r, i) => assert.ok(Math.abs(out[i] - r) <= 1e-4 * scale, `${name}[${i}]: compiled ${out[i]}, reference ${r}`));
    assert.equal(argmax(out), argmax(ref), `${name}: arg-max`);
  }
});
