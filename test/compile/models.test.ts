// Real models end to end: every fixture model compiled to one wasm module, loaded by the runtime
// and run against the reference executor on the same seeded input, at every graph opt level, and
// at the default level on 1, 2 and 3 threads with identical outputs.
import assert from 'node:assert/strict';
import { agreement } from '../util/agreement.js';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import type { Graph } from '../../src/ir/graph.js';
import { numel } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { DEFAULT_OPT_LEVEL, OPT_LEVELS } from '../../src/passes/pipeline.js';
import { execute } from '../../src/reference/execute.js';
import { load, type Tensor as RuntimeTensor } from '../../src/runtime/index.js';
import { sameBits } from '../util/same-bits.js';
import { PASS_FIXTURES, staticFixture } from '../passes/fixture-models.js';


/** Compiled sums run in other orders than the reference's; 1e-4 of the output's magnitude leaves ~50x headroom over the worst seen. */
const RELATIVE_TOLERANCE = 1e-4;

/** The fixture models; PP-OCR at 320x320, so its convs run the tiles of a real image size. */
const MODELS = PASS_FIXTURES.map((m) => (m.label === 'PP-OCRv4 det' ? { ...m, shapes: { x: [1, 3, 320, 320] } } : m));
const MOBILENET = MODELS.find((m) => m.label === 'nsfwjs mobilenet_v2')!;

/** Seeded input per graph input: floats in [0, 1), integer images in [0, 256). */
function seededFeeds(g: Graph): Record<string, Tensor> {
  const next = rng(2024);
  return Object.fromEntries(g.inputs.map((name) => {
    const { dtype, shape } = g.values.get(name)!;
    const dims = shape as readonly number[];
    return [name, dtype === 'int32'
      ? Tensor.from('int32', dims, Array.from({ length: numel(dims) }, () => Math.floor(next() * 256)))
      : randomTensor(dtype, dims, next)];
  }));
}

test('nsfwjs mobilenet_v2 compiled: one kernel per remaining node, an arena that reuses memory', async () => {
  const { report } = await compile(await staticFixture(MOBILENET));
  assert.equal(report.kernels > 50, true, 'one kernel per remaining node');
  assert.ok(report.arenaBytes < report.intermediateBytes / 4, 'the arena reuses memory between intermediates');
});

/** Thread counts the default opt level runs at: 3 divides no split evenly. */
const THREADS = [1, 2, 3];

for (const m of MODELS) {
  test(`${m.label} compiled (wasm-simd) at every opt level gives the reference executor's outputs, bit-identical on 1, 2 and 3 threads`, async () => {
    const g = await staticFixture(m);
    const feeds = seededFeeds(g);
    const fed = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, t.numbers as Float32Array | Int32Array]));
    const want = execute(g, feeds);
    for (const optLevel of OPT_LEVELS) {
      const { bytes } = await compile(g, { optLevel });
      let first: Record<string, RuntimeTensor> | undefined;
      for (const threads of optLevel === DEFAULT_OPT_LEVEL ? THREADS : [1]) {
        const session = await load(bytes, { threads });
        assert.equal(session.threads, threads);
        const got = await session.run(fed);
        await session.dispose();
        for (const name of g.outputs) {
          const at = `${name} at -O${optLevel} on ${threads} threads`;
          if (first) { assert.equal(sameBits(got[name], first[name]), undefined, at); continue; }
          assert.deepEqual(got[name].shape, want.get(name)!.shape, `${at}: shape`);
          const { maxAbsError: worst, maxMagnitude: scale, argMaxAgrees } = agreement(got[name].data as Float32Array, want.get(name)!.numbers);
          assert.ok(worst <= RELATIVE_TOLERANCE * scale, `${at}: max error ${worst} exceeds ${RELATIVE_TOLERANCE} x ${scale}`);
          assert.ok(argMaxAgrees, `${at}: arg-max`);
        }
        first ??= got;
      }
    }
  });
}
