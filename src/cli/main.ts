// Entry point of the `kiln` command line: argument parsing, the commands, and the one rule
// for failures — one line on stderr, exit 2 for the user's errors, 1 for Kiln's own bugs.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { InputError, KilnError } from '../errors.js';
import { loadModel } from '../frontend/load.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { describeFsError } from '../io/files.js';
import { readNpy } from '../io/npy.js';
import { collect, parseNpyFiles, parseShapes } from './args.js';
import { debugLevel, timed } from './debug.js';
import { formatKernels, formatSummary, summarize, summarizeKernels } from './inspect.js';
import { runReference } from './run.js';
import { compileCommand, runArtifactFile, runCompiled } from './compiled.js';
import { COMPILE_TARGETS, prepareGraph, type CompileTarget } from '../compile/compile.js';
import { DEFAULT_OPT_LEVEL, OPT_LEVELS, type OptLevel } from '../passes/pipeline.js';

const EXIT_USER_ERROR = 2;
const EXIT_INTERNAL_ERROR = 1;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Imports MODEL, fixes the --shape dims and the --freeze inputs, and prints the graph at KILN_DEBUG>=2. */
async function openModel(path: string, shapeTexts: readonly string[], freezeTexts: readonly string[] = []): Promise<Graph> {
  const shapes = parseShapes(shapeTexts);
  const frozen = Object.fromEntries(Object.entries(parseNpyFiles('--freeze', freezeTexts)).map(([name, file]) => [name, readNpy(file)]));
  // given at import: a TF model may need a shape of unknown rank, or a frozen value to pick a tf.cond branch
  const [g] = await timed('import', () => loadModel(path, { shapes, values: frozen }));
  if (debugLevel() >= 2) process.stderr.write(`${printGraph(g)}\n`);
  return g;
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InputError(`--seed must be an integer in [0, 2^32), got '${text}'`);
  }
  return seed;
}

function parseTarget(text: string): CompileTarget {
  const target = COMPILE_TARGETS.find((t) => t === text);
  if (!target) throw new InputError(`--target must be one of ${COMPILE_TARGETS.join(', ')}, got '${text}'`);
  return target;
}

function parseOptLevel(text: string): OptLevel {
  const level = OPT_LEVELS.find((l) => String(l) === text.trim());
  if (level === undefined) throw new InputError(`--opt-level must be one of ${OPT_LEVELS.join(', ')}, got '${text}'`);
  return level;
}
const OPT_LEVEL_HELP = `graph optimisation: 0 only constant folding, 1 + simplify/CSE/DCE, 2 + batch-norm, scale and pad folding, 3 + layout planning`;

const ENGINES = ['compiled', 'reference'] as const;
const isArtifact = (path: string) => path.toLowerCase().endsWith('.kiln');

interface RunFlags {
  input: string[]; shape: string[]; freeze: string[]; random?: boolean; seed: string; outDir: string;
  engine: string; target: string; relaxedSimd?: boolean; optLevel: string;
}

async function run(model: string, flags: RunFlags): Promise<void> {
  const engine = ENGINES.find((e) => e === flags.engine);
  const optLevel = parseOptLevel(flags.optLevel);
  if (!engine) throw new InputError(`--engine must be one of ${ENGINES.join(', ')}, got '${flags.engine}'`);
  const opts = { inputs: parseNpyFiles('--input', flags.input), random: flags.random ?? false, seed: parseSeed(flags.seed), outDir: flags.outDir };
  if (isArtifact(model)) {
    if (engine === 'reference') throw new InputError(`${model} is a compiled .kiln artifact, which only the compiled engine runs; give the original model for --engine reference`);
    if (flags.shape.length || flags.freeze.length) {
      throw new InputError(`${model} is compiled for fixed input shapes; --shape and --freeze apply to models, not .kiln artifacts (recompile with kiln compile --shape or --freeze)`);
    }
    return runArtifactFile(model, opts);
  }
  const g = await openModel(model, flags.shape, flags.freeze);
  if (engine === 'reference') return runReference(g, opts);
  return runCompiled(g, { ...opts, target: parseTarget(flags.target), relaxedSimd: flags.relaxedSimd ?? false, optLevel });
}

function buildProgram(): Command {
  const program = new Command('kiln')
    .description('A deep-learning compiler: import ONNX, TF.js and TensorFlow models and run them.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  program.addHelpText('after', `
MODEL is a .onnx file, a TensorFlow frozen GraphDef (.pb), a TF.js model.json, or the folder holding it.
Set KILN_DEBUG=1 for timings (each graph pass's too) and error stacks, KILN_DEBUG=2 to also print the imported graph and the graph after each pass,
KILN_DEBUG=3 to also print each compiled kernel's loop IR and the WebAssembly module as text.`);

  program.command('inspect')
    .description('print a model\'s format, inputs, outputs, op histogram, parameters and multiply-accumulates')
    .argument('<MODEL>', 'model file or folder')
    .option('--json', 'print the summary as JSON')
    .option('--shape <NAME=D0,D1,...>', 'fix the symbolic dims of an input (repeatable)', collect, [])
    .option('--freeze <NAME=FILE.npy>', 'fix an input to the value in a .npy file, so shapes it decides become static (repeatable; the model then no longer takes it)', collect, [])
    .option('--kernels', 'list the fused kernels the model compiles to: ops, layout, shapes, MACs (needs every input dim fixed)')
    .option('--opt-level <N>', `${OPT_LEVEL_HELP} (for --kernels)`, String(DEFAULT_OPT_LEVEL))
    .action(async (model: string, opts: { json?: boolean; shape: string[]; freeze: string[]; kernels?: boolean; optLevel: string }) => {
      const optLevel = parseOptLevel(opts.optLevel);
      const g = await openModel(model, opts.shape, opts.freeze);
      if (opts.kernels) {
        const { graph, groups } = prepareGraph(g, { optLevel });
        const kernels = summarizeKernels(graph, groups);
        console.log(opts.json ? JSON.stringify({ nodes: graph.nodes.length, kernels }, null, 2) : formatKernels(kernels, graph.nodes.length));
        return;
      }
      const summary = summarize(g, model);
      console.log(opts.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    });

  program.command('compile')
    .description('compile a model ahead of time into one .kiln artifact (a WebAssembly module and its weights)')
    .argument('<MODEL>', 'model file or folder')
    .requiredOption('-o, --out <FILE.kiln>', 'the artifact to write')
    .option('--shape <NAME=D0,D1,...>', 'fix the symbolic dims of an input (repeatable; compiled models need every dim fixed)', collect, [])
    .option('--freeze <NAME=FILE.npy>', 'fix an input to the value in a .npy file, so shapes it decides become static (repeatable; the model then no longer takes it)', collect, [])
    .option('--target <TARGET>', `code to generate: ${COMPILE_TARGETS.join(' | ')}`, 'wasm-simd')
    .option('--relaxed-simd', 'use relaxed-SIMD fused multiply-add (faster; the artifact then needs a host with relaxed SIMD)')
    .option('--cpu <NAME>', 'native and c targets: the CPU to compile for (native: default this host\'s; e.g. x86-64-v3, cortex-a53, cortex-m4)')
    .option('--opt-level <N>', OPT_LEVEL_HELP, String(DEFAULT_OPT_LEVEL))
    .action(async (model: string, opts: { out: string; shape: string[]; freeze: string[]; target: string; relaxedSimd?: boolean; cpu?: string; optLevel: string }) => {
      const target = parseTarget(opts.target);
      const optLevel = parseOptLevel(opts.optLevel);
      const g = await openModel(model, opts.shape, opts.freeze);
      await compileCommand(g, opts.out, { target, relaxedSimd: opts.relaxedSimd ?? false, optLevel, ...(opts.cpu ? { cpu: opts.cpu } : {}) });
    });

  program.command('run')
    .description('run a model (compiled to WebAssembly, or with the reference executor) or a .kiln artifact, and write its outputs as .npy files')
    .argument('<MODEL>', 'model file or folder, or a .kiln artifact')
    .option('--input <NAME=FILE.npy>', 'feed an input from a .npy file (repeatable)', collect, [])
    .option('--shape <NAME=D0,D1,...>', 'fix the symbolic dims of an input (repeatable)', collect, [])
    .option('--freeze <NAME=FILE.npy>', 'fix an input to the value in a .npy file, so shapes it decides become static (repeatable; the model then no longer takes it)', collect, [])
    .option('--random', 'feed the inputs not given with seeded random data (floats uniform in [0,1), integers in [0,10), strings w0..w9)')
    .option('--seed <N>', 'seed of --random', '1')
    .option('--out-dir <DIR>', 'folder for output_<i>.npy and outputs.json', 'kiln-out')
    .option('--engine <ENGINE>', `how to run a model: ${ENGINES.join(' | ')}`, 'compiled')
    .option('--target <TARGET>', `code the compiled engine generates: ${COMPILE_TARGETS.join(' | ')}`, 'wasm-simd')
    .option('--relaxed-simd', 'let the compiled engine use relaxed-SIMD fused multiply-add')
    .option('--opt-level <N>', `${OPT_LEVEL_HELP} (compiled engine)`, String(DEFAULT_OPT_LEVEL))
    .action(run);
  return program;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The one line a failure prints and the exit code it ends with. */
function describeFailure(e: unknown, debug: boolean): [line: string, exitCode: number] {
  if (e instanceof KilnError && e.code !== 'E_INTERNAL') return [`kiln: error: ${oneLine(e.message)}`, EXIT_USER_ERROR];
  const fsError = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof fsError.code === 'string' && fsError.syscall && fsError.path) {
    return [`kiln: error: ${oneLine(describeFsError(fsError.path, e))}`, EXIT_USER_ERROR];
  }
  const msg = oneLine(e instanceof Error ? e.message : String(e));
  return [`kiln: internal error: ${msg}${debug ? '' : ' (set KILN_DEBUG=1 for the stack)'}`, EXIT_INTERNAL_ERROR];
}

/** Prints the failure as the CLI's one line (plus the stack under KILN_DEBUG); returns the exit code. */
function report(e: unknown): number {
  if (e instanceof CommanderError) {
    // help and version exit 0; a bare `kiln` has printed its help already
    if (e.exitCode === 0) return 0;
    if (e.code !== 'commander.help') {
      process.stderr.write(`kiln: error: ${oneLine(e.message.replace(/^error: /, ''))} (see kiln --help)\n`);
    }
    return EXIT_USER_ERROR;
  }
  const debug = debugLevel() > 0;
  const [line, exitCode] = describeFailure(e, debug);
  process.stderr.write(`${line}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return exitCode;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
  } catch (e) {
    process.exitCode = report(e);
  }
}
