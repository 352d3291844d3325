// Worker thread for pool.ts: runs the cases it is sent, one at a time, posting each result.
import { parentPort } from 'node:worker_threads';
import { runCase, type Case } from './runner.js';

parentPort!.on('message', (c: Case) => parentPort!.postMessage(runCase(c)));
