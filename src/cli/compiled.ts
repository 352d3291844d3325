// `kiln compile` and the compiled engine of `kiln run`: a model compiled to a .kiln artifact
// (in memory for run), loaded by the runtime exactly as an application would load it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRuntimeTensor, toFeed } from '../artifact/feeds.js';
import { compile, type CompileOptions, type CompileReport } from '../compile/compile.js';
import { IoError, KilnError, type ErrorCode } from '../errors.js';
import { withInputShapes } from '../frontend/load.js';
import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { readBytes } from '../io/files.js';
import { KilnRuntimeError, load, parseArtifact, type Session, type Tensor as RuntimeTensor } from '../runtime/index.js';
import { profileFor } from '../target/c/host.js';
import { projectFiles } from '../target/c/project.js';
import { debugLevel, timed } from './debug.js';
import { buildFeeds, graphInputs, reportOutputs, type RunOptions } from './run.js';

const MB = (n: number) => `${(n / 2 ** 20).toFixed(2)} MB`;

export function formatReport(r: CompileReport, out: string): string {
  return [
    `compiled to ${out} in ${r.compileMs.toFixed(0)} ms (${r.features.length ? r.features.join(', ') : 'no optional wasm features'})`,
    `kernels: ${r.kernels} calls, ${r.uniqueKernels} distinct${r.vectorizeFallbacks ? `, ${r.vectorizeFallbacks} loops left scalar` : ''}`,
    `artifact ${MB(r.artifactBytes)}: module ${(r.wasmBytes / 1024).toFixed(1)} KB, weights ${MB(r.weightsBytes)}`,
    `arena ${MB(r.arenaBytes)} for ${MB(r.intermediateBytes)} of intermediates`,
  ].join('\n');
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

/** Runs MODEL compiled for the shapes of its feeds. */
export async function runCompiled(g: Graph, opts: RunOptions & CompileOptions): Promise<void> {
  const feeds = buildFeeds(graphInputs(g), opts);
  const symbolic = g.inputs.some((n) => !isStatic(g.values.get(n)!.shape));
  const fixed = symbolic ? withInputShapes(g, Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, t.shape]))) : g;
  const [{ bytes, report }] = await timed('compile', () => compile(fixed, { ...opts, debugLevel: debugLevel() }));
  const session = await openArtifact(bytes);
  await runSession(session, feeds, opts.outDir, `compiled in ${report.compileMs.toFixed(0)} ms`);
}

/** Runs a .kiln file. */
export async function runArtifactFile(path: string, opts: RunOptions): Promise<void> {
  const session = await openArtifact(readBytes(path), path);
  const inputs = session.inputs.map(({ name, dtype, shape }) => ({ name, dtype: dtype as DType, shape }));
  await runSession(session, buildFeeds(inputs, opts), opts.outDir, `loaded ${path}`);
}

async function openArtifact(bytes: Uint8Array, path?: string): Promise<Session> {
  try {
    return (await timed('load', () => load(bytes)))[0];
  } catch (e) {
    throw asKilnError(e, path);
  }
}

async function runSession(session: Session, feeds: Readonly<Record<string, Tensor>>, outDir: string, how: string): Promise<void> {
  const given = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toFeed(t)]));
  let result: Record<string, RuntimeTensor>, ms: number;
  try {
    [result, ms] = await timed('execution', () => session.run(given));
  } catch (e) {
    throw asKilnError(e);
  }
  const outputs = new Map(session.outputs.map(({ name }) => [name, fromRuntimeTensor(result[name])]));
  reportOutputs(outputs, outDir, `${how}; ran in ${ms.toFixed(1)} ms (compiled, ${session.manifest.features.join(', ') || 'scalar wasm'})`);
}

/** A runtime error as the CLI's typed error (the runtime cannot share src/errors.ts): a user error, exit 2. */
function asKilnError(e: unknown, path?: string): unknown {
  if (!(e instanceof KilnRuntimeError)) return e;
  const code: ErrorCode = e.code === 'E_INPUT' ? 'E_INPUT' : e.code === 'E_FEATURE' ? 'E_UNSUPPORTED' : 'E_FORMAT';
  return new KilnError(code, `${path ? `${path}: ` : ''}${e.message}`);
}
