// The seeded fuzz campaign of `npm test`: a few thousand mutated ONNX models, GraphDefs, TF.js
// models, .npy files and .kiln artifacts through import, shape inference, compile, load and run, in
// a worker with a heap limit and a per-case timeout. Any untyped error, message with undefined/NaN
// or on several lines, hang or crash fails it, naming the class and the case that reproduces it.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatReport, runCampaign } from './campaign.js';

const CASES = Number(process.env.KILN_FUZZ_CASES ?? 1500);

test(`a seeded campaign of ${CASES} fuzz cases gives only clean typed errors`, { timeout: 600_000 }, async () => {
  const report = await runCampaign({ cases: CASES, seed: 14, workers: 1, timeoutMs: 20_000, memoryMb: 1024, reproDir: join(tmpdir(), 'kiln-fuzz-test') });
  const total = Object.values(report.tally).reduce((n, t) => n + t.cases, 0);
  assert.equal(total, CASES);
  // every format with seeds here ran, and some cases of each got past every check (the mutators do not only break files)
  for (const [format, t] of Object.entries(report.tally)) if (t.skipped < t.cases) assert.ok(t.ok + t.typed > 0, `${format}: no case completed`);
  assert.deepEqual(report.findings, [], formatReport(report));
});
