// The expand pass on Attention (its expand facet, attention-expand.ts): static shapes become two
// MatMuls, a Softmax and the ops of its bias, computing the same outputs (present caches and scores
// too); symbolic shapes stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { Tensor } from '../../src/ir/tensor.js';
import { expandOps } from '../../src/passes/expand.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { assertSameComputation, countOp, seededFeeds } from './check.js';

function graph(batch: number | string, attrs: Record<string, number>, mask: 'bool' | 'float32' | undefined, past: boolean) {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('q', { dtype: 'float32', shape: [batch, 3, 8] });
  b.addInput('k', { dtype: 'float32', shape: [batch, 5, 4] });
  b.addInput('v', { dtype: 'float32', shape: [batch, 5, 6] });
  const inputs = ['q', 'k', 'v', mask ? b.addInput('m', { dtype: mask, shape: [3, 7] }) : ''];
  if (past) inputs.push(b.addInput('pk', { dtype: 'float32', shape: [batch, 2, 2, 2] }), b.addInput('pv', { dtype: 'float32', shape: [batch, 2, 2, 3] }));
  b.setOutputs(b.addNode('Attention', inputs, { q_num_heads: 4, kv_num_heads: 2, ...attrs }, { outputs: ['y', 'pk_out', 'pv_out', 'qk'] }));
  return inferShapes(b.build());
}

test('Attention expands into MatMuls and Softmax computing the same outputs', () => {
  for (const [attrs, mask] of [[{}, undefined], [{ is_causal: 1, qk_matmul_output_mode: 3 }, 'bool'], [{ softcap: 2, qk_matmul_output_mode: 2 }, 'float32'],
    [{ is_causal: 1, left_window_size: 1, qk_matmul_output_mode: 1 }, 'float32']] as const) {
    const g = graph(2, attrs, mask, true);
    const f = expandOps(g);
    assert.equal(countOp(f, 'Attention'), 0);
    assert.equal(countOp(f, 'MatMul'), 2);
    assert.equal(countOp(f, 'Softmax'), 1);
    const feeds = seededFeeds(g);
    if (mask === 'bool') feeds.m = Tensor.from('bool', [3, 7], randomTensor('float32', [3, 7], rng(4)).toArray().map((x) => (x > 0 ? 1 : 0)));
    assertSameComputation(g, f, 1e-6, feeds);
  }
});

test('Attention with a symbolic batch stays', () => {
  const g = graph('N', {}, undefined, false);
  assert.equal(expandOps(g), g);
});
