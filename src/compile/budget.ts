// Compiled code addresses one 32-bit WebAssembly memory with i32 element indices: sizes past that
// are refused here with the value and the limit named, before lowering or code generation run.
import { ShapeError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { fmtBytes, WASM_MEMORY_BYTES } from '../ir/limits.js';
import { fmtShape, isStatic, numel } from '../ir/shape.js';

/** Largest element count of one value: kernels index elements with signed 32-bit integers. */
const MAX_ELEMENTS = 2 ** 31 - 1;

const BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, float64: 8, int8: 1, int16: 2, int32: 4, int64: 8,
  uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1, string: 4, // strings compile to int32 handles
};

/** Refuses a graph with a static value too large for one wasm memory, or too many elements for i32 indices. */
export function checkValueSizes(g: Graph): void {
  for (const [name, { dtype, shape }] of g.values) {
    if (!isStatic(shape)) continue;
    const n = numel(shape), bytes = n * BYTES[dtype];
    if (n > MAX_ELEMENTS || bytes > WASM_MEMORY_BYTES) {
      throw new ShapeError(`value '${name}' (${dtype} ${fmtShape(shape)}) needs ${fmtBytes(bytes)} (${n} elements); compiled models ` +
        `hold at most ${fmtBytes(WASM_MEMORY_BYTES)} and ${MAX_ELEMENTS} elements per value (a 32-bit WebAssembly memory): compile for smaller --shape sizes`);
    }
  }
}

/** Refuses a memory plan larger than a 32-bit wasm memory can be. */
export function checkMemorySize(totalBytes: number): void {
  if (totalBytes > WASM_MEMORY_BYTES) {
    throw new ShapeError(`the compiled model needs ${fmtBytes(totalBytes)} of memory (weights and intermediates), over the ` +
      `${fmtBytes(WASM_MEMORY_BYTES)} a 32-bit WebAssembly memory can address: compile for smaller --shape sizes`);
  }
}
