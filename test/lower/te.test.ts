// Tensor expressions directly: injective chains fuse by closure composition (one loop nest, no
// scratch), reductions materialise, epilogues fuse into the store, packing leaves results unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../../src/io/random.js';
import { interpretKernel } from '../../src/loop/interpret.js';
import { bin, call, cnst, fconst, type Stmt } from '../../src/loop/ir.js';
import { lowerKernel } from '../../src/lower/lower.js';
import { compute, placeholder, reduce } from '../../src/lower/te.js';
import { checkOp } from './check.js';
import { pack } from '../../src/schedule/schedule.js';

const random = (n: number, seed: number) => { const r = rng(seed); return Float32Array.from({ length: n }, () => r() * 4 - 2); };

function count(s: Stmt, k: Stmt['k']): number {
  const here = s.k === k ? 1 : 0;
  switch (s.k) {
    case 'for': case 'let': case 'local': case 'alloc': return here + count(s.body, k);
    case 'seq': return here + s.body.reduce((n, b) => n + count(b, k), 0);
    case 'if': return here + count(s.then, k) + (s.else ? count(s.else, k) : 0);
    default: return here;
  }
}

describe('tensor expressions', () => {
  it('an elementwise chain inlines into one loop nest and matches a plain evaluation', () => {
    const x = placeholder('x', [3, 5], 'f32'), y = placeholder('y', [5], 'f32');
    const e = compute('e', [3, 5], (i) => call('exp', x.at(i)));
    const s = compute('s', [3, 5], (i) => bin('add', e.at(i), y.at([i[1]])));
    const out = compute('out', [3, 5], (i) => bin('max', s.at(i), fconst(0)));
    const kernel = lowerKernel({ name: 'chain', inputs: [x, y], outputs: [out] });
    assert.equal(count(kernel.body, 'alloc'), 0);
    assert.equal(count(kernel.body, 'store'), 1);
    const X = random(15, 1), Y = random(5, 2), O = new Float32Array(15);
    interpretKernel(kernel, [X, Y, O]);
    for (let j = 0; j < 15; j++) assert.equal(O[j], Math.fround(Math.max(Math.fround(Math.fround(Math.exp(X[j])) + Y[j % 5]), 0)));
  });

  it('a reduction read by a consumer is materialised in scratch', () => {
    const x = placeholder('x', [4, 6], 'f32');
    const rowSum = compute('rowSum', [4], ([i]) => reduce('sum', [6], ([j]) => x.at([i, j])));
    const out = compute('out', [4, 6], ([i, j]) => bin('sub', x.at([i, j]), rowSum.at([i])));
    const kernel = lowerKernel({ name: 'center', inputs: [x], outputs: [out] });
    assert.equal(count(kernel.body, 'alloc'), 1);
    const X = random(24, 3), O = new Float32Array(24);
    interpretKernel(kernel, [X, O]);
    for (let i = 0; i < 4; i++) {
      let sum = 0;
      for (let j = 0; j < 6; j++) sum = Math.fround(sum + X[i * 6 + j]);
      for (let j = 0; j < 6; j++) assert.equal(O[i * 6 + j], Math.fround(X[i * 6 + j] - sum));
    }
  });

  it('an epilogue (bias + relu) is applied at the store, once per output element', () => {
    const a = placeholder('a', [2, 3], 'f32'), b = placeholder('b', [3, 4], 'f32'), bias = placeholder('bias', [4], 'f32');
    const out = compute('out', [2, 4], ([m, n]) => reduce('sum', [3], ([k]) => bin('mul', a.at([m, k]), b.at([k, n])))
      .then((acc) => bin('max', bin('add', acc, bias.at([n])), cnst(0, acc.type))));
    const kernel = lowerKernel({ name: 'dense', inputs: [a, b, bias], outputs: [out] });
    const A = random(6, 4), B = random(12, 5), BIAS = random(4, 6), O = new Float32Array(8);
    interpretKernel(kernel, [A, B, BIAS, O]);
    for (let m = 0; m < 2; m++) {
      for (let n = 0; n < 4; n++) {
        let acc = 0;
        for (let k = 0; k < 3; k++) acc = Math.fround(acc + Math.fround(A[m * 3 + k] * B[k * 4 + n]));
        assert.equal(O[m * 4 + n], Math.max(Math.fround(acc + BIAS[n]), 0));
      }
    }
  });

  it('packing a constant changes the layout, not the results', () => {
    const args = [{ shape: [1, 3, 5, 8] }, { shape: [6, 3, 3, 3], constant: true }];
    const plain = checkOp('Conv', { pads: [1, 1, 1, 1] }, args, []);
    for (const layout of [{ axis: 0, block: 4 }, { axis: 1, block: 2 }, { axis: 3, block: 3 }]) {
      const packed = checkOp('Conv', { pads: [1, 1, 1, 1] }, args, [pack('x1', layout)]);
      assert.deepEqual(packed.got, plain.got);
    }
  });
});
