// What a code-generation target is: the facts the schedule templates, lowering and the memory plan
// ask instead of holding constants (vector lanes, register budget, alignment, caches), and the work
// only the target can do (legalize a loop-IR kernel, emit the whole-model code, name its loader).
import type { Kernel, ScalarType } from '../loop/ir.js';
import type { MemoryPlan } from '../passes/memory-plan.js';
import type { Feature, NativeCode } from '../runtime/manifest.js';

export type TargetName = 'wasm-simd' | 'wasm' | 'native' | 'c';
export const TARGET_NAMES: readonly TargetName[] = ['wasm-simd', 'wasm', 'native', 'c'];

export interface CacheSizes {
  readonly l1Bytes: number;
  readonly l2Bytes: number;
}

export interface TargetFacts {
  readonly name: TargetName;
  /**
   * Lanes of one vector of each register scalar type: the width schedules tile for and the
   * vectorize pass widens to. 1 means no vectors at all.
   */
  lanes(s: ScalarType): number;
  /**
   * Whether legalization turns 'vectorized' loops into vector code. A target without vector
   * instructions may still tile registers in `lanes` (wasm without SIMD computes them lane by lane).
   */
  readonly vectorizes: boolean;
  /** Accumulators (scalar or vector) one register tile may hold before the generated code spills. */
  readonly accumulators: number;
  /** Byte boundary every planned buffer starts on (at least one vector). */
  readonly alignment: number;
  /** Register scalar types the target computes in natively. */
  readonly scalarTypes: readonly ScalarType[];
  /** Whether the target can run parallel loops on several threads. */
  readonly threads: boolean;
  /** Per-core caches the tile and loop-order heuristics size their working sets by. */
  readonly cache: CacheSizes;
  /** Host features the generated code needs (wasm feature names, or CPU flags for native code). */
  readonly features: readonly string[];
}

/** One step of the model's entry: a kernel and the byte addresses of its params, then of its scratch allocs. */
export interface KernelCall {
  readonly kernel: Kernel;
  readonly addresses: readonly number[];
  /** The graph ops the kernel computes, in order (readable output names them). */
  readonly ops?: readonly string[];
}

/** Everything a target needs to emit one model: the kernels in call order and where every buffer sits. */
export interface ModelProgram {
  readonly calls: readonly KernelCall[];
  readonly plan: MemoryPlan;
  /** The graph's input and output value names in order (the embedded C entry takes them as arrays). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Bytes the model's memory must hold: the plan, then the sync block. */
  readonly memoryBytes: number;
  /** Byte offset of the sync block threads meet on (src/runtime/sync.ts), for targets that run threads through it. */
  readonly sync: number;
  /** Export every kernel under its name (a profiling build). */
  readonly exportKernels?: boolean;
}

export interface EmittedModel {
  /** The code the artifact carries (a wasm module, a shared object, ...). */
  readonly code: Uint8Array;
  /** Manifest features a host must have to run `code`. */
  readonly features: readonly Feature[];
  /** Distinct kernel functions after identical kernels are merged. */
  readonly uniqueKernels: number;
  /** For native code: what a host needs to run it (the manifest's `native`). */
  readonly native?: NativeCode;
  /** Function index of each kernel by name, where the code has function indices a trap's stack names (wasm). */
  readonly kernelFunctions?: ReadonlyMap<string, number>;
  /** Set when the code runs on any number of threads through the sync block (the manifest's `threads`). */
  readonly threads?: { readonly sync: number };
  /** The code as text for KILN_DEBUG=3 (wat, C). */
  text(): Promise<string>;
}

/** The runtime entry that runs this target's artifacts. */
export type LoaderName = 'wasm' | 'native' | 'c-project';

export interface Target extends TargetFacts {
  /** The loop passes that make a lowered kernel generatable; `onScalar` hears of each vector loop left serial. */
  legalize(kernel: Kernel, onScalar?: (loopVar: string, why: string) => void): Kernel;
  /** The whole-model code: every kernel once and an entry calling them in order. */
  emit(program: ModelProgram): EmittedModel;
  readonly loader: LoaderName;
}
