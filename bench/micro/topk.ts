// Micro benchmark (not a test): TopK's two lowerings on the same lines, the rank compute (O(n^2),
// vectorised) against the heap kernel (O(n log k), scalar), to place the size rule between them.
// Usage: node dist/bench/micro/topk.js
import { Tensor } from '../../src/ir/tensor.js';
import { rng, randomTensor } from '../../src/io/random.js';
import { lowerKernel } from '../../src/lower/lower.js';
import { asOutput } from '../../src/lower/op.js';
import { placeholder } from '../../src/lower/te.js';
import type { Kernel } from '../../src/loop/ir.js';
import { directKernel } from '../../src/ops/direct-kernel.js';
import { opDef } from '../../src/ops/index.js';
import { topKCompute, topKHeap } from '../../src/ops/topk-compute.js';
import { defaultSchedule } from '../../src/schedule/defaults.js';
import { gflopsOf, instantiateKernel, legalize } from './kernel-timer.js';

const LINES = 4096;

function kernels(n: number, k: number): { compute: Kernel; heap: Kernel } {
  const x = { name: 'x', info: { dtype: 'float32' as const, shape: [LINES, n] } };
  const kIn = { name: 'k', info: { dtype: 'int64' as const, shape: [1] }, constant: Tensor.from('int64', [1], [k]) };
  const outs = [{ name: 'values', info: { dtype: 'float32' as const, shape: [LINES, k] } }, { name: 'indices', info: { dtype: 'int32' as const, shape: [LINES, k] } }];
  const heap = directKernel({ ...opDef('TopK')!, kernel: (ctx) => topKHeap(ctx as Parameters<typeof topKHeap>[0], 1) }, {}, [x, kIn], outs)!;
  const schedule = defaultSchedule('TopK', 'opaque', [x, kIn], [[LINES, k], [LINES, k]]);
  const placed = placeholder('x', [LINES, n], 'f32');
  const results = topKCompute({
    attrs: { largest: 1 }, inputs: [placed, undefined], inputTypes: [x.info, kIn.info], constant: () => kIn.constant,
    outputs: [{ name: 'values', shape: [LINES, k], elem: 'f32' }, { name: 'indices', shape: [LINES, k], elem: 'i32' }],
  }, 1);
  const finals = results.map((t, i) => asOutput(t, { name: ['values', 'indices'][i], shape: [LINES, k] }));
  return { compute: lowerKernel({ name: 'values', inputs: [placed], outputs: finals, schedule }), heap };
}

const next = rng(7);
console.log(`${LINES} lines of n float32, k best; microseconds per line (indices as int32: the timer lays out 4-byte elements)`);
for (const n of [2, 4, 8, 12, 16, 24, 32, 64, 128]) {
  for (const k of [...new Set([1, Math.min(n, 5), n])]) {
    const data = randomTensor('float32', [LINES, n], next, -1, 1).numbers;
    const { compute, heap } = kernels(n, k);
    const time = async (kernel: Kernel) => 1e-3 / LINES / gflopsOf(await instantiateKernel(legalize(kernel), [data]), 1, 0.2);
    const [c, h] = [await time(compute), await time(heap)];
    console.log(`n=${String(n).padStart(3)} k=${String(k).padStart(3)}  compute ${c.toFixed(3)}  heap ${h.toFixed(3)}  compute/heap ${(c / h).toFixed(2)}`);
  }
}
