// The expand pass on LSTM, GRU and RNN (their expand facet, recurrent-expand.ts): static shapes become
// canonical ops computing the same outputs (one input-projection MatMul per direction, one recurrent
// MatMul per step); symbolic stay, and so does an op without the facet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/graph.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { Tensor } from '../../src/ir/tensor.js';
import { expandOps } from '../../src/passes/expand.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { assertSameComputation, countOp } from './check.js';
import { withFacets } from './with-facet.js';

function graph(op: 'LSTM' | 'GRU' | 'RNN', seq: number | string, attrs: Record<string, number | string> = {}) {
  const next = rng(3), gates = { LSTM: 4, GRU: 3, RNN: 1 }[op], dirs = attrs.direction === 'bidirectional' ? 2 : 1;
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [seq, 2, 3] });
  b.addInput('lens', { dtype: 'int32', shape: [2] });
  const w = b.constant('w', randomTensor('float32', [dirs, gates * 4, 3], next));
  const r = b.constant('r', randomTensor('float32', [dirs, gates * 4, 4], next));
  const bias = b.constant('b', randomTensor('float32', [dirs, gates * 8], next));
  const outs = b.addNode(op, ['x', w, r, bias, 'lens'], { hidden_size: 4, ...attrs }, { outputs: op === 'LSTM' ? ['y', 'yh', 'yc'] : ['y', 'yh'] });
  b.setOutputs(outs);
  return inferShapes(b.build());
}

test('each recurrent op unrolls into MatMuls and elementwise ops computing the same outputs', () => {
  for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
    for (const direction of ['forward', 'reverse', 'bidirectional']) {
      const g = graph(op, 5, { direction, linear_before_reset: op === 'GRU' && direction === 'reverse' ? 1 : 0 });
      const f = expandOps(g);
      assert.equal(countOp(f, op), 0, `${op} ${direction} expanded`);
      const dirs = direction === 'bidirectional' ? 2 : 1;
      // GRU without linear_before_reset multiplies by R twice per step (gates, then the reset state)
      const perStep = op === 'GRU' && direction !== 'reverse' ? 2 : 1;
      assert.equal(countOp(f, 'MatMul'), dirs * (1 + 5 * perStep), `${op} ${direction} MatMuls`);
      const lens = Tensor.from('int32', [2], [5, 3]);
      assertSameComputation(g, f, 1e-6, { x: randomTensor('float32', [5, 2, 3], rng(9)), lens });
    }
  }
});

test('a symbolic seq_length stays a recurrent op', () => {
  const g = graph('LSTM', 'T');
  assert.equal(expandOps(g), g);
});

test('the expand pass asks the op: LSTM without its expand facet stays, and is not named in the pass', () => {
  const g = graph('LSTM', 5);
  assert.equal(withFacets('LSTM', { expand: undefined }, () => expandOps(g)), g);
  assert.equal(countOp(expandOps(g), 'LSTM'), 0);
});
