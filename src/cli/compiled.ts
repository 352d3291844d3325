// `kiln compile` and the compiled engine of `kiln run`: a model compiled to a .kiln artifact
// (in memory for run), loaded by the runtime exactly as an application would load it. bench and
// profile start from the same prepared artifact and feeds.
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRuntimeTensor, toFeed } from '../artifact/feeds.js';
import { compile, type CompileOptions, type CompileReport } from '../compile/compile.js';
import { InputError, IoError, KilnError, type ErrorCode } from '../errors.js';
import { withInputShapes } from '../frontend/load.js';
import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { readBytes } from '../io/files.js';
import { sniffFile } from '../io/sniff.js';
import { KilnRuntimeError, load, parseArtifact, type Session, type Tensor as RuntimeTensor } from '../runtime/index.js';
import { profileFor } from '../target/c/host.js';
import { projectFiles } from '../target/c/project.js';
import { debugLevel, timed } from './debug.js';
import { buildFeeds, graphInputs, reportOutputs, type FeedOptions, type RunOptions, type Signature } from './run.js';
import { fmtMs, timeRuns, warmUp } from './timing.js';

const MB = (n: number) => `${(n / 2 ** 20).toFixed(2)} MB`;

export function formatReport(r: CompileReport, out: string): string {
  return [
    `compiled to ${out} in ${r.compileMs.toFixed(0)} ms (${r.features.length ? r.features.join(', ') : 'no optional wasm features'})`,
    `kernels: ${r.kernels} calls, ${r.uniqueKernels} distinct${r.vectorizeFallbacks ? `, ${r.vectorizeFallbacks} loops left scalar` : ''}`,
    `artifact ${MB(r.artifactBytes)}: module ${(r.wasmBytes / 1024).toFixed(1)} KB, weights ${MB(r.weightsBytes)}`,
    `arena ${MB(r.arenaBytes)} for ${MB(r.intermediateBytes)} of intermediates`,
  ].join('\n');
}

/** Refuses to write over the model being compiled, or over any file that is not a Kiln artifact. */
export function checkOutput(out: string, modelFile: string, target?: string): void {
  if (!existsSync(out)) return;
  if (existsSync(modelFile) && realpathSync(out) === realpathSync(modelFile)) {
    throw new InputError(`-o ${out} is the model being compiled; write the artifact to another file, e.g. -o model.kiln`);
  }
  // the c target writes a project folder: an existing folder is where its files go
  if (target === 'c') {
    if (!statSync(out).isDirectory()) throw new InputError(`-o ${out} is a file; --target c writes a project folder, so name a folder`);
    return;
  }
  if (sniffFile(out) !== 'kiln') {
    throw new InputError(`-o ${out} exists and is not a Kiln artifact; refusing to overwrite it (delete it first, or choose another file)`);
  }
}

export async function compileCommand(g: Graph, out: string, opts: CompileOptions): Promise<void> {
  const { bytes, report } = await compile(g, { ...opts, debugLevel: debugLevel() });
  try {
    if (opts.target === 'c') {
      console.log(writeCProject(bytes, out, opts.cpu));
      return;
    }
    writeFileSync(out, bytes);
  } catch (e) {
    if (e instanceof KilnError) throw e;
    throw new IoError(`cannot write ${out}: ${(e as Error).message}`);
  }
  console.log(formatReport(report, out));
}

/** Writes the `c` target's project into folder `dir`; returns the report (flash and RAM bytes). */
function writeCProject(bytes: Uint8Array, dir: string, cpu = 'generic'): string {
  const art = parseArtifact(bytes);
  const files = projectFiles(art.manifest, new TextDecoder().decode(art.wasm), art.weights, profileFor(cpu).cflags);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const { arena } = art.manifest.memory;
  return [
    `wrote a C project for ${cpu} to ${dir}: ${[...files.keys()].join(', ')} (build: make -C ${dir})`,
    `flash: ${art.weights.length} bytes of weights (model_weights.c) + the code of model.c (${(files.get('model.c')!.length / 1024).toFixed(1)} KB of C)`,
    `RAM: ${arena.bytes} bytes of arena (KILN_ARENA_BYTES) + the inputs and outputs`,
  ].join('\n');
}

/** An artifact ready to load and the feeds to run it with. */
export interface Prepared {
  readonly bytes: Uint8Array;
  readonly feeds: Readonly<Record<string, Tensor>>;
  /** Set when the model was compiled here. */
  readonly report?: CompileReport;
  readonly graph?: Graph;
  readonly how: string;
}

/** MODEL compiled for the shapes of its feeds (a symbolic dim takes its size from the feed). */
export async function prepareCompiled(g: Graph, feedOpts: FeedOptions, opts: CompileOptions): Promise<Prepared> {
  const feeds = buildFeeds(graphInputs(g), feedOpts);
  const symbolic = g.inputs.some((n) => !isStatic(g.values.get(n)!.shape));
  const fixed = symbolic ? withInputShapes(g, Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, t.shape]))) : g;
  const [{ bytes, report }] = await timed('compile', () => compile(fixed, { ...opts, debugLevel: debugLevel() }));
  return { bytes, feeds, report, graph: fixed, how: `compiled in ${report.compileMs.toFixed(0)} ms` };
}

/** A .kiln file and feeds for its inputs. */
export function prepareArtifactFile(path: string, feedOpts: FeedOptions): Prepared {
  const bytes = readBytes(path);
  let inputs: Signature[];
  try {
    inputs = parseArtifact(bytes).manifest.inputs.map(({ name, dtype, shape }) => ({ name, dtype: dtype as DType, shape }));
  } catch (e) {
    throw asKilnError(e, path);
  }
  return { bytes, feeds: buildFeeds(inputs, feedOpts), how: `loaded ${path}` };
}

export async function openArtifact(bytes: Uint8Array, path?: string, threads?: number): Promise<Session> {
  try {
    return (await timed('load', () => load(bytes, { threads })))[0];
  } catch (e) {
    throw asKilnError(e, path);
  }
}

/** The feeds as the runtime takes them. */
export const runtimeFeeds = (feeds: Readonly<Record<string, Tensor>>) => Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toFeed(t)]));

export async function runSession(session: Session, feeds: ReturnType<typeof runtimeFeeds>): Promise<Record<string, RuntimeTensor>> {
  try {
    return await session.run(feeds);
  } catch (e) {
    throw asKilnError(e);
  }
}

export interface RunTimes { readonly runs: number; readonly threads?: number }

/**
 * `kiln run` of a prepared artifact: the first run, timed and labelled as such; with --runs N also
 * the steady state (after warm-up) so nobody mistakes the cold first run for the speed.
 */
export async function runPrepared(p: Prepared, opts: RunOptions & RunTimes): Promise<void> {
  const session = await openArtifact(p.bytes, p.graph ? undefined : p.how.replace(/^loaded /, ''), opts.threads);
  const given = runtimeFeeds(p.feeds);
  const [result, ms] = await timed('execution', () => runSession(session, given));
  const outputs = new Map(session.outputs.map(({ name }) => [name, fromRuntimeTensor(result[name])]));
  const engine = `compiled, ${session.threads} thread${session.threads > 1 ? 's' : ''}, ${session.manifest.features.join(', ') || 'scalar wasm'}`;
  let how = `${p.how}; first run ${fmtMs(ms)} ms (${engine}; the first run is cold, add --runs N for the steady state)`;
  if (opts.runs > 1) {
    const warmup = await warmUp(() => session.run(given));
    const s = await timeRuns(() => session.run(given), opts.runs, warmup);
    how = `${p.how}; first run ${fmtMs(ms)} ms (cold); steady state ${fmtMs(s.medianMs)} ms median of ${s.runs} runs ` +
      `(min ${fmtMs(s.minMs)}, p90 ${fmtMs(s.p90Ms)}) after ${warmup} warm-up runs (${engine})`;
  }
  await session.dispose();
  reportOutputs(outputs, opts.outDir, how, opts.labels);
}

/** A runtime error as the CLI's typed error (the runtime cannot share src/errors.ts): a user error, exit 2. */
export function asKilnError(e: unknown, path?: string): unknown {
  if (!(e instanceof KilnRuntimeError)) return e;
  const code: ErrorCode = e.code === 'E_INPUT' ? 'E_INPUT' : e.code === 'E_FEATURE' ? 'E_UNSUPPORTED' : 'E_FORMAT';
  return new KilnError(code, `${path ? `${path}: ` : ''}${e.message}`);
}
