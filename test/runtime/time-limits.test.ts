// Time limits for artifacts the application does not trust: an interruptible session runs on
// workers, so a run that never ends (a hostile module) is stopped by timeoutMs or an AbortSignal,
// and the session with it; an ordinary run there gives the usual outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestLayout, weightsImage } from '../../src/artifact/layout.js';
import { writeArtifact } from '../../src/artifact/write.js';
import { compile } from '../../src/compile/compile.js';
import { alignUp, graphPlanRequest, planMemory } from '../../src/passes/memory-plan.js';
import type { Manifest } from '../../src/runtime/manifest.js';
import { load } from '../../src/runtime/index.js';
import { SYNC_ALIGN, SYNC_BYTES } from '../../src/runtime/sync.js';
import { addGraph, assemble } from './harness.js';

/** The add graph's manifest over a threaded module whose entry loops forever. */
function endlessArtifact(): Uint8Array {
  const graph = addGraph();
  const plan = planMemory(graphPlanRequest(graph), { base: 64 });
  const sync = alignUp(plan.totalBytes, SYNC_ALIGN);
  const layout = manifestLayout(graph, plan, [], new Set(), sync + SYNC_BYTES);
  const manifest: Manifest = { kiln: '0.1.0-test', entry: 'run', features: ['atomics'], ...layout, threads: { sync } };
  const pages = manifest.memory.pages;
  const wasm = assemble(`(module (import "env" "memory" (memory ${pages} ${pages} shared))
    (func (export "run") (param i32 i32) (loop (br 0))))`);
  return writeArtifact({ manifest, wasm, weights: weightsImage(plan, graph.constants) });
}

const feeds = () => ({ a: new Float32Array(8).fill(1), b: new Float32Array(8).fill(2) });

test('a run that never ends is stopped by its time limit, and the session with it', async () => {
  const s = await load(endlessArtifact(), { threads: 1, interruptible: true });
  const t0 = performance.now();
  await assert.rejects(s.run(feeds(), { timeoutMs: 200 }), { code: 'E_STOPPED', message: /did not finish within its time limit of 200 ms; the session is stopped, load the model again/ });
  assert.ok(performance.now() - t0 < 5000);
  await assert.rejects(s.run(feeds()), { code: 'E_STOPPED' });
  await s.dispose();
});

test('an AbortSignal stops a run on 2 threads', async () => {
  const s = await load(endlessArtifact(), { threads: 2, interruptible: true });
  assert.equal(s.threads, 2);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(s.run(feeds(), { signal: controller.signal }), { code: 'E_STOPPED', message: /aborted by its signal/ });
});

test('an interruptible session computes what an ordinary one does; limits need one', async () => {
  const { bytes } = await compile(addGraph());
  const plain = await load(bytes, { threads: 1 });
  const want = (await plain.run(feeds())).y.data;
  await assert.rejects(plain.run(feeds(), { timeoutMs: 1000 }), { code: 'E_INPUT', message: /only in a session loaded with \{ interruptible: true \}/ });
  for (const threads of [1, 2]) {
    const s = await load(bytes, { threads, interruptible: true });
    assert.deepEqual((await s.run(feeds(), { timeoutMs: 10_000 })).y.data, want);
    assert.deepEqual((await s.run(feeds())).y.data, want);
    await s.dispose();
  }
  await plain.dispose();
});
