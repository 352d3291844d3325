// The whole-model module: every kernel as one function (identical kernels once), the intrinsic
// functions they use, and a `run` entry that calls the kernels in order with fixed addresses.
import type { Kernel } from '../../loop/ir.js';
import { ModuleBuilder, type MemoryLimits } from './module.js';
import { lowerKernel, kernelScratch } from './lower-kernel.js';
import { IntrinsicLibrary } from './intrinsics.js';
import { functionNames, kernelFunctionNames } from './names.js';
import type { TargetOptions } from './lower-expr.js';

export type { TargetOptions } from './lower-expr.js';
export { kernelScratch, scratchBytes } from './lower-kernel.js';

/** One step of `run`: a kernel and the byte addresses of its params, then of its scratch allocs. */
export interface KernelCall {
  readonly kernel: Kernel;
  readonly addresses: readonly number[];
}

export interface ModuleOptions {
  readonly target: TargetOptions;
  /** The imported `env.memory`. */
  readonly memory: MemoryLimits;
  /** Also export each kernel under its name (tests and benchmarks call kernels directly). */
  readonly exportKernels?: boolean;
}

export interface BuiltModule {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Function index of each kernel name (after deduplication several names share one). */
  readonly kernelIndex: ReadonlyMap<string, number>;
}

/** Structural identity of a kernel, ignoring its name. */
function kernelKey(k: Kernel): string {
  return JSON.stringify([k.params, k.body]);
}

export function buildModule(calls: readonly KernelCall[], opts: ModuleOptions): BuiltModule {
  const m = new ModuleBuilder();
  m.importMemory('env', 'memory', opts.memory);
  const lib = new IntrinsicLibrary(m, opts.target);
  const byKey = new Map<string, number>();
  const kernelIndex = new Map<string, number>();
  const exported = new Set<string>();
  for (const { kernel, addresses } of calls) {
    const want = kernel.params.length + kernelScratch(kernel).length;
    if (addresses.length !== want) {
      throw new RangeError(`kernel '${kernel.name}' takes ${want} addresses, got ${addresses.length}`);
    }
    const key = kernelKey(kernel);
    let index = byKey.get(key);
    if (index === undefined) {
      index = m.addFunction(lowerKernel(kernel, opts.target, lib));
      byKey.set(key, index);
    }
    kernelIndex.set(kernel.name, index);
    if (opts.exportKernels && !exported.has(kernel.name)) {
      exported.add(kernel.name);
      m.exportFunction(kernel.name, index);
    }
  }
  const run = m.code([]);
  for (const { kernel, addresses } of calls) {
    for (const a of addresses) run.i32(a);
    run.call(kernelIndex.get(kernel.name)!);
  }
  m.exportFunction('run', m.addFunction(run));
  m.addCustom('name', functionNames(kernelFunctionNames(kernelIndex)));
  return { bytes: m.toBytes(), kernelIndex };
}
