// Runs loop-IR kernels compiled by the wasm target on TypedArrays, for the target's tests.
import type { Kernel } from '../../../src/loop/ir.js';
import { buildModule, kernelScratch, scratchBytes, type TargetOptions } from '../../../src/target/wasm/codegen.js';

export type Arr = Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Uint32Array | BigUint64Array;

export const SIMD: TargetOptions = { simd: true, relaxedSimd: false };
export const SCALAR: TargetOptions = { simd: false, relaxedSimd: false };

/** Compiles `kernel` for `target`, copies `arrays` (one per param) into memory, runs it, copies them back. */
export async function runKernel(kernel: Kernel, arrays: readonly Arr[], target: TargetOptions = SIMD): Promise<void> {
  const addresses: number[] = [];
  let top = 64;
  const place = (bytes: number) => { const a = top; top += Math.ceil(bytes / 16) * 16 + 16; return a; };
  for (const a of arrays) addresses.push(place(a.byteLength));
  for (const s of kernelScratch(kernel)) addresses.push(place(scratchBytes(s)));
  const pages = Math.ceil(top / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages });
  const { bytes } = buildModule([{ kernel, addresses }], { target, memory: { min: pages }, exportKernels: true });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const u8 = new Uint8Array(memory.buffer);
  arrays.forEach((a, i) => u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), addresses[i]));
  (instance.exports.run as () => void)();
  arrays.forEach((a, i) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(u8.subarray(addresses[i], addresses[i] + a.byteLength)));
}
