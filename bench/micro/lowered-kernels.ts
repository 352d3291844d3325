// Micro benchmark (not a test): MatMul and Conv lowered from their compute definitions with the
// default schedules (and a few knob points), legalised as the compiler does and compiled to wasm SIMD; GFLOP/s.
// Usage: node dist/bench/micro/lowered-kernels.js
import { rng, randomTensor } from '../../src/io/random.js';
import { lowerNode, type NodeValue } from '../../src/lower/op.js';
import { gflopsOf, instantiateKernel, legalize } from './kernel-timer.js';
import { convTemplate, matmulTemplate } from '../../src/schedule/defaults.js';
import type { Schedule } from '../../src/schedule/schedule.js';

const value = (name: string, shape: number[], constant = false): NodeValue => {
  const t = randomTensor('float32', shape, rng(shape.length));
  return { name, info: { dtype: 'float32', shape }, constant: constant ? t : undefined };
};

async function bench(label: string, op: string, attrs: Record<string, number[] | number>, inputs: NodeValue[], out: number[],
  flops: number, schedule?: Schedule): Promise<void> {
  const { kernel, packed } = lowerNode(op, attrs, inputs, [{ name: 'y', info: { dtype: 'float32', shape: out } }], schedule);
  const data = kernel.params.map((p) => packed.get(p.name) ?? inputs.find((i) => i.name === p.name)?.constant
    ?? (inputs.some((i) => i.name === p.name) ? randomTensor('float32', [p.size], rng(7)) : undefined));
  console.log(`${label.padEnd(44)} ${gflopsOf(await instantiateKernel(legalize(kernel), data.map((t) => t?.numbers)), flops).toFixed(2)} GFLOP/s`);
}

const [M, N, K] = [192, 192, 192];
const mm = [value('a', [M, K]), value('b', [K, N])];
for (const knobs of [{ mr: 1, nr: 0, ku: 1 }, { mr: 4, nr: 8, ku: 1 }, { mr: 4, nr: 16, ku: 1 }, { mr: 2, nr: 8, ku: 4 }]) {
  await bench(knobs.nr ? `MatMul ${M}^3 mr=${knobs.mr} nr=${knobs.nr} ku=${knobs.ku}` : `MatMul ${M}^3 no schedule`, 'MatMul', {}, mm, [M, N], 2 * M * N * K,
    matmulTemplate.schedule({ batch: 0, m: M, n: N, k: K, lanes: 4 }, knobs));
}
const conv = [value('x', [1, 32, 56, 56]), value('w', [64, 32, 3, 3], true), value('bias', [64], true)];
const convFlops = 2 * 64 * 56 * 56 * 32 * 9;
for (const knobs of [{ ot: 1, wt: 0, packW: 0, blocksInside: 0 }, { ot: 4, wt: 8, packW: 1, blocksInside: 0 }, { ot: 8, wt: 8, packW: 1, blocksInside: 0 }]) {
  await bench(`Conv 32->64 3x3 56x56 ot=${knobs.ot} wt=${knobs.wt} pack=${knobs.packW}`, 'Conv', { pads: [1, 1, 1, 1] }, conv, [1, 64, 56, 56],
    convFlops, convTemplate.schedule({ lanes: 4, l2Bytes: 1024 * 1024, o: 64, ow: 56, weight: 'w' }, knobs));
}
