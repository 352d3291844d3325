// `kiln run`: feeds a model from .npy files, images or seeded random data, runs it (compiled, see
// compiled.ts, or with the reference executor), writes every output as .npy plus an
// outputs.json index, and prints a summary.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, IoError } from '../errors.js';
import { isFloat, type DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { exampleShape, fmtShape, isStatic, numel, type Dim, type Shape } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { readBytes } from '../io/files.js';
import { parseNpy, serializeNpy } from '../io/npy.js';
import { sniffBytes } from '../io/sniff.js';
import { imageFeed, type ImageFlags } from './image-input.js';
import { randomTensor, rng } from '../io/random.js';
import { execute } from '../reference/execute.js';
import { timed } from './debug.js';

/** A model input or output as the caller sees it (shapes may be symbolic before compiling). */
export interface Signature {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

export const graphInputs = (g: Graph): Signature[] => g.inputs.map((name) => ({ name, ...g.values.get(name)! }));

const listInputs = (inputs: readonly Signature[]) => inputs.map((s) => `'${s.name}' (${s.dtype} ${fmtShape(s.shape)})`).join(', ');

export interface FeedOptions {
  /** Input name -> .npy path. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly random: boolean;
  readonly seed: number;
  /** How an image given to --input becomes the input tensor. */
  readonly image?: ImageFlags;
}

export interface RunOptions extends FeedOptions {
  readonly outDir: string;
  /** Class names by index, for the top classes of a score vector (--labels). */
  readonly labels?: readonly string[];
}

/** A .npy array, or a PNG or JPEG image prepared for the input (image-input.ts). */
function readFeed(file: string, info: Signature, image: ImageFlags = {}): Tensor {
  const bytes = readBytes(file);
  const kind = sniffBytes(bytes.subarray(0, 16));
  if (kind === 'png' || kind === 'jpeg') return imageFeed(file, bytes, info, image);
  if (kind !== 'npy') throw new InputError(`--input ${info.name}=${file}: not a .npy array, PNG or JPEG image (by its first bytes); save the array with numpy.save`);
  return parseNpy(bytes, file);
}

export interface OutputRecord {
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Relative to the folder of outputs.json. */
  readonly file: string;
}

const NUMPY_NAME: Partial<Record<DType, string>> = { bool: 'bool_' };

/** Reads the given .npy inputs, checks them against the model, fills the rest randomly if asked. */
export function buildFeeds(inputs: readonly Signature[], opts: FeedOptions): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  const bound = new Map<string, number>();
  for (const [name, file] of Object.entries(opts.inputs)) {
    const info = inputs.find((s) => s.name === name);
    if (!info) {
      throw new InputError(`--input names '${name}', which is not an input of the model; its inputs are ${listInputs(inputs)}`);
    }
    const t = readFeed(file, info, opts.image);
    if (t.dtype !== info.dtype) {
      throw new InputError(`--input ${name}=${file}: input '${name}' is ${info.dtype} but the file holds ${t.dtype}; ` +
        `save it as ${info.dtype} (numpy: a.astype(numpy.${NUMPY_NAME[info.dtype] ?? info.dtype}))`);
    }
    const mismatch = () => new InputError(`--input ${name}=${file}: input '${name}' has shape ${fmtShape(info.shape)} ` +
      `but the file holds ${fmtShape(t.shape)}; save the array in the model's shape`);
    if (t.rank !== info.shape.length) throw mismatch();
    info.shape.forEach((d: Dim, i) => {
      if (typeof d === 'number') { if (d !== t.shape[i]) throw mismatch(); return; }
      if ((bound.get(d) ?? t.shape[i]) !== t.shape[i]) throw mismatch();
      bound.set(d, t.shape[i]);
    });
    feeds[name] = t;
  }
  const next = rng(opts.seed);
  for (const info of inputs) {
    const name = info.name;
    if (feeds[name]) continue;
    if (!opts.random) {
      throw new InputError(`no data for input '${name}' (${info.dtype} ${fmtShape(info.shape)}); ` +
        `give --input ${name}=FILE.npy, or --random`);
    }
    const shape = info.shape.map((d) => (typeof d === 'string' ? bound.get(d) ?? d : d));
    if (!isStatic(shape)) {
      throw new InputError(`--random needs sizes for the symbolic dims of input '${name}' ${fmtShape(info.shape)}: ` +
        `give --shape ${name}=${exampleShape(info.shape).join(',')} (with your sizes)`);
    }
    feeds[name] = randomTensor(info.dtype, shape, next);
  }
  return feeds;
}

/** Writes `outputs` (in the model's output order) as output_<i>.npy and outputs.json. */
export function writeOutputs(outDir: string, outputs: ReadonlyMap<string, Tensor>): OutputRecord[] {
  ensureOutDir(outDir);
  const records = [...outputs].map(([name, t], index): OutputRecord => {
    const file = `output_${index}.npy`;
    writeFileChecked(join(outDir, file), serializeNpy(t));
    return { index, name, dtype: t.dtype, shape: t.shape, file };
  });
  writeFileChecked(join(outDir, 'outputs.json'), JSON.stringify(records, null, 2) + '\n');
  return records;
}

/**
 * Creates the output folder one level at a time (not mkdir -p, which in some Node versions loops
 * forever under /proc), before any work so a bad --out-dir fails at once.
 */
export function ensureOutDir(outDir: string): void {
  const missing: string[] = [];
  let dir = resolve(outDir);
  while (!existsSync(dir) && dirname(dir) !== dir) { missing.unshift(dir); dir = dirname(dir); }
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
    for (const d of missing) mkdirSync(d);
  } catch (e) {
    throw new IoError(`cannot create the output folder ${outDir}: ${(e as Error).message}; give --out-dir a folder you can write`);
  }
}

function writeFileChecked(path: string, data: Uint8Array | string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new IoError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** One line per output: type, value range, and the top-5 classes of a single score vector. */
export function describeOutput(name: string, t: Tensor, labels?: readonly string[]): string {
  const head = `${name}  ${t.dtype} ${fmtShape(t.shape)}`;
  if (t.dtype === 'string' || t.size === 0) return head;
  const data = t.numbers;
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));
  let line = `${head}  min ${num(min)}  max ${num(max)}  mean ${num(sum / data.length)}`;
  const classes = t.shape.length ? t.shape[t.shape.length - 1] : 0;
  if (isFloat(t.dtype) && classes > 1 && numel(t.shape) === classes) {
    const top = [...data.keys()].sort((a, b) => data[b] - data[a]).slice(0, 5);
    line += `  top-5 ${top.map((i) => `${labels?.[i] !== undefined ? `${labels[i]} [${i}]` : i} (${num(data[i])})`).join(', ')}`;
  }
  return line;
}

/** Writes the outputs and prints one line each, then how the run went. */
export function reportOutputs(outputs: ReadonlyMap<string, Tensor>, outDir: string, how: string, labels?: readonly string[]): void {
  const records = writeOutputs(outDir, outputs);
  for (const r of records) console.log(`output ${r.index}: ${describeOutput(r.name, outputs.get(r.name)!, labels)}`);
  console.log(`${how}; outputs written to ${outDir}/ (outputs.json lists them)`);
}

export async function runReference(g: Graph, opts: RunOptions): Promise<void> {
  const feeds = buildFeeds(graphInputs(g), opts);
  const [outputs, ms] = await timed('execution', () => execute(g, feeds));
  reportOutputs(outputs, opts.outDir, `ran in ${ms.toFixed(1)} ms (reference executor)`, opts.labels);
}
