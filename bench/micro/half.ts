// Micro benchmark (not a test): float16 elementwise kernels (Add, Sigmoid, Cast to and from f32)
// lowered by the default schedules and compiled for wasm SIMD, where converting halves dominates.
// Usage: node dist/bench/micro/half.js
import { numberToFloat16Bits } from '../../src/ir/dtype.js';
import { lowerNode, type NodeValue } from '../../src/lower/op.js';
import { rng } from '../../src/io/random.js';
import { gflopsOf, instantiateKernel, legalize } from './kernel-timer.js';

const N = 1 << 18;
const value = (name: string, dtype: 'float16' | 'float32'): NodeValue => ({ name, info: { dtype, shape: [N] } });
const next = rng(3);
/** N halves (over 4-byte slots, as the timer lays out buffers) spanning normals, subnormals and a few NaNs. */
const halves = () => {
  const h = Uint16Array.from({ length: 2 * N }, () => numberToFloat16Bits((next() - 0.5) * 2 ** (next() * 40 - 26)));
  return new Float32Array(h.buffer);
};

const KERNELS: readonly { label: string; op: string; ins: NodeValue[]; out: NodeValue; attrs?: Record<string, string> }[] = [
  { label: 'Add f16 + f16 -> f16', op: 'Add', ins: [value('a', 'float16'), value('b', 'float16')], out: value('y', 'float16') },
  { label: 'Sigmoid f16 -> f16', op: 'Sigmoid', ins: [value('a', 'float16')], out: value('y', 'float16') },
  { label: 'Cast f16 -> f32', op: 'Cast', ins: [value('a', 'float16')], out: value('y', 'float32'), attrs: { to: 'float32' } },
  { label: 'Cast f32 -> f16', op: 'Cast', ins: [value('a', 'float32')], out: value('y', 'float16'), attrs: { to: 'float16' } },
];

for (const k of KERNELS) {
  const { kernel } = lowerNode(k.op, k.attrs ?? {}, k.ins, [k.out]);
  const data = k.ins.map((i) => (i.info.dtype === 'float16' ? halves() : Float32Array.from({ length: N }, () => next() * 4 - 2)));
  const run = await instantiateKernel(legalize(kernel), data);
  const ns = 1 / gflopsOf(run, N, 0.5);
  console.log(`${k.label.padEnd(24)} ${ns.toFixed(3)} ns/element  ${(ns * N / 1e6).toFixed(3)} ms per ${N} elements`);
}
