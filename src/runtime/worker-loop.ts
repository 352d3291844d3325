// What a worker thread does, whatever hosts it (worker-node.ts, worker-browser.ts): wait for an
// `attach` message, instantiate the session's module on its shared memory, then serve runs signalled
// through the sync block (src/runtime/sync.ts) until told to detach, and wait for the next session.
import { SPIN_ITERATIONS, SYNC, SYNC_COMMAND } from './sync.js';

/** Messages to a worker. */
export interface AttachMessage {
  readonly type: 'attach';
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte offset of the sync block. */
  readonly sync: number;
  readonly tid: number;
  /** The start word's value when attached: the next change is a command. */
  readonly start: number;
  /** The thread that tells the session when a run is over (when the session's own thread does not run). */
  readonly reportsDone: boolean;
}

/** Messages from a worker. */
export type WorkerReply =
  | { readonly type: 'attached' }
  | { readonly type: 'detached' }
  | { readonly type: 'done' }
  /** A trap in this thread's part of the run started at `start`; sent before the run's `running` count reaches 0. */
  | { readonly type: 'trap'; readonly start: number; readonly message: string; readonly stack?: string }
  | { readonly type: 'error'; readonly message: string };

export interface WorkerSide {
  onMessage(handler: (msg: AttachMessage) => void): void;
  post(reply: WorkerReply): void;
}

/** Word index of a sync field in an Int32Array over the whole memory. */
export const word = (sync: number, field: keyof typeof SYNC) => (sync + SYNC[field]) >> 2;

/** Spins briefly, then sleeps, until ctl[at] is no longer `value`. */
export function waitWhile(ctl: Int32Array, at: number, value: number): void {
  for (let i = 0; i < SPIN_ITERATIONS; i++) if (Atomics.load(ctl, at) !== value) return;
  while (Atomics.load(ctl, at) === value) Atomics.wait(ctl, at, value);
}

/** Makes every barrier of the current run stop waiting: thread `tid` trapped, so it will not arrive. */
export function abortRun(ctl: Int32Array, sync: number, tid: number): void {
  Atomics.compareExchange(ctl, word(sync, 'trapped'), 0, tid + 1);
  Atomics.store(ctl, word(sync, 'abort'), 1);
  Atomics.add(ctl, word(sync, 'generation'), 1);
  Atomics.notify(ctl, word(sync, 'generation'));
}

/** Marks this thread out of the run; the last one out wakes whoever waits for the run to drain. */
export function leaveRun(ctl: Int32Array, sync: number): void {
  const at = word(sync, 'running');
  if (Atomics.sub(ctl, at, 1) === 1) Atomics.notify(ctl, at);
}

/** Waits until every worker has left the run. */
export function waitDrained(ctl: Int32Array, sync: number): void {
  const at = word(sync, 'running');
  for (let left = Atomics.load(ctl, at); left !== 0; left = Atomics.load(ctl, at)) waitWhile(ctl, at, left);
}

export function serveWorker(side: WorkerSide): void {
  side.onMessage((msg) => {
    if (msg?.type !== 'attach') return;
    let run: (tid: number, threads: number) => void;
    try {
      const instance = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
      run = instance.exports.run as typeof run;
    } catch (e) {
      side.post({ type: 'error', message: (e as Error).message });
      return;
    }
    side.post({ type: 'attached' });
    serveRuns(side, msg, run);
    side.post({ type: 'detached' });
  });
}

function serveRuns(side: WorkerSide, msg: AttachMessage, run: (tid: number, threads: number) => void): void {
  const { sync, tid } = msg;
  const ctl = new Int32Array(msg.memory.buffer);
  const start = word(sync, 'start');
  let seen = msg.start;
  for (;;) {
    waitWhile(ctl, start, seen);
    seen = Atomics.load(ctl, start);
    if (Atomics.load(ctl, word(sync, 'command')) === SYNC_COMMAND.detach) return;
    const threads = Atomics.load(ctl, word(sync, 'threads'));
    if (tid < threads) {
      try {
        run(tid, threads);
      } catch (e) {
        side.post({ type: 'trap', start: seen, message: (e as Error).message, stack: (e as Error).stack });
        abortRun(ctl, sync, tid);
      }
    }
    leaveRun(ctl, sync);
    if (msg.reportsDone) {
      waitDrained(ctl, sync);
      side.post({ type: 'done' });
    }
  }
}
