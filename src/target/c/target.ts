// The C targets behind the Target interface. `native`: the model's C built by the system compiler
// into a shared object for this host (or `--cpu`), carried in the artifact with the OS, arch and
// CPU flags it needs. `c`: the same C as source (the embedded project writer takes it from here).
import { arch, platform } from 'node:os';
import { legalizeLoops } from '../../loop/legalize.js';
import { PAGE_BYTES } from '../../runtime/manifest.js';
import type { ModelProgram, Target } from '../target.js';
import { buildSharedObject } from './build.js';
import { emitModel } from './emit-model.js';
import { cFacts, type CpuProfile } from './facts.js';

export const NATIVE_ENTRY = 'kiln_run';

export interface NativeBuildReport {
  /** Whether the shared object came from the cache (no C compile ran). */
  cached?: boolean;
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
