// `kiln inspect FILE.kiln`: what a compiled artifact holds — the kiln that made it, its target
// and features, inputs and outputs, and its sizes — read with the runtime's own parser.
import { KilnError } from '../errors.js';
import { readBytes } from '../io/files.js';
import { parseArtifact, KilnRuntimeError, FORMAT_VERSION } from '../runtime/index.js';

export interface ArtifactSummary {
  readonly format: 'kiln';
  readonly formatVersion: number;
  readonly kiln: string;
  readonly target: string;
  readonly features: readonly string[];
  readonly inputs: readonly { name: string; dtype: string; shape: readonly number[] }[];
  readonly outputs: readonly { name: string; dtype: string; shape: readonly number[]; dynamicAxes?: readonly number[] }[];
  readonly bytes: { readonly file: number; readonly module: number; readonly weights: number; readonly weightsInMemory: number; readonly memory: number; readonly arena: number };
  readonly weightEncoding: 'float32' | 'float16';
  readonly macs: number | null;
  readonly profilingBuild: boolean;
}

export function summarizeArtifact(path: string): ArtifactSummary {
  const bytes = readBytes(path);
  let art;
  try {
    art = parseArtifact(bytes);
  } catch (e) {
    if (e instanceof KilnRuntimeError) throw new KilnError('E_FORMAT', `${path}: ${e.message}`);
    throw e;
  }
  const m = art.manifest;
  const sig = (s: (typeof m.inputs)[number]) => ({ name: s.name, dtype: s.dtype, shape: s.shape, ...(s.dynamic ? { dynamicAxes: s.dynamic.map((d) => d.axis) } : {}) });
  return {
    format: 'kiln', formatVersion: art.formatVersion ?? FORMAT_VERSION, kiln: m.kiln,
    target: m.features.includes('simd') ? 'wasm-simd' : 'wasm', features: m.features,
    inputs: m.inputs.map(sig), outputs: m.outputs.map(sig),
    bytes: { file: bytes.length, module: art.wasm.length, weights: art.weights.length, weightsInMemory: m.memory.weights.bytes, memory: m.memory.bytes, arena: m.memory.arena.bytes },
    weightEncoding: m.halves?.length ? 'float16' : 'float32', macs: m.macs ?? null, profilingBuild: m.profile !== undefined,
  };
}

const MB = (n: number) => `${(n / 2 ** 20).toFixed(2)} MB`;
const shape = (s: readonly number[]) => `[${s.join(',')}]`;

export function formatArtifactSummary(path: string, s: ArtifactSummary): string {
  return [
    `${path}: Kiln artifact, format version ${s.formatVersion}, made by kiln ${s.kiln}`,
    `target ${s.target}; features: ${s.features.join(', ') || 'none'}${s.profilingBuild ? '; profiling build (kiln profile times its kernels)' : ''}`,
    'inputs:', ...s.inputs.map((i) => `  ${i.name}  ${i.dtype} ${shape(i.shape)}`),
    'outputs:', ...s.outputs.map((o) => `  ${o.name}  ${o.dtype} ${shape(o.shape)}${o.dynamicAxes ? `  (at most; axes ${o.dynamicAxes.join(',')} decided by the run)` : ''}`),
    `size ${MB(s.bytes.file)}: module ${(s.bytes.module / 1024).toFixed(1)} KB, weights ${MB(s.bytes.weights)}` +
      (s.weightEncoding === 'float16' ? ` (float16, ${MB(s.bytes.weightsInMemory)} widened in memory)` : ''),
    `memory ${MB(s.bytes.memory)} (arena ${MB(s.bytes.arena)})${s.macs ? `; ${(2 * s.macs / 1e9).toFixed(3)} GFLOP per run` : ''}`,
  ].join('\n');
}
