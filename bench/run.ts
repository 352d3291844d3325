// `npm run bench`: times Kiln against TF.js and onnxruntime on the fixture models, side by side
// on the same seeded input, prints one table per model and writes bench/results/<timestamp>.json.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { countMacs } from '../src/cli/inspect.js';
import { isFloat } from '../src/ir/dtype.js';
import { layoutConversions } from '../src/passes/layout-report.js';
import { optimizeGraph } from '../src/passes/pipeline.js';
import { Tensor } from '../src/ir/tensor.js';
import { numel } from '../src/ir/shape.js';
import { randomTensor, rng } from '../src/io/random.js';
import { REPO_ROOT } from '../test/fixtures/fixtures.js';
import { agreement } from './compare.js';
import type { HostFeeds, HostOutputs } from './engine.js';
import { ENGINES, kilnEntry, type EngineEntry } from './engines/index.js';
import { loadSpecialised } from './engines/kiln.js';
import type { Protocol } from './measure.js';
import { MODELS, type BenchModel } from './models.js';
import { formatModel, machineInfo, type EngineResult, type ModelResult } from './report.js';
import type { Job, JobResult } from './worker.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
const RESULTS = join(REPO_ROOT, 'bench/results');

interface Options {
  readonly models?: string;
  readonly engines?: string;
  readonly runs?: number;
  readonly quick: boolean;
  readonly seed: number;
  readonly threads?: readonly number[];
}

function pick<T extends { name: string }>(all: readonly T[], list: string | undefined, what: string): readonly T[] {
  if (!list) return all;
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !all.some((x) => x.name === n));
  if (unknown.length) {
    throw new Error(`unknown ${what} ${unknown.join(', ')}; choose from ${all.map((x) => x.name).join(', ')}`);
  }
  return all.filter((x) => names.includes(x.name));
}

/** One seeded input per graph input: floats uniform in the model's range, integers floored from it. */
function seededFeeds(inputs: ModelResult['inputs'], range: readonly [number, number], seed: number): HostFeeds {
  const next = rng(seed);
  const [lo, hi] = range;
  return Object.fromEntries(inputs.map(({ name, dtype, shape }) => {
    const t = isFloat(dtype)
      ? randomTensor(dtype, shape, next, lo, hi)
      : Tensor.from(dtype, shape, Array.from({ length: numel(shape) }, () => Math.floor(lo + next() * (hi - lo))));
    return [name, { dtype: t.dtype, shape: t.shape, data: t.numbers }];
  }));
}

function runInWorker(job: Job): Promise<JobResult> {
  return new Promise((resolve) => {
    const child = fork(WORKER, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let result: JobResult | undefined;
    child.on('message', (m) => { result = m as JobResult; });
    child.on('exit', (code, signal) => resolve(result ?? {
      status: 'failed', message: `the worker process died (${signal ?? `exit code ${code}`}) before reporting`,
    }));
    child.send(job);
  });
}

async function benchModel(model: BenchModel, engines: readonly EngineEntry[], named: boolean, protocol: Protocol, seed: number): Promise<ModelResult> {
  const path = model.path();
  const g = await loadSpecialised(path, model.inputShapes);
  const inputs = g.inputs.map((name) => {
    const info = g.values.get(name)!;
    return { name, dtype: info.dtype, shape: info.shape as number[] };
  });
  const macs = countMacs(g);
  const { count: layoutLeft } = layoutConversions(optimizeGraph(g).graph);
  const feeds = seededFeeds(inputs, model.inputRange, seed);
  const inputShapes = Object.fromEntries(inputs.map((i) => [i.name, i.shape]));

  const results: EngineResult[] = [];
  const outputs = new Map<string, HostOutputs>();
  for (const entry of engines.filter((e) => e.formats.includes(model.format))) {
    const base = { engine: entry.name, threads: entry.threads };
    const skip = model.skip?.[entry.name];
    if (skip && !named) { results.push({ ...base, status: 'skipped', note: skip }); continue; }
    process.stderr.write(`${model.name} / ${entry.name} ... `);
    const r = await runInWorker({ engine: entry.name, modelPath: path, inputShapes, feeds, protocol });
    if (r.status !== 'ok') {
      process.stderr.write(`${r.status}: ${r.message}\n`);
      results.push({ ...base, status: r.status, note: r.message });
      continue;
    }
    process.stderr.write(`median ${r.timing.medianMs.toFixed(2)} ms\n`);
    outputs.set(entry.name, r.outputs);
    results.push({
      ...base, status: 'ok', version: r.prepare.version, note: r.prepare.note, threadsReported: r.prepare.threads,
      prepareMs: r.prepareMs, compileMs: r.prepare.compileMs, artifactBytes: r.prepare.artifactBytes,
      kernels: r.prepare.kernels, timing: r.timing, idleCpu: r.idleCpu,
      loadAverage: loadavg()[0],
      gflops: macs === null ? undefined : (2 * macs) / (r.timing.medianMs * 1e6),
    });
  }

  const baseline = results.find((r) => r.status === 'ok')?.engine ?? null;
  const medianOf = (name: string) => results.find((r) => r.engine === name)?.timing?.medianMs;
  const kiln = medianOf('kiln'), reference = medianOf('kiln-reference');
  const engineResults = results.map((r): EngineResult => (!r.timing ? r : {
    ...r,
    vsKiln: kiln && r.timing.medianMs / kiln,
    vsReference: reference && r.timing.medianMs / reference,
    agreement: baseline && r.engine !== baseline ? agreement(outputs.get(baseline)!, outputs.get(r.engine)!) : undefined,
  }));
  return { model: model.name, format: model.format, path, inputs, macs, layoutConversions: layoutLeft, baseline, engines: engineResults };
}

async function main(opts: Options): Promise<void> {
  const models = pick(MODELS, opts.models, 'model');
  // --threads 1,2: the compiled Kiln once per count, in place of the one-thread entry
  const kilns = (opts.threads ?? [1]).map(kilnEntry);
  const all = ENGINES.flatMap((e) => (e.name === 'kiln' ? kilns : [e]));
  const engines = pick(all, opts.engines, 'engine');
  const protocol: Protocol = opts.quick
    ? { steadyWithin: 0.05, maxWarmup: 3, warmupBudgetMs: 3000, runs: opts.runs ?? 3 }
    : { steadyWithin: 0.05, maxWarmup: 15, warmupBudgetMs: 15000, runs: opts.runs ?? 20 };
  const machine = machineInfo();
  const started = new Date();
  const file = join(RESULTS, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(RESULTS, { recursive: true });
  console.log(`${machine.cpu}, ${machine.cores} cores, ${machine.os}, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
  console.log(`protocol: warm up until 3 runs agree within ${protocol.steadyWithin * 100}% ` +
    `(at most ${protocol.maxWarmup} runs or ${protocol.warmupBudgetMs / 1000} s), ` +
    `then ${protocol.runs} timed runs including output read-back; each engine in its own process\n`);

  const done: ModelResult[] = [];
  for (const model of models) {
    const result = await benchModel(model, engines, opts.engines !== undefined, protocol, opts.seed);
    done.push(result);
    console.log(`${formatModel(result)}\n`);
    // rewritten after each model so an interrupted run keeps what it measured
    writeFileSync(file, JSON.stringify({ started: started.toISOString(), machine, protocol, seed: opts.seed, models: done }, null, 1) + '\n');
  }
  console.log(`results written to ${file}`);
}

const program = new Command('bench')
  .description('time Kiln against TF.js and onnxruntime on the fixture models')
  .option('--models <list>', `comma-separated, from: ${MODELS.map((m) => m.name).join(', ')}`)
  .option('--engines <list>', `comma-separated, from: ${ENGINES.map((e) => e.name).join(', ')} (naming an engine runs it even where skipped by default)`)
  .addOption(new Option('--runs <n>', 'timed runs per engine (default 20, --quick 3)').argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--runs expects a positive integer, got '${v}'`);
    return n;
  }))
  .option('--quick', 'a smoke check: at most 3 warm-up runs (3 s) and 3 timed runs', false)
  .addOption(new Option('--seed <n>', 'seed of the random input').default(2024).argParser(Number))
  .addOption(new Option('--threads <list>', 'thread counts to time the compiled Kiln at, e.g. 1,2 (default 1); peers keep their own').argParser((v) => {
    const list = v.split(',').map(Number);
    if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error(`--threads expects counts from 1 to 64 like 1,2, got '${v}'`);
    return list;
  }))
  .action(async (opts: Options) => main(opts));

program.parseAsync().catch((e: Error) => {
  console.error(`bench: ${e.message}`);
  process.exit(2);
});
