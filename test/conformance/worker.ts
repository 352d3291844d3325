// Worker thread for pool.ts: runs the cases it is sent, one at a time, on the engine named, posting each result.
import { parentPort } from 'node:worker_threads';
import { runCompiledCase, type CompiledCaseOptions } from './compiled.js';
import { runCase, type Case, type Engine } from './runner.js';

parentPort!.on('message', async ({ c, engine, compiled }: { c: Case; engine: Engine; compiled?: CompiledCaseOptions }) =>
  parentPort!.postMessage(engine === 'compiled' ? await runCompiledCase(c, compiled) : runCase(c)));
