// Shared by the micro benchmarks: put one loop-IR kernel in its own wasm module and memory,
// and time it by doubling the repeat count until a run lasts long enough to trust.
import { legalizeLoops } from '../../src/loop/legalize.js';
import type { Kernel } from '../../src/loop/ir.js';
import { buildModule, kernelScratch, scratchBytes } from '../../src/target/wasm/codegen.js';
import { WASM_SIMD_FACTS } from '../../src/target/wasm/facts.js';
import { probeFeatures } from '../../src/target/wasm/features.js';

/** The loop passes the compiler runs on a lowered kernel before code generation (SIMD target). */
export const legalize = (kernel: Kernel): Kernel => legalizeLoops(kernel, WASM_SIMD_FACTS);

/**
 * Instantiates `kernel` with its params (f32 buffers) and scratch laid out one after another;
 * `data[i]`, when given, fills param i. Returns the module's `run`.
 */
export async function instantiateKernel(kernel: Kernel, data: readonly (ArrayLike<number> | undefined)[],
  relaxedSimd = probeFeatures().relaxedSimd): Promise<() => void> {
  const sizes = [...kernel.params.map((p) => 4 * p.size), ...kernelScratch(kernel).map(scratchBytes)];
  const addresses: number[] = [];
  let top = 0;
  for (const s of sizes) { addresses.push(top); top += Math.ceil(s / 16) * 16; }
  const pages = Math.ceil(top / 65536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages });
  const { bytes } = buildModule([{ kernel, addresses }], { target: { simd: true, relaxedSimd }, memory: { min: pages } });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  data.forEach((d, i) => { if (d) new Float32Array(memory.buffer, addresses[i], d.length).set(d); });
  return instance.exports.run as () => void;
}

/**
 * GFLOP/s of `run` doing `flops` per call: the best of ten batches of repeated calls, each batch at
 * least a tenth of `minSeconds` (the best batch is the one other processes on a shared machine disturbed least).
 */
export function gflopsOf(run: () => void, flops: number, minSeconds = 0.3): number {
  run();
  let reps = 1, seconds = 0;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    seconds = (performance.now() - t0) / 1000;
    if (seconds > minSeconds / 10) break;
    reps *= 2;
  }
  let best = seconds;
  for (let batch = 1; batch < 10; batch++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (flops * reps) / best / 1e9;
}
