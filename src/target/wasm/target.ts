// The two WebAssembly targets behind the Target interface: `wasm-simd` (128-bit SIMD, optionally
// relaxed-SIMD fused multiply-add) and `wasm` (the same kernels computed lane by lane).
import { legalizeLoops } from '../../loop/legalize.js';
import { PAGE_BYTES, type Feature } from '../../runtime/manifest.js';
import type { ModelProgram, Target, TargetFacts } from '../target.js';
import { buildModule } from './codegen.js';
import { WASM_SCALAR_FACTS, WASM_SIMD_FACTS } from './facts.js';
import { toWat } from './wat.js';

export interface WasmTargetOptions {
  /** Use relaxed-SIMD instructions (fused multiply-add); the artifact then needs a host with them. */
  readonly relaxedSimd?: boolean;
}

export function wasmTarget(facts: TargetFacts, opts: WasmTargetOptions = {}): Target {
  const simd = facts.vectorizes;
  const relaxedSimd = opts.relaxedSimd ?? false;
  // every module is threaded: one artifact serves any thread count (src/loop/phases.ts)
  const features: Feature[] = [...(simd ? ['simd' as const] : []), ...(relaxedSimd ? ['relaxed-simd' as const] : []), 'atomics'];
  return {
    ...facts,
    features,
    loader: 'wasm',
    legalize: (kernel, onScalar) => legalizeLoops(kernel, facts, onScalar),
    emit: ({ calls, memoryBytes, sync, exportKernels }: ModelProgram) => {
      const pages = Math.max(1, Math.ceil(memoryBytes / PAGE_BYTES));
      const module = buildModule(calls, { target: { simd, relaxedSimd }, memory: { min: pages, max: pages }, sync, exportKernels });
      return {
        code: module.bytes, features, uniqueKernels: new Set(module.kernelIndex.values()).size, threads: { sync },
        kernelFunctions: module.kernelIndex,
        text: () => toWat(module.bytes),
      };
    },
  };
}

export const wasmSimdTarget = (opts: WasmTargetOptions = {}): Target => wasmTarget(WASM_SIMD_FACTS, opts);
export const wasmScalarTarget = (): Target => wasmTarget(WASM_SCALAR_FACTS);
