// The C targets behind the Target interface. `native`: the model's C built by the system compiler
// into a shared object for this host (or `--cpu`), carried in the artifact with the OS, arch and
// CPU flags it needs. `c`: the same C as source (the embedded project writer takes it from here).
import { arch, platform } from 'node:os';
import { legalizeLoops } from '../../loop/legalize.js';
import { PAGE_BYTES } from '../../runtime/manifest.js';
import type { ModelProgram, Target } from '../target.js';
import { buildSharedObject } from './build.js';
import { emitModel } from './emit-model.js';
import { embeddedEntry } from './project.js';
import { cFacts, type CpuProfile } from './facts.js';

export const NATIVE_ENTRY = 'kiln_run';

export interface NativeBuildReport {
  /** Whether the shared object came from the cache (no C compile ran). */
  cached?: boolean;
}

/**
 * The `c` target: the model's C source as the code (UTF-8). With `entry`, the entry is
 * `entry(uint8_t *mem)` on one block laid out as the manifest says (the C tests); without, it is
 * the embedded project's `kiln_model_run(inputs, outputs, arena)` (project.ts writes the rest).
 */
export function cSourceTarget(cpu: CpuProfile, entry?: string): Target {
  const facts = cFacts('c', cpu);
  return {
    ...facts,
    loader: 'c-project',
    legalize: (kernel, onScalar) => legalizeLoops(kernel, facts, onScalar),
    emit: (program: ModelProgram) => {
      const form = entry === undefined ? embeddedEntry(program) : entry;
      const model = emitModel(program.calls, form, `Kiln model for ${cpu.name}: its kernels in call order, then the entry`);
      return { code: new TextEncoder().encode(model.source), features: [], uniqueKernels: model.uniqueKernels, text: async () => model.source };
    },
  };
}

export function nativeTarget(cpu: CpuProfile, report: NativeBuildReport = {}): Target {
  const facts = cFacts('native', cpu);
  return {
    ...facts,
    loader: 'native',
    legalize: (kernel, onScalar) => legalizeLoops(kernel, facts, onScalar),
    emit: ({ calls, plan }: ModelProgram) => {
      const model = emitModel(calls, NATIVE_ENTRY, `Kiln native model for ${cpu.name}: kernels in call order, then ${NATIVE_ENTRY}(mem)`);
      const memoryBytes = Math.max(1, Math.ceil(plan.totalBytes / PAGE_BYTES)) * PAGE_BYTES;
      const built = buildSharedObject(model.source, NATIVE_ENTRY, memoryBytes, cpu.cflags);
      report.cached = built.cached;
      return {
        code: built.bytes, features: [], uniqueKernels: model.uniqueKernels,
        native: { os: platform(), arch: arch(), cpu: cpu.name, cpuFeatures: [...cpu.features] },
        text: async () => model.source,
      };
    },
  };
}
