// Worker thread for pool.ts: runs the cases it is sent, one at a time, on the engine named, posting each result.
import { parentPort } from 'node:worker_threads';
import { runCompiledCase } from './compiled.js';
import { runCase, type Case, type Engine } from './runner.js';

parentPort!.on('message', async ({ c, engine, optLevel }: { c: Case; engine: Engine; optLevel?: number }) =>
  parentPort!.postMessage(engine === 'compiled' ? await runCompiledCase(c, optLevel) : runCase(c)));
