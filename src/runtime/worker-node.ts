// The worker script in Node (worker_threads); the thread's work is in worker-loop.ts.
import { parentPort } from 'node:worker_threads';
import { serveWorker, type AttachMessage } from './worker-loop.js';

const port = parentPort!;
serveWorker({
  onMessage: (handler) => port.on('message', (msg: AttachMessage) => handler(msg)),
  post: (reply) => port.postMessage(reply),
});
