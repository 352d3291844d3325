// A session's threads: workers attached to its module and shared memory, started for each run
// through the sync block. Where the calling thread may block (Node's main thread, any worker) it
// runs as thread 0 itself; on a browser page's main thread every thread is a worker and the run
// is awaited, so the page never blocks.
import { KilnRuntimeError } from './errors.js';
import { acquireWorkers, hostCores, releaseWorkers, type WorkerPort } from './pool.js';
import { BARRIER_SPIN_ITERATIONS, OVERSUBSCRIBED_SPIN_ITERATIONS, SYNC_COMMAND } from './sync.js';
import { abortRun, waitDrained, word, type WorkerReply } from './worker-loop.js';

export type Entry = (tid: number, threads: number) => void;

type Trap = Extract<WorkerReply, { type: 'trap' }>;

/** A run's time limit: a run of an offloaded team that outlives it is stopped by ending its workers. */
export interface RunLimit {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Whether this thread may block on Atomics.wait (false on a browser page's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class ThreadTeam {
  private readonly ctl: Int32Array;
  private detached = false;
  /** Set once a limit stopped a run: the workers are gone and memory may hold a half-written run. */
  private stopped?: string;

  private constructor(private readonly workers: WorkerPort[], memory: WebAssembly.Memory,
    private readonly sync: number, readonly threads: number, private readonly inline: boolean, private readonly spin: number) {
    this.ctl = new Int32Array(memory.buffer);
  }

  /** Attaches threads - (inline ? 1 : 0) workers; start-up is paid here, not in the first run. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, sync: number, threads: number,
    inline: boolean): Promise<ThreadTeam> {
    const cores = await hostCores();
    const spin = cores !== undefined && threads > cores ? OVERSUBSCRIBED_SPIN_ITERATIONS : BARRIER_SPIN_ITERATIONS;
    const workers = await acquireWorkers(threads - (inline ? 1 : 0));
    const ctl = new Int32Array(memory.buffer);
    const start = Atomics.load(ctl, word(sync, 'start'));
    workers.forEach((w, i) => {
      w.hold(true);
      w.post({ type: 'attach', module, memory, sync, tid: i + (inline ? 1 : 0), start, reportsDone: !inline && i === 0 });
    });
    const replies = await Promise.allSettled(workers.map((w) => w.next()));
    const failed = replies.find((r) => r.status === 'rejected' || r.value.type !== 'attached');
    if (failed) {
      for (const w of workers) w.terminate();
      const why = failed.status === 'rejected' ? (failed.reason as Error).message : (failed.value as { message?: string }).message;
      throw new KilnRuntimeError('E_THREADS', `could not start ${threads} threads for the model: ${why}; load it with { threads: 1 }`);
    }
    for (const w of workers) w.hold(false);
    return new ThreadTeam(workers, memory, sync, threads, inline, spin);
  }

  /**
   * One run: every thread runs the entry; `entry` is this thread's when the team runs inline. An
   * offloaded team honours `limit` (an inline one cannot: this thread is busy in the run).
   */
  async run(entry: Entry, limit: RunLimit = {}): Promise<void> {
    if (this.stopped) throw new KilnRuntimeError('E_STOPPED', this.stopped);
    const ctl = this.ctl, at = (f: Parameters<typeof word>[1]) => word(this.sync, f);
    if (this.inline) waitDrained(ctl, this.sync);
    Atomics.store(ctl, at('arrived'), 0);
    Atomics.store(ctl, at('abort'), 0);
    Atomics.store(ctl, at('trapped'), 0);
    Atomics.store(ctl, at('threads'), this.threads);
    Atomics.store(ctl, at('spin'), this.spin);
    Atomics.store(ctl, at('command'), SYNC_COMMAND.run);
    Atomics.store(ctl, at('running'), this.workers.length);
    const start = Atomics.add(ctl, at('start'), 1) + 1;
    Atomics.notify(ctl, at('start'));
    if (this.inline) {
      try {
        entry(0, this.threads);
      } catch (e) {
        abortRun(ctl, this.sync, 0);
        waitDrained(ctl, this.sync);
        throw e;
      }
    }
    const reporterTrap = this.inline ? undefined : await this.awaitDone(start, limit);
    const trapped = Atomics.load(ctl, at('trapped'));
    if (trapped) {
      if (this.inline) waitDrained(ctl, this.sync);
      const i = trapped - 1 - (this.inline ? 1 : 0);
      const trap = i === 0 && reporterTrap !== undefined ? reporterTrap : await this.trapMessage(i, start);
      // rebuilt here with the worker's stack, whose wasm-function frames name the kernel (traps.ts)
      const e = new WebAssembly.RuntimeError(trap.message);
      if (trap.stack) e.stack = trap.stack;
      throw e;
    }
  }

  /**
   * Waits for the reporting worker's `done` (the run is over on every thread); returns its own trap's
   * message, if any. Past the limit the workers are ended, and the team with them.
   */
  private async awaitDone(start: number, limit: RunLimit): Promise<Trap | undefined> {
    for (const w of this.workers) w.hold(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      const end = (why: string) => {
        this.stopped = `${why}; the session is stopped, load the model again to run it`;
        for (const w of this.workers) w.terminate();
        reject(new KilnRuntimeError('E_STOPPED', this.stopped));
      };
      if (limit.timeoutMs !== undefined) timer = setTimeout(() => end(`the run did not finish within its time limit of ${limit.timeoutMs} ms`), limit.timeoutMs);
      if (limit.signal) {
        onAbort = () => end('the run was aborted by its signal');
        if (limit.signal.aborted) onAbort(); else limit.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    try {
      const done = (async () => {
        let trap: Trap | undefined;
        for (let m = await this.workers[0].next(); m.type !== 'done'; m = await this.workers[0].next()) {
          if (m.type === 'trap' && m.start === start) trap = m;
        }
        return trap;
      })();
      done.catch(() => undefined); // ended workers reject it after the limit has already answered
      return await (timer !== undefined || onAbort ? Promise.race([done, stop]) : done);
    } finally {
      clearTimeout(timer);
      if (onAbort) limit.signal!.removeEventListener('abort', onAbort);
      for (const w of this.workers) w.hold(false);
    }
  }

  /** The trap worker `i` reported for the run started at `start`. */
  private async trapMessage(i: number, start: number): Promise<Trap> {
    const w = this.workers[i];
    for (let m: WorkerReply = await w.next(); ; m = await w.next()) {
      if (m.type === 'trap' && m.start === start) return m;
    }
  }

  /** Detaches the workers (they return to the idle pool) once any run is over. */
  async dispose(): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    if (this.stopped) return; // its workers are gone
    const ctl = this.ctl, at = (f: Parameters<typeof word>[1]) => word(this.sync, f);
    Atomics.store(ctl, at('command'), SYNC_COMMAND.detach);
    Atomics.add(ctl, at('start'), 1);
    Atomics.notify(ctl, at('start'));
    for (const w of this.workers) w.hold(true);
    await Promise.all(this.workers.map(async (w) => {
      try {
        while ((await w.next()).type !== 'detached') { /* a stale trap report */ }
      } catch {
        return; // a dead worker is not returned to the pool
      }
      releaseWorkers([w]);
    }));
  }
}
