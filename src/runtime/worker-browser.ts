// The worker script in browsers (a module worker); the thread's work is in worker-loop.ts.
import { serveWorker, type AttachMessage } from './worker-loop.js';

const scope = globalThis as unknown as { onmessage: ((e: { data: AttachMessage }) => void) | null; postMessage(msg: unknown): void };
serveWorker({
  onMessage: (handler) => { scope.onmessage = (e) => handler(e.data); },
  post: (reply) => scope.postMessage(reply),
});
