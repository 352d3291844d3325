// Host feature probes: each validates a tiny module that uses one instruction of the
// feature, so the answer comes from the engine itself rather than from a user-agent table.
import type { Feature } from './manifest.js';

/** The features a module may need, and `threads`: whether memory can be shared with workers here. */
export type HostFeatures = Readonly<Record<Feature | 'threads', boolean>>;

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const V128_CONST_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

/** A module with one function of type () -> results whose body is `body` (no locals). */
function oneFunction(results: readonly number[], body: readonly number[], imports: readonly number[] = []): Uint8Array<ArrayBuffer> {
  const type = [0x01, 0x60, 0x00, results.length, ...results];
  const code = [0x01, body.length + 2, 0x00, ...body, 0x0b];
  return new Uint8Array([
    ...PREAMBLE,
    0x01, type.length, ...type,
    ...(imports.length ? [0x02, imports.length, ...imports] : []),
    0x03, 0x02, 0x01, 0x00,
    0x0a, code.length, ...code,
  ]);
}

const utf8 = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/** The probe modules, exported so tests can check them against an independent assembler. */
export const PROBES: Readonly<Record<Feature, Uint8Array<ArrayBuffer>>> = {
  // (func (result v128) v128.const i32x4 0 0 0 0)
  'simd': oneFunction([0x7b], V128_CONST_ZERO),
  // (func (result v128) (f32x4.relaxed_madd (v128.const ..) (v128.const ..) (v128.const ..)))
  'relaxed-simd': oneFunction([0x7b], [...V128_CONST_ZERO, ...V128_CONST_ZERO, ...V128_CONST_ZERO, 0xfd, 0x85, 0x02]),
  // (import "env" "memory" (memory 1 1)) (func (drop (i32.atomic.load (i32.const 0)))): atomics on an
  // unshared memory, which is how a threaded module runs where memory cannot be shared
  'atomics': oneFunction([], [0x41, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x1a], [0x01, ...utf8('env'), ...utf8('memory'), 0x02, 0x01, 0x01, 0x01]),
};

/** The compile flag change that makes an artifact without each feature (for the refusal message). */
export const WITHOUT_FEATURE: Readonly<Record<Feature, string>> = {
  'simd': 'kiln compile --target wasm',
  'relaxed-simd': 'kiln compile without --relaxed-simd',
  'atomics': 'a host with WebAssembly threads: every engine with SIMD has them',
};

let cached: HostFeatures | undefined;

/**
 * What this host supports; probed once. Threads need atomics, a SharedArrayBuffer-backed memory,
 * and in a browser a cross-origin isolated page (else the memory cannot be posted to workers).
 */
export function hostFeatures(): HostFeatures {
  const atomics = WebAssembly.validate(PROBES.atomics);
  cached ??= {
    'simd': WebAssembly.validate(PROBES.simd),
    'relaxed-simd': WebAssembly.validate(PROBES['relaxed-simd']),
    'atomics': atomics,
    'threads': atomics && canShareMemory(),
  };
  return cached;
}

function canShareMemory(): boolean {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return false; // a page without COOP/COEP headers
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
