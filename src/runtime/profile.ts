// Where a compiled model's time goes: loads a profiling build (`kiln compile --profile`, whose
// module exports every kernel and whose manifest lists the entry's calls) and times each kernel
// call on its own, in run order, with the addresses `run` passes. Runtime-only, so the web page
// profiles in the browser exactly as `kiln profile` does in Node.
import { parseArtifact } from './artifact.js';
import { arrayClass, numel, type TypedArray } from './dtypes.js';
import { unsharedMemoryImport } from './module-patch.js';
import { KilnRuntimeError } from './errors.js';
import type { ProfiledCall } from './manifest.js';
import { writeWeights } from './weights.js';

export interface KernelTime extends ProfiledCall {
  /** Position in run order. */
  readonly index: number;
  readonly medianMs: number;
  /** The mean is what survives a coarse clock (browsers round performance.now() to 0.1 ms without isolation). */
  readonly meanMs: number;
}

export interface Profile {
  readonly runs: number;
  /** Median of whole runs of the entry. */
  readonly runMs: number;
  readonly kernels: readonly KernelTime[];
}

export interface ProfileOptions {
  /** Input values by name, as the typed array of the input's dtype; missing inputs are zeros. */
  readonly feeds?: Readonly<Record<string, TypedArray>>;
  /** Timed runs (default 10), after `warmup` untimed ones (default 3). */
  readonly runs?: number;
  readonly warmup?: number;
}

export async function profileArtifact(bytes: ArrayBuffer | ArrayBufferView, opts: ProfileOptions = {}): Promise<Profile> {
  const art = parseArtifact(bytes);
  const m = art.manifest;
  if (!m.profile) {
    throw new KilnRuntimeError('E_FORMAT', 'this artifact is not a profiling build (its manifest lists no kernel calls); ' +
      'compile it with kiln compile --profile, or give kiln profile the model itself');
  }
  // one thread: kernels timed one by one on an unshared memory (their thread globals stay 0 of 1)
  const memory = new WebAssembly.Memory({ initial: m.memory.pages, maximum: m.memory.pages });
  writeWeights(memory.buffer, m, art.weights);
  for (const slot of m.inputs) {
    const data = opts.feeds?.[slot.name];
    if (!data) continue;
    const Want = arrayClass(slot.dtype);
    if (!(data instanceof Want) || data.length !== numel(slot.shape)) {
      throw new KilnRuntimeError('E_INPUT', `input '${slot.name}' needs a ${Want.name} of ${numel(slot.shape)} elements to profile with`);
    }
    new Want(memory.buffer, slot.offset, data.length).set(data as never);
  }
  const wasm = m.threads ? unsharedMemoryImport(art.wasm) : art.wasm;
  const { instance } = await WebAssembly.instantiate(wasm as Uint8Array<ArrayBuffer>, { env: { memory } });
  const run = instance.exports[m.entry] as (tid: number, threads: number) => void;
  const entry = () => run(0, 1);
  const kernels = m.profile.map((c) => {
    const fn = instance.exports[c.export];
    if (typeof fn !== 'function') throw new KilnRuntimeError('E_MODULE', `the profiling build does not export kernel '${c.export}' its manifest lists; the artifact is corrupt`);
    return fn as (...addresses: number[]) => void;
  });
  const runs = Math.max(1, opts.runs ?? 10);
  for (let i = 0; i < (opts.warmup ?? 3); i++) entry();
  const whole: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    entry();
    whole.push(performance.now() - t0);
  }
  const times = m.profile.map(() => new Array<number>(runs));
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < kernels.length; i++) {
      const t0 = performance.now();
      kernels[i](...m.profile[i].addresses);
      times[i][r] = performance.now() - t0;
    }
  }
  return {
    runs,
    runMs: median(whole),
    kernels: m.profile.map((c, index) => ({ ...c, index, medianMs: median(times[index]), meanMs: times[index].reduce((a, b) => a + b, 0) / runs })),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
