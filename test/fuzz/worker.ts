// The fuzz worker: loads the seeds once, then generates and runs the cases the campaign sends,
// answering with each outcome (and the case's files when it is a failure, for the reproducer).
import { parentPort, threadId } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase } from './generate.js';
import { runCase, type Format } from './pipeline.js';
import { loadSeeds } from './seeds.js';

export interface CaseRequest { readonly id: number; readonly format: Format; readonly seed: number }

// a hostile file may declare tensors up to the budget, which is valid: keep it well inside the worker's heap limit
process.env.KILN_MAX_TENSOR_BYTES = String(2 ** 26);
const seeds = await loadSeeds();
parentPort!.on('message', async ({ id, format, seed }: CaseRequest) => {
  let files: ReturnType<typeof generateCase>;
  try {
    files = generateCase(format, seeds, seed);
  } catch {
    files = undefined; // a mutator that cannot build this case: counted as skipped, not as a finding
  }
  if (!files) return parentPort!.postMessage({ id, outcome: { verdict: 'ok' }, skipped: true });
  const outcome = await runCase(format, files, join(tmpdir(), `kiln-fuzz-${process.pid}-${threadId}-${id}`), seed);
  parentPort!.postMessage({ id, outcome, files: outcome.verdict === 'ok' || outcome.verdict === 'typed' ? undefined : [...files.files] });
});
parentPort!.postMessage({ ready: true });
