// The facts of the two WebAssembly targets: 128-bit vectors (4 lanes of 32-bit types, 2 of 64-bit),
// locals as registers, 16-byte buffers. `wasm` tiles registers the same way but computes each
// vector lane by lane, so both targets lower every kernel alike and differ only in instructions.
import { is64Bit, type ScalarType } from '../../loop/ir.js';
import type { TargetFacts } from '../target.js';

/** Lanes of a 128-bit vector of `s` (a scalar type as computed: small ints widen to i32). */
export const simd128 = (s: ScalarType) => (is64Bit(s) ? 2 : 4);

const WASM_COMMON = {
  lanes: simd128,
  // wasm locals are cheap for the engine's register allocator; spills are not
  accumulators: 64,
  alignment: 16,
  scalarTypes: ['f32', 'f64', 'i32', 'i64', 'u32', 'u64'],
  threads: true,
  // an L2 of 1 MB per core, the common server and laptop size the heuristics assume
  cache: { l1Bytes: 32 * 1024, l2Bytes: 1024 * 1024 },
} as const;

export const WASM_SIMD_FACTS: TargetFacts = { ...WASM_COMMON, name: 'wasm-simd', vectorizes: true, features: ['simd'] };
export const WASM_SCALAR_FACTS: TargetFacts = { ...WASM_COMMON, name: 'wasm', vectorizes: false, features: [] };

/** The facts lowering and scheduling assume when no target is named (tests, benches of single kernels). */
export const DEFAULT_FACTS = WASM_SIMD_FACTS;
