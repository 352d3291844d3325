// One (model, engine) measurement in a fresh process: engines keep process-wide state (TF.js's
// backend, onnxruntime-web's thread count is fixed at its first session), so each gets its own.
// Protocol: the parent forks this file with 'advanced' IPC serialization and sends one Job.
import { KilnError, UnsupportedError } from '../src/errors.js';
import type { HostFeeds, HostTensor, PrepareInfo } from './engine.js';
import { engineEntry } from './engines/index.js';
import { idleCpu, measure, type Protocol, type Timing } from './measure.js';

export interface Job {
  readonly engine: string;
  readonly modelPath: string;
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  readonly feeds: HostFeeds;
  readonly protocol: Protocol;
}

export type JobResult =
  | { readonly status: 'ok'; readonly prepare: PrepareInfo; readonly prepareMs: number; readonly timing: Timing;
      readonly outputs: ReadonlyMap<string, HostTensor>; readonly idleCpu: number }
  | { readonly status: 'unavailable' | 'failed'; readonly message: string };

async function runJob(job: Job): Promise<JobResult> {
  const entry = engineEntry(job.engine);
  if (!entry) return { status: 'failed', message: `unknown engine ${job.engine}` };
  const engine = await entry.create();
  try {
    const t0 = performance.now();
    const prepare = await engine.prepare(job.modelPath, job.inputShapes);
    const prepareMs = performance.now() - t0;
    let outputs: ReadonlyMap<string, HostTensor> = new Map();
    const timing = await measure(async () => { outputs = await engine.run(job.feeds); }, job.protocol);
    return { status: 'ok', prepare, prepareMs, timing, outputs, idleCpu: await idleCpu() };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const unavailable = e instanceof UnsupportedError;
    if (!(e instanceof KilnError) && process.env.KILN_DEBUG) console.error(e);
    return { status: unavailable ? 'unavailable' : 'failed', message: message.split('\n')[0] };
  } finally {
    await engine.dispose();
  }
}

// an interrupted harness must not leave a worker computing on
process.once('disconnect', () => process.exit(1));
process.once('message', (job: Job) => {
  void runJob(job).then((result) => {
    // exit only once the (possibly large) result has been handed to the parent
    process.send!(result, () => process.exit(0));
  });
});
