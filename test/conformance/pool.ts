// Runs conformance cases in worker threads, so a kernel that loops forever or exhausts
// memory costs one case (reported as a failure) instead of the whole run.
import { Worker } from 'node:worker_threads';
import type { CompiledCaseOptions } from './compiled.js';
import type { Case, CaseResult, Engine } from './runner.js';

export interface PoolOptions {
  /** Worker threads; the machine is shared, so 1 unless asked. */
  readonly jobs?: number;
  /** Per-case time limit. */
  readonly timeoutMs?: number;
  readonly onResult?: (r: CaseResult) => void;
  /** Default 'reference'. */
  readonly engine?: Engine;
  /** How the compiled engine compiles and runs (opt level, thread counts). */
  readonly compiled?: CompiledCaseOptions;
}

export async function runCases(cases: readonly Case[], opts: PoolOptions = {}): Promise<CaseResult[]> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const results = new Array<CaseResult>(cases.length);
  let next = 0;
  const workerUrl = new URL('./worker.js', import.meta.url);

  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    while (next < cases.length) {
      const i = next++;
      worker ??= new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
      const w = worker;
      const start = performance.now();
      const r = await new Promise<CaseResult>((resolve) => {
        const finish = (res: CaseResult) => {
          clearTimeout(timer);
          w.off('message', finish).off('error', onError).off('exit', onExit);
          resolve(res);
        };
        const lost = (why: string) => {
          worker = undefined;
          void w.terminate();
          finish({ name: cases[i].name, status: 'fail', reason: why, ms: performance.now() - start });
        };
        const timer = setTimeout(() => lost(`timeout: still running after ${timeoutMs / 1000} s`), timeoutMs);
        const onError = (e: Error) => lost(`worker died: ${e.message}`);
        const onExit = (code: number) => lost(`worker exited with code ${code}`);
        w.on('message', finish).on('error', onError).on('exit', onExit);
        w.postMessage({ c: cases[i], engine: opts.engine ?? 'reference', compiled: opts.compiled });
      });
      results[i] = r;
      opts.onResult?.(r);
    }
    await worker?.terminate();
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 1) }, lane));
  return results;
}
