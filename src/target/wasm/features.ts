// Which optional WebAssembly features this host has, found by validating tiny modules.
// Self-contained (no imports) so the runtime can carry an identical copy.

export interface WasmFeatures {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: boolean;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_VOID_TO_VOID = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
const ONE_FUNCTION = [0x03, 0x02, 0x01, 0x00];

/** A module with one () -> () function whose body (without locals or the final end) is `instrs`. */
function moduleWithBody(instrs: readonly number[]): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...instrs, 0x0b];
  return new Uint8Array([...HEADER, ...TYPE_VOID_TO_VOID, ...ONE_FUNCTION, 0x0a, body.length + 2, 0x01, body.length, ...body]);
}

const V128_ZERO = [0x41, 0x00, 0xfd, 0x11]; // i32.const 0; i32x4.splat
const SIMD_PROBE = moduleWithBody([...V128_ZERO, 0x1a]);
// three zero vectors; f32x4.relaxed_madd (0xfd 0x105); drop
const RELAXED_PROBE = moduleWithBody([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x1a]);
// a module defining a shared memory of 1 page (limits flag 3: shared, with maximum)
const SHARED_MEMORY_PROBE = new Uint8Array([...HEADER, 0x05, 0x04, 0x01, 0x03, 0x01, 0x01]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Threads need shared memories in the validator and a host that lets us create them (cross-origin isolation in browsers). */
function canShareMemory(): boolean {
  if (!validates(SHARED_MEMORY_PROBE)) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

export function probeFeatures(): WasmFeatures {
  const simd = validates(SIMD_PROBE);
  return { simd, relaxedSimd: simd && validates(RELAXED_PROBE), threads: canShareMemory() };
}
