// The targets `kiln compile --target` names, built from their options.
import { InputError } from '../errors.js';
import type { Target, TargetName } from './target.js';
import { profileFor } from './c/host.js';
import { cSourceTarget, nativeTarget, type NativeBuildReport } from './c/target.js';
import { wasmScalarTarget, wasmSimdTarget } from './wasm/target.js';

export interface TargetOptions {
  /** wasm-simd only: relaxed-SIMD fused multiply-add. */
  readonly relaxedSimd?: boolean;
  /** native only: the CPU to compile for (src/target/c/facts.ts); default the host's. */
  readonly cpu?: string;
  /** native only: told whether the shared object came from the build cache. */
  readonly nativeReport?: NativeBuildReport;
  /** c only: the name of the model's entry function. */
  readonly entry?: string;
}

/** Every target; a `c` artifact's code section holds C source (the CLI writes it out as a C project). */
export const COMPILE_TARGETS: readonly TargetName[] = ['wasm-simd', 'wasm', 'native', 'c'];

export function targetFor(name: TargetName, opts: TargetOptions = {}): Target {
  if (!COMPILE_TARGETS.includes(name)) throw new InputError(`unknown target '${name}'; use one of ${COMPILE_TARGETS.join(', ')}`);
  if (opts.relaxedSimd && name !== 'wasm-simd') {
    throw new InputError('relaxed SIMD needs the wasm-simd target; drop --relaxed-simd or use --target wasm-simd');
  }
  if (opts.cpu !== undefined && name !== 'native' && name !== 'c') throw new InputError(`--cpu picks the CPU of the native and c targets, not ${name}; drop it or use --target native`);
  if (name === 'native') return nativeTarget(profileFor(opts.cpu), opts.nativeReport);
  if (name === 'c') return cSourceTarget(profileFor(opts.cpu ?? 'generic'), opts.entry);
  return name === 'wasm-simd' ? wasmSimdTarget(opts) : wasmScalarTarget();
}
