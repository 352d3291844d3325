// The whole-model module: every kernel as one function (identical kernels once), the intrinsic
// functions they use, and a `run` entry that calls the kernels in order with fixed addresses.
// Threaded, every thread runs the entry as run(tid, threads) over one shared memory, with barriers
// between kernels where a parallel phase begins or ends (src/loop/phases.ts).
import type { Kernel } from '../../loop/ir.js';
import { ModuleBuilder, type MemoryLimits } from './module.js';
import { lowerKernel, kernelScratch } from './lower-kernel.js';
import { IntrinsicLibrary } from './intrinsics.js';
import { functionNames, kernelFunctionNames } from './names.js';
import type { TargetOptions } from './lower-expr.js';
import { parallelEnds } from '../../loop/phases.js';
import { addThreadSupport } from './threads.js';
import type { KernelCall } from '../target.js';

export type { TargetOptions } from './lower-expr.js';
export { kernelScratch, scratchBytes } from './lower-kernel.js';
export type { KernelCall } from '../target.js';

export interface ModuleOptions {
  readonly target: TargetOptions;
  /** The imported `env.memory`. */
  readonly memory: MemoryLimits;
  /** Also export each kernel under its name (tests and benchmarks call kernels directly). */
  readonly exportKernels?: boolean;
  /**
   * Threaded: the memory is shared, the entry is run(tid, threads), and threads meet on the sync
   * block at this byte offset (src/runtime/sync.ts). Without it: run() on one thread.
   */
  readonly sync?: number;
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
  const threaded = opts.sync !== undefined;
  m.importMemory('env', 'memory', threaded ? { ...opts.memory, max: opts.memory.max ?? opts.memory.min, shared: true } : opts.memory);
  const lib = new IntrinsicLibrary(m, opts.target);
  const threads = threaded ? addThreadSupport(m, opts.sync!) : undefined;
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
      index = m.addFunction(lowerKernel(kernel, opts.target, lib, threads));
      byKey.set(key, index);
    }
    kernelIndex.set(kernel.name, index);
    if (opts.exportKernels && !exported.has(kernel.name)) {
      exported.add(kernel.name);
      m.exportFunction(kernel.name, index);
    }
  }
  const run = m.code(threads ? ['i32', 'i32'] : []);
  if (threads) run.get(0).variable('global.set', threads.tid).get(1).variable('global.set', threads.threads);
  let lastParallel = false;
  calls.forEach(({ kernel, addresses }, i) => {
    const ends = parallelEnds(kernel.body);
    if (threads && i > 0 && (lastParallel || ends.first)) run.call(threads.barrier);
    lastParallel = ends.last;
    for (const a of addresses) run.i32(a);
    run.call(kernelIndex.get(kernel.name)!);
  });
  // the caller reads outputs once its own run returns: every thread must be done by then
  if (threads && lastParallel) run.call(threads.barrier);
  m.exportFunction('run', m.addFunction(run));
  m.addCustom('name', functionNames(kernelFunctionNames(kernelIndex)));
  return { bytes: m.toBytes(), kernelIndex };
}
