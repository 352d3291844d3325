// Worker threads for sessions: started on the host's own API (worker_threads in Node, module
// workers in browsers, created the way bundlers recognise), lent to a session while it lives and
// kept idle afterwards for the next one. Idle workers never keep a Node process alive.
import type { AttachMessage, WorkerReply } from './worker-loop.js';

/** A worker as a session sees it: messages in order, and a hold on the process while it matters. */
export interface WorkerPort {
  post(msg: AttachMessage): void;
  /** The next message from the worker (a worker that dies rejects it). */
  next(): Promise<WorkerReply>;
  /** Whether the worker keeps a Node process alive (no effect in browsers). */
  hold(yes: boolean): void;
  terminate(): void;
}

/** Idle workers kept for the next session; more are ended. */
const MAX_IDLE = 16;
const idle: WorkerPort[] = [];

/** Whether this JavaScript runs in Node (worker_threads) rather than a browser or other web host. */
export const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** `n` workers: idle ones first, the rest started now. */
export async function acquireWorkers(n: number): Promise<WorkerPort[]> {
  const got = idle.splice(0, n);
  while (got.length < n) got.push(await spawn());
  return got;
}

/** Gives back detached workers for later sessions. */
export function releaseWorkers(workers: readonly WorkerPort[]): void {
  for (const w of workers) {
    w.hold(false);
    if (idle.length < MAX_IDLE) idle.push(w); else w.terminate();
  }
}

/** The cores the host reports, or undefined when it does not say. */
export async function hostCores(): Promise<number | undefined> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  if (!isNode) return undefined;
  const os = await import(/* @vite-ignore */ NODE_OS) as { availableParallelism?: () => number; cpus(): unknown[] };
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** What the pool uses of worker_threads' Worker (the runtime carries no Node types). */
interface NodeWorker {
  on(event: 'message' | 'error' | 'exit', listener: (arg: never) => void): void;
  postMessage(msg: unknown): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

// module names held in variables so browser bundlers do not try to resolve Node's built-ins
const NODE_WORKERS = 'node:worker_threads';
const NODE_OS = 'node:os';

async function spawn(): Promise<WorkerPort> {
  if (isNode) {
    const { Worker } = await import(/* @vite-ignore */ NODE_WORKERS) as { Worker: new (url: URL) => NodeWorker };
    const w = new Worker(new URL(['.', 'worker-node.js'].join('/'), import.meta.url));
    w.unref();
    return port((on) => {
      w.on('message', (m: WorkerReply) => on(m));
      w.on('error', (e: Error) => on(undefined, e));
      w.on('exit', (code: number) => on(undefined, new Error(`worker exited with code ${code}`)));
    }, (m) => w.postMessage(m), (yes) => (yes ? w.ref() : w.unref()), () => void w.terminate());
  }
  const w = new Worker(new URL('./worker-browser.js', import.meta.url), { type: 'module' });
  return port((on) => {
    w.onmessage = (e: MessageEvent<WorkerReply>) => on(e.data);
    w.onerror = (e: ErrorEvent) => { e.preventDefault(); on(undefined, new Error(e.message || 'the worker script failed to load')); };
  }, (m) => w.postMessage(m), () => {}, () => w.terminate());
}

/** A WorkerPort over a host worker: `listen` wires its events to one callback (a message, or an error). */
function port(listen: (on: (m: WorkerReply | undefined, err?: Error) => void) => void, post: (m: AttachMessage) => void,
  hold: (yes: boolean) => void, terminate: () => void): WorkerPort {
  const queue: WorkerReply[] = [];
  const waiting: { resolve: (m: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  let dead: Error | undefined;
  listen((m, err) => {
    if (err) {
      dead ??= err;
      for (const w of waiting.splice(0)) w.reject(err);
      const at = idle.indexOf(self);
      if (at >= 0) idle.splice(at, 1);
      return;
    }
    const w = waiting.shift();
    if (w) w.resolve(m!); else queue.push(m!);
  });
  const self: WorkerPort = {
    post,
    next: () => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      if (dead) return Promise.reject(dead);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    hold,
    terminate: () => { dead ??= new Error('worker terminated'); terminate(); },
  };
  return self;
}
