// Every engine the harness knows, in table order: which model formats each can run, how many
// threads it is configured for, and how to construct it (lazily: each runs in its own process).
import type { Engine } from '../engine.js';
import type { ModelFormat } from '../models.js';

export interface EngineEntry {
  readonly name: string;
  readonly formats: readonly ModelFormat[];
  /** The thread count the engine is configured with (the measured CPU/wall ratio checks it). */
  readonly threads: number;
  readonly create: () => Promise<Engine>;
}

const ALL: readonly ModelFormat[] = ['tfjs-layers', 'tfjs-graph', 'onnx'];
const TFJS: readonly ModelFormat[] = ['tfjs-layers', 'tfjs-graph'];
const ONNX: readonly ModelFormat[] = ['onnx'];

const kiln = () => import('./kiln.js');
const tfjs = () => import('./tfjs.js');
const ort = () => import('./ort.js');

export const ENGINES: readonly EngineEntry[] = [
  { name: 'kiln', formats: ALL, threads: 1, create: async () => (await kiln()).kilnCompiledEngine(1) },
  { name: 'kiln-native', formats: ALL, threads: 1, create: async () => (await kiln()).kilnCompiledEngine(1, 'native') },
  { name: 'kiln-reference', formats: ALL, threads: 1, create: async () => (await kiln()).kilnReferenceEngine() },
  { name: 'tfjs-wasm', formats: TFJS, threads: 1, create: async () => (await tfjs()).tfjsEngine('wasm') },
  { name: 'tfjs-cpu', formats: TFJS, threads: 1, create: async () => (await tfjs()).tfjsEngine('cpu') },
  { name: 'ort-web-1t', formats: ONNX, threads: 1, create: async () => (await ort()).ortEngine('web', 1) },
  { name: 'ort-web-2t', formats: ONNX, threads: 2, create: async () => (await ort()).ortEngine('web', 2) },
  { name: 'ort-node-1t', formats: ONNX, threads: 1, create: async () => (await ort()).ortEngine('node', 1) },
  { name: 'ort-node-2t', formats: ONNX, threads: 2, create: async () => (await ort()).ortEngine('node', 2) },
];

/** The compiled Kiln on `threads` threads: 'kiln' is one thread, 'kiln-2t' two, and so on. */
export function kilnEntry(threads: number): EngineEntry {
  return { name: threads === 1 ? 'kiln' : `kiln-${threads}t`, formats: ALL, threads, create: async () => (await kiln()).kilnCompiledEngine(threads) };
}

export function engineEntry(name: string): EngineEntry | undefined {
  const threads = /^kiln-(\d+)t$/.exec(name);
  return threads ? kilnEntry(Number(threads[1])) : ENGINES.find((e) => e.name === name);
}
