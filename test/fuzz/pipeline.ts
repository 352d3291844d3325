// One fuzz case through everything a user's bytes reach: import (with shape inference), compile,
// load and run for models; load and run for artifacts; parse for .npy. The outcome says whether
// the failure, if any, was a clean typed error.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFeed } from '../../src/artifact/feeds.js';
import { compile } from '../../src/compile/compile.js';
import { KilnError } from '../../src/errors.js';
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import { parseNpy } from '../../src/io/npy.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { isStatic, numel } from '../../src/ir/shape.js';
import { KilnRuntimeError, load } from '../../src/runtime/index.js';

export type Format = 'onnx' | 'graphdef' | 'tfjs' | 'npy' | 'kiln';
export const FORMATS: readonly Format[] = ['onnx', 'graphdef', 'tfjs', 'npy', 'kiln'];

/** A case's files by name; `main` is the one the pipeline opens. */
export interface CaseFiles { readonly main: string; readonly files: ReadonlyMap<string, Uint8Array> }

export type Verdict = 'ok' | 'typed' | 'untyped' | 'bad-message';

export interface Outcome {
  readonly verdict: Verdict;
  /** For failures: the error's class and its message with numbers and names blurred, grouping a family. */
  readonly klass?: string;
  readonly message?: string;
  /** Where it was thrown, for --replay. */
  readonly stack?: string;
}

/** Values a model may hold at most for the fuzzer to compile and run it (bigger valid models are skipped, not failures). */
const MAX_ELEMENTS = 1 << 20;

/** Words no message may contain, and a message must be one line. */
const BAD_TEXT = /undefined|NaN|\[object Object\]|[\n\r\u2028\u2029]/;

export function classify(e: unknown): Outcome {
  const typed = (e instanceof KilnError && e.code !== 'E_INTERNAL') || e instanceof KilnRuntimeError;
  const err = e instanceof Error ? e : new Error(String(e));
  const name = e instanceof KilnError || e instanceof KilnRuntimeError ? `${err.name}(${e.code})` : err.name;
  const blurred = err.message.replace(/'[^']*'/g, "'…'").replace(/\d+(\.\d+)?/g, 'N').slice(0, 120);
  const verdict: Verdict = !typed ? 'untyped' : BAD_TEXT.test(err.message) ? 'bad-message' : 'typed';
  return { verdict, klass: `${name}: ${blurred}`, message: err.message.slice(0, 400), stack: err.stack };
}

/**
 * Runs an artifact once. One from a producer that is not trusted (a rewritten .kiln) runs as an
 * application distrusting it would: interruptible, with a time limit, since a hostile module can
 * loop forever or, on several threads, leave a barrier waiting; compile's own artifacts run as usual.
 */
async function runArtifact(bytes: Uint8Array, seed: number, untrusted: boolean): Promise<void> {
  const session = await load(bytes, untrusted ? { interruptible: true } : {});
  try {
    const next = rng(seed);
    const feeds = Object.fromEntries(session.inputs.map((i) => {
      // a hostile manifest may declare a huge input: feed a small array, which must be refused cleanly
      if (numel(i.shape) > MAX_ELEMENTS) return [i.name, new Float32Array(1)];
      return [i.name, toFeed(randomTensor(i.dtype, i.shape, next))];
    }));
    await session.run(feeds, untrusted ? { timeoutMs: UNTRUSTED_RUN_MS } : {});
  } finally {
    await session.dispose();
  }
}

/** A run of an untrusted artifact stops after this long (E_STOPPED, a typed error). */
const UNTRUSTED_RUN_MS = 2000;

async function runModel(path: string, seed: number): Promise<void> {
  let g = await loadModel(path);
  const shapes = Object.fromEntries(g.inputs.filter((n) => !isStatic(g.values.get(n)!.shape))
    .map((n) => [n, g.values.get(n)!.shape.map((d) => (typeof d === 'number' ? d : 1))]));
  if (Object.keys(shapes).length) g = withInputShapes(g, shapes);
  if ([...g.values.values()].some((v) => isStatic(v.shape) && numel(v.shape) > MAX_ELEMENTS)) return;
  await runArtifact((await compile(g)).bytes, seed, false);
}

/** Runs one case in `dir` (created and removed here); throws nothing. */
export async function runCase(format: Format, files: CaseFiles, dir: string, seed: number): Promise<Outcome> {
  mkdirSync(dir, { recursive: true });
  try {
    for (const [name, bytes] of files.files) writeFileSync(join(dir, name), bytes);
    const main = join(dir, files.main);
    if (format === 'npy') parseNpy(files.files.get(files.main)!, main);
    else if (format === 'kiln') await runArtifact(files.files.get(files.main)!, seed, true);
    else await runModel(main, seed);
    return { verdict: 'ok' };
  } catch (e) {
    return classify(e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
