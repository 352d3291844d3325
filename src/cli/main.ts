// Entry point of the `kiln` command line: argument parsing, the commands, and the one rule
// for failures — one line on stderr, exit 2 for the user's errors, 1 for Kiln's own bugs.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { InputError, KilnError } from '../errors.js';
import { describeFsError } from '../io/files.js';
import { resolveModelFile } from '../frontend/load.js';
import { prepareGraph } from '../compile/compile.js';
import { DEFAULT_OPT_LEVEL } from '../passes/pipeline.js';
import { collect } from './args.js';
import { formatArtifactSummary, summarizeArtifact } from './artifact-info.js';
import { benchCommand } from './bench.js';
import { checkOutput, compileCommand, runPrepared } from './compiled.js';
import { debugLevel } from './debug.js';
import { formatKernels, formatSummary, summarize, summarizeKernels } from './inspect.js';
import {
  addCompileOptions, addFeedOptions, addModelOptions, addThreadsOption, compileOptions, feedOptions, isArtifact, openModel,
  OPT_LEVEL_HELP, parseOptLevel, parseThreads, prepare, readLabels, type CompileFlags, type FeedFlags,
} from './options.js';
import { profileCommand } from './profile.js';
import { PEERS } from './peers.js';
import { ensureOutDir, runReference } from './run.js';
import { parseCount } from './timing.js';

const EXIT_USER_ERROR = 2;
const EXIT_INTERNAL_ERROR = 1;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const ENGINES = ['compiled', 'reference'] as const;

interface RunFlags extends CompileFlags, FeedFlags { outDir: string; engine: string; runs: string; threads?: string }

async function run(model: string, flags: RunFlags): Promise<void> {
  const engine = ENGINES.find((e) => e === flags.engine);
  if (!engine) throw new InputError(`--engine must be one of ${ENGINES.join(', ')}, got '${flags.engine}'`);
  const runs = parseCount('--runs', flags.runs), threads = parseThreads(flags.threads);
  const opts = { ...feedOptions(flags), outDir: flags.outDir, labels: readLabels(flags.labels), runs, threads };
  ensureOutDir(opts.outDir); // before any work: a folder that cannot be made fails at once
  if (engine === 'reference') {
    if (isArtifact(model)) throw new InputError(`${model} is a compiled .kiln artifact, which only the compiled engine runs; give the original model for --engine reference`);
    return runReference(await openModel(model, flags.shape, flags.freeze), opts);
  }
  return runPrepared(await prepare(model, flags, opts), opts);
}

interface BenchFlags extends CompileFlags, FeedFlags { runs: string; threads?: string; json?: boolean; vs: string[] }
interface ProfileFlags extends CompileFlags, FeedFlags { runs: string; json?: boolean; html?: string; top: string }

function buildProgram(): Command {
  const program = new Command('kiln')
    .description('A deep-learning compiler: import ONNX, TF.js and TensorFlow models and run them.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  program.addHelpText('after', `
MODEL is a .onnx file, a TensorFlow frozen GraphDef (.pb), a TF.js model.json, or the folder holding it;
FILE.kiln is an artifact of kiln compile (recognised by its first bytes, whatever its name).
Set KILN_DEBUG=1 for timings (each graph pass's too) and error stacks, KILN_DEBUG=2 to also print the imported graph and the graph after each pass,
KILN_DEBUG=3 to also print each compiled kernel's loop IR and the WebAssembly module as text.`);

  addModelOptions(program.command('inspect')
    .description('print a model\'s format, inputs, outputs, op histogram, parameters and multiply-accumulates, or what a .kiln artifact holds')
    .argument('<MODEL>', 'model file or folder, or a .kiln artifact')
    .option('--json', 'print the summary as JSON'))
    .option('--kernels', 'list the fused kernels the model compiles to: ops, layout, shapes, MACs (needs every input dim fixed)')
    .option('--opt-level <N>', `${OPT_LEVEL_HELP} (for --kernels)`, String(DEFAULT_OPT_LEVEL))
    .action(async (model: string, opts: { json?: boolean; shape: string[]; freeze: string[]; kernels?: boolean; optLevel: string }) => {
      const optLevel = parseOptLevel(opts.optLevel);
      if (isArtifact(model)) {
        if (opts.kernels || opts.shape.length || opts.freeze.length) throw new InputError(`${model} is a compiled .kiln artifact; --kernels, --shape and --freeze apply to models`);
        const s = summarizeArtifact(model);
        console.log(opts.json ? JSON.stringify(s, null, 2) : formatArtifactSummary(model, s));
        return;
      }
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

  addCompileOptions(program.command('compile')
    .description('compile a model ahead of time into one .kiln artifact (a WebAssembly module and its weights)')
    .argument('<MODEL>', 'model file or folder')
    .requiredOption('-o, --out <FILE.kiln>', 'the artifact to write'))
    .option('--weights <float32|float16>', 'how float weights are stored: float16 halves the file (widened to float32 at load)', 'float32')
    .option('--profile', 'a profiling build: every kernel exported and the calls listed, for kiln profile')
    .action(async (model: string, flags: CompileFlags & { out: string; profile?: boolean }) => {
      const options = { ...compileOptions(flags), profile: flags.profile ?? false };
      checkOutput(flags.out, resolveModelFile(model), options.target);
      const g = await openModel(model, flags.shape, flags.freeze);
      await compileCommand(g, flags.out, options);
    });

  addThreadsOption(addFeedOptions(addCompileOptions(program.command('run')
    .description('run a model (compiled to WebAssembly, or with the reference executor) or a .kiln artifact, and write its outputs as .npy files')
    .argument('<MODEL>', 'model file or folder, or a .kiln artifact'), ' (compiled engine)'),
  'feed the inputs not given with seeded random data (floats uniform in [0,1), integers in [0,10), strings w0..w9)'))
    .option('--labels <FILE>', 'class names (one per line, or a JSON array or object): print the top classes by name')
    .option('--runs <N>', 'after the first run, time N more after warm-up and print the steady state', '1')
    .option('--out-dir <DIR>', 'folder for output_<i>.npy and outputs.json', 'kiln-out')
    .option('--engine <ENGINE>', `how to run a model: ${ENGINES.join(' | ')}`, 'compiled')
    .action(run);

  addThreadsOption(addFeedOptions(addCompileOptions(program.command('bench')
    .description('time a model or .kiln artifact in its steady state: median, min, p90, GFLOP/s, CPU/wall; optionally beside a peer engine')
    .argument('<MODEL>', 'model file or folder, or a .kiln artifact')), '(the default for inputs not given with --input)'))
    .option('--runs <N>', 'timed runs after warm-up', '20')
    .option('--json', 'print the results as JSON')
    .option('--vs <PEER>', `also run the model in ${PEERS.join(' | ')} on the same input (repeatable; the package must be installed)`, collect, [])
    .action(async (model: string, flags: BenchFlags) => {
      const runs = parseCount('--runs', flags.runs), threads = parseThreads(flags.threads);
      const p = await prepare(model, flags, feedOptions(flags, true));
      await benchCommand(model, p, { runs, threads, json: flags.json ?? false, vs: flags.vs });
    });

  addFeedOptions(addCompileOptions(program.command('profile')
    .description('time each kernel of a compiled model: median, share, GFLOP/s, ops; by kernel and by op kind; --html draws it')
    .argument('<MODEL>', 'model file or folder, or a .kiln artifact compiled with --profile')), '(the default for inputs not given with --input)')
    .option('--runs <N>', 'timed runs of every kernel', '10')
    .option('--top <N>', 'kernels listed', '25')
    .option('--json', 'print the profile as JSON')
    .option('--html <FILE>', 'also write a self-contained HTML chart of where the time goes')
    .action(async (model: string, flags: ProfileFlags) => {
      const runs = parseCount('--runs', flags.runs), top = parseCount('--top', flags.top);
      const p = await prepare(model, flags, feedOptions(flags, true), { profile: true });
      await profileCommand(model, p, { runs, top, json: flags.json ?? false, ...(flags.html ? { html: flags.html } : {}) });
    });
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
