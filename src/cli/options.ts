// The options several commands share — model flags (--shape, --freeze), compile flags (--target,
// --relaxed-simd, --opt-level, --weights, --threads), feed flags (--input, --random, images) — with
// their parsing, and the one place a model or an artifact becomes a prepared artifact with feeds.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { WEIGHT_ENCODINGS, type WeightEncoding } from '../artifact/half-weights.js';
import { COMPILE_TARGETS, type CompileOptions, type CompileTarget } from '../compile/compile.js';
import { InputError } from '../errors.js';
import { loadModel } from '../frontend/load.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { DEFAULT_MAX_THREADS, MAX_THREADS } from '../runtime/session.js';
import { readNpy } from '../io/npy.js';
import { sniffFile } from '../io/sniff.js';
import { DEFAULT_OPT_LEVEL, OPT_LEVELS, type OptLevel } from '../passes/pipeline.js';
import { collect, parseNpyFiles, parseShapes } from './args.js';
import { prepareArtifactFile, prepareCompiled, type Prepared } from './compiled.js';
import { debugLevel, timed } from './debug.js';
import type { FeedOptions } from './run.js';
import { parseCount } from './timing.js';

export const OPT_LEVEL_HELP = 'graph optimisation: 0 only constant folding, 1 + simplify/CSE/DCE, 2 + batch-norm, scale and pad folding, 3 + layout planning';
const SHAPE_HELP = 'fix the symbolic dims of an input, or the whole shape of a TF input of unknown rank (repeatable)';
const FREEZE_HELP = 'fix an input to the value in a .npy file (a scalar too), so shapes it decides become static (repeatable; the model then no longer takes it)';

/** Imports MODEL, fixes the --shape dims and the --freeze inputs, and prints the graph at KILN_DEBUG>=2. */
export async function openModel(path: string, shapeTexts: readonly string[], freezeTexts: readonly string[] = []): Promise<Graph> {
  const shapes = parseShapes(shapeTexts);
  const frozen = Object.fromEntries(Object.entries(parseNpyFiles('--freeze', freezeTexts)).map(([name, file]) => [name, readNpy(file)]));
  // given at import: a TF model may need a shape of unknown rank, or a frozen value to pick a tf.cond branch
  const [g] = await timed('import', () => loadModel(path, { shapes, values: frozen }));
  if (debugLevel() >= 2) process.stderr.write(`${printGraph(g)}\n`);
  return g;
}

export function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError(`--seed must be an integer in [0, 2^32), got '${text}'`);
  return seed;
}

function oneOf<T>(option: string, values: readonly T[], text: string): T {
  const v = values.find((x) => String(x) === text.trim());
  if (v === undefined) throw new InputError(`${option} must be one of ${values.join(', ')}, got '${text}'`);
  return v;
}

export const parseTarget = (text: string): CompileTarget => oneOf('--target', COMPILE_TARGETS, text);
export const parseOptLevel = (text: string): OptLevel => oneOf('--opt-level', OPT_LEVELS, text);
export const parseWeights = (text: string): WeightEncoding => oneOf('--weights', WEIGHT_ENCODINGS, text);

/** A path names a compiled artifact when its bytes open with the KILN magic, whatever its extension. */
export const isArtifact = (path: string) => sniffFile(path) === 'kiln';

export interface ModelFlags { shape: string[]; freeze: string[] }
export interface CompileFlags extends ModelFlags { target: string; relaxedSimd?: boolean; optLevel: string; weights?: string; cpu?: string }
export interface FeedFlags {
  input: string[]; random?: boolean; seed: string; labels?: string;
  layout?: string; resize?: string; scale?: string; mean?: string; std?: string; channels?: string;
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--shape <NAME=D0,D1,...>', SHAPE_HELP, collect, [])
    .option('--freeze <NAME=FILE.npy>', FREEZE_HELP, collect, []);
}

export function addCompileOptions(cmd: Command, what = ''): Command {
  return addModelOptions(cmd)
    .option('--target <TARGET>', `code to generate${what}: ${COMPILE_TARGETS.join(' | ')}`, 'wasm-simd')
    .option('--relaxed-simd', 'use relaxed-SIMD fused multiply-add (the artifact then needs a host with relaxed SIMD)')
    .option('--cpu <NAME>', 'native and c targets: the CPU to compile for (native: default this host\'s; e.g. x86-64-v3, cortex-a53, cortex-m4)')
    .option('--opt-level <N>', OPT_LEVEL_HELP, String(DEFAULT_OPT_LEVEL));
}

export function addFeedOptions(cmd: Command, randomHelp: string): Command {
  return cmd
    .option('--input <NAME=FILE>', 'feed an input from a .npy array, or a PNG or JPEG image for a 4-D input (repeatable)', collect, [])
    .option('--random', randomHelp)
    .option('--seed <N>', 'seed of the random inputs', '1')
    .option('--layout <nhwc|nchw>', 'image inputs: where the channels go (default: the input\'s axis of 1 or 3)')
    .option('--resize <MODE>', 'image inputs: bilinear resize to the input size, as TF.js resizeBilinear: asymmetric | align-corners | half-pixel', 'asymmetric')
    .option('--scale <X>', 'image inputs: multiply each byte by X (default 1/255 for float inputs, 1 for integer ones)')
    .option('--mean <M|R,G,B>', 'image inputs: subtract after scaling (default 0)')
    .option('--std <S|R,G,B>', 'image inputs: then divide (default 1)')
    .option('--channels <rgb|bgr>', 'image inputs: channel order (default rgb)');
}

export function addThreadsOption(cmd: Command): Command {
  return cmd.option('--threads <N>', `threads the compiled model runs on (default: the machine's cores, at most ${DEFAULT_MAX_THREADS})`);
}

/** --threads as load() takes it: undefined for the runtime's default. */
export const parseThreads = (text: string | undefined) => (text === undefined ? undefined : parseCount('--threads', text, 1, MAX_THREADS));

export function compileOptions(flags: CompileFlags): CompileOptions {
  return {
    target: parseTarget(flags.target), relaxedSimd: flags.relaxedSimd ?? false, optLevel: parseOptLevel(flags.optLevel),
    ...(flags.cpu === undefined ? {} : { cpu: flags.cpu }),
    ...(flags.weights === undefined ? {} : { weights: parseWeights(flags.weights) }),
  };
}

export function feedOptions(flags: FeedFlags, random = flags.random ?? false): FeedOptions {
  const { layout, resize, scale, mean, std, channels } = flags;
  return { inputs: parseNpyFiles('--input', flags.input), random, seed: parseSeed(flags.seed), image: { layout, resize, scale, mean, std, channels } };
}

/** Class names from --labels: a JSON array, a JSON object of index -> name, or one name per line. */
export function readLabels(path: string | undefined): string[] | undefined {
  if (path === undefined) return undefined;
  const text = readFileSync(path, 'utf8');
  if (/^\s*[[{]/.test(text)) {
    const json = JSON.parse(text) as unknown;
    if (Array.isArray(json)) return json.map(String);
    if (typeof json === 'object' && json) {
      const out: string[] = [];
      for (const [k, v] of Object.entries(json)) out[Number(k)] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
      return out;
    }
    throw new InputError(`--labels ${path}: expected a JSON array or object of class names, or one name per line`);
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l, i, all) => l || i < all.length - 1);
}

/** MODEL compiled for its feeds (and `extra` compile options), or FILE.kiln as it is, with feeds for its inputs. */
export async function prepare(model: string, flags: CompileFlags, feeds: FeedOptions, extra: CompileOptions = {}): Promise<Prepared> {
  if (isArtifact(model)) {
    if (flags.shape.length || flags.freeze.length) {
      throw new InputError(`${model} is compiled for fixed input shapes; --shape and --freeze apply to models, not .kiln artifacts (recompile with kiln compile --shape or --freeze)`);
    }
    return prepareArtifactFile(model, feeds);
  }
  return prepareCompiled(await openModel(model, flags.shape, flags.freeze), feeds, { ...compileOptions(flags), ...extra });
}
