// Elementwise compute definitions: every float32 unary and binary op lowered with its default
// schedule and with a plain one, run in the loop-IR interpreter, against the reference kernels.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cnst, type Stmt } from '../../src/loop/ir.js';
import { split, vectorize, reorder, fuse, unroll } from '../../src/schedule/schedule.js';
import { checkOp } from './check.js';

const UNARY: readonly [string, Record<string, number | string>, [number, number]?][] = [
  ['Abs', {}], ['Neg', {}], ['Reciprocal', {}, [0.5, 2]], ['Floor', {}], ['Ceil', {}], ['Round', {}], ['Sqrt', {}, [0, 4]],
  ['Exp', {}], ['Log', {}, [0.1, 4]], ['Sin', {}], ['Cos', {}], ['Tan', {}, [-1, 1]], ['Asin', {}, [-1, 1]], ['Acos', {}, [-1, 1]],
  ['Atan', {}], ['Sinh', {}], ['Cosh', {}], ['Asinh', {}], ['Acosh', {}, [1, 4]], ['Atanh', {}, [-0.9, 0.9]], ['Erf', {}],
  ['Sign', {}], ['IsNaN', {}], ['IsInf', {}], ['Relu', {}], ['LeakyRelu', { alpha: 0.1 }], ['Elu', { alpha: 0.5 }], ['Selu', {}],
  ['Celu', { alpha: 2 }], ['Sigmoid', {}], ['HardSigmoid', {}], ['HardSwish', {}, [-5, 5]], ['Tanh', {}], ['Softplus', {}],
  ['Softsign', {}], ['Gelu', {}], ['Gelu', { approximate: 'tanh' }], ['Mish', {}], ['ThresholdedRelu', { alpha: 0.5 }],
  ['Shrink', { lambd: 0.7, bias: 0.2 }],
];

describe('elementwise computes', () => {
  for (const [op, attrs, range] of UNARY) {
    it(`${op} ${JSON.stringify(attrs)}`, () => {
      for (const shape of [[], [7], [2, 3, 8]]) checkOp(op, attrs, [{ shape, range }]);
      checkOp(op, attrs, [{ shape: [3, 5] }], []);
    });
  }

  it('Clip with both, one or no bounds', () => {
    checkOp('Clip', {}, [{ shape: [4, 4] }, { shape: [], values: [-0.5] }, { shape: [], values: [1] }]);
    checkOp('Clip', {}, [{ shape: [9] }, undefined, { shape: [], values: [0.25] }]);
    checkOp('Clip', {}, [{ shape: [3] }]);
  });

  it('Not on bool', () => { checkOp('Not', {}, [{ shape: [2, 8], dtype: 'bool' }]); });
  it('int32 Abs, Neg, Relu', () => {
    for (const op of ['Abs', 'Neg', 'Relu']) checkOp(op, {}, [{ shape: [5, 4], dtype: 'int32', values: Array.from({ length: 20 }, (_, i) => i - 9) }]);
  });

  it('default schedule marks the innermost axis vectorised when it holds a vector', () => {
    const { kernel } = checkOp('Exp', {}, [{ shape: [3, 7] }]);
    const outer = kernel.body as Extract<Stmt, { k: 'for' }>, inner = outer.body as Extract<Stmt, { k: 'for' }>;
    assert.deepEqual([outer.kind, inner.kind, inner.extent], ['serial', 'vectorized', cnst(7)]);
    const narrow = checkOp('Exp', {}, [{ shape: [5, 3] }]);
    assert.doesNotMatch(JSON.stringify(narrow.kernel.body), /vectorized/);
  });

  it('split with a ragged tail, reorder, fuse and unroll agree with the reference', () => {
    const x = [{ shape: [5, 7] }];
    checkOp('Tanh', {}, x, [split('i1', 3)]);
    checkOp('Tanh', {}, x, [reorder(['i1', 'i0'])]);
    checkOp('Tanh', {}, x, [fuse('i0', 'i1'), split('i0.i1', 4), unroll('i0.i1.i')]);
    checkOp('Tanh', {}, [{ shape: [5, 8] }], [split('i1', 4), reorder(['i1.o', 'i0', 'i1.i']), vectorize('i1.i')]);
  });
});
