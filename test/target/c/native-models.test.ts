// The native target on every fixture model: compiled through `--target native`, loaded by
// kiln/runtime/native and run against the reference executor on a seeded input; the generated C
// of each also compiles cleanly under -Wall -Wextra -Werror.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compile, prepareGraph } from '../../../src/compile/compile.js';
import { lowerGraph } from '../../../src/compile/kernels.js';
import { planKernels } from '../../../src/compile/plan.js';
import type { Graph } from '../../../src/ir/graph.js';
import { randomTensor, rng } from '../../../src/io/random.js';
import { execute } from '../../../src/reference/execute.js';
import { loadNative } from '../../../src/runtime/native/index.js';
import { emitModel } from '../../../src/target/c/emit-model.js';
import { hostProfile } from '../../../src/target/c/host.js';
import { nativeTarget } from '../../../src/target/c/target.js';
import { PASS_FIXTURES, staticFixture } from '../../passes/fixture-models.js';
import { agreement } from '../../util/agreement.js';
import { nativeSkip, STRICT_FLAGS, testCompiler } from './harness.js';

const RELATIVE_TOLERANCE = 1e-4;
const cc = testCompiler();
const skip = nativeSkip();
if (skip) console.log(`# skipped: ${skip}`);

/** The model's C as the native target emits it. */
function modelSource(g: Graph): string {
  const target = nativeTarget(hostProfile());
  const { graph, groups } = prepareGraph(g);
  const lowered = lowerGraph(graph, { target }, groups);
  return emitModel(planKernels(graph, lowered, target.alignment).calls, 'kiln_run', 'warnings check').source;
}

describe('native target on the fixture models', { skip }, () => {
  for (const m of PASS_FIXTURES) {
    it(`${m.label}: native outputs match the reference executor; its C is warning-free`, async () => {
      const g = await staticFixture(m);
      const next = rng(2024);
      const feeds = Object.fromEntries(g.inputs.map((n) => [n, randomTensor(g.values.get(n)!.dtype, g.values.get(n)!.shape as number[], next)]));
      const want = execute(g, feeds);
      const session = await loadNative((await compile(g, { target: 'native' })).bytes);
      const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, t.numbers as Float32Array])));
      for (const name of g.outputs) {
        const { maxAbsError: worst, maxMagnitude: scale, argMaxAgrees } = agreement(got[name].data as Float32Array, want.get(name)!.numbers);
        assert.ok(worst <= RELATIVE_TOLERANCE * scale, `${name}: max error ${worst} exceeds ${RELATIVE_TOLERANCE} x ${scale}`);
        assert.ok(argMaxAgrees, `${name}: arg-max`);
      }
      const dir = mkdtempSync(join(tmpdir(), 'kiln-warn-'));
      try {
        writeFileSync(join(dir, 'model.c'), modelSource(g));
        execFileSync(cc!, [...STRICT_FLAGS, '-fsyntax-only', ...hostProfile().cflags, join(dir, 'model.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
