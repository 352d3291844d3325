// The targets `kiln compile --target` names, built from their options.
import { InputError } from '../errors.js';
import type { Target, TargetName } from './target.js';
import { wasmScalarTarget, wasmSimdTarget } from './wasm/target.js';

export interface TargetOptions {
  /** wasm-simd only: relaxed-SIMD fused multiply-add. */
  readonly relaxedSimd?: boolean;
}

export const COMPILE_TARGETS: readonly TargetName[] = ['wasm-simd', 'wasm'];

export function targetFor(name: TargetName, opts: TargetOptions = {}): Target {
  if (!COMPILE_TARGETS.includes(name)) throw new InputError(`unknown target '${name}'; use one of ${COMPILE_TARGETS.join(', ')}`);
  if (opts.relaxedSimd && name !== 'wasm-simd') {
    throw new InputError('relaxed SIMD needs the wasm-simd target; drop --relaxed-simd or use --target wasm-simd');
  }
  return name === 'wasm-simd' ? wasmSimdTarget(opts) : wasmScalarTarget();
}
