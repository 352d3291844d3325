// What every pass test asks of a rewritten graph: it verifies, its types re-infer the same, and
// the reference executor computes the same outputs from it as from the original.
import assert from 'node:assert/strict';
import type { Graph } from '../../src/ir/graph.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { opDef } from '../../src/ops/index.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import type { Tensor } from '../../src/ir/tensor.js';

/** Seeded feeds in [lo, hi) for every input of `g` (static shapes). */
export function seededFeeds(g: Graph, seed = 7, lo = -1, hi = 1): Record<string, Tensor> {
  const next = rng(seed);
  return Object.fromEntries(g.inputs.map((n) => {
    const { dtype, shape } = g.values.get(n)!;
    return [n, randomTensor(dtype, shape as number[], next, lo, hi)];
  }));
}

/** `after` is a valid graph computing `before`'s outputs (within `tolerance` of their magnitude). */
export function assertSameComputation(before: Graph, after: Graph, tolerance = 0, feeds = seededFeeds(before)): void {
  verifyGraph(after, opDef);
  const again = inferShapes(after);
  for (const [v, info] of after.values) assert.deepEqual(again.values.get(v), info, `type of '${v}'`);
  assert.deepEqual(after.outputs, before.outputs);
  const want = execute(before, feeds), got = execute(after, feeds);
  for (const name of before.outputs) {
    const w = want.get(name)!, g = got.get(name)!;
    assert.deepEqual(g.shape, w.shape, `${name}: shape`);
    assert.equal(g.dtype, w.dtype, `${name}: dtype`);
    const a = g.numbers, b = w.numbers;
    for (let i = 0; i < b.length; i++) {
      const ok = a[i] === b[i] || Object.is(a[i], b[i]) || Math.abs(a[i] - b[i]) <= tolerance * Math.max(1, Math.abs(b[i]));
      if (!ok) assert.fail(`${name}[${i}]: ${a[i]} after the pass, ${b[i]} before`);
    }
  }
}

export const opsOf = (g: Graph) => g.nodes.map((n) => n.op);
export const countOp = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).length;
