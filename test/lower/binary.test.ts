// Broadcasting elementwise computes (arithmetic, comparisons, logic, variadic, PRelu, Where)
// against the reference kernels, with default and hand-written schedules.
import { describe, it } from 'node:test';
import { split, vectorize } from '../../src/schedule/schedule.js';
import { checkOp, type InputSpec } from './check.js';

const SHAPES: readonly (readonly number[])[][] = [[[], []], [[5], [5]], [[2, 3, 8], [8]], [[4, 1, 3], [2, 1]], [[1], [3, 4]]];

describe('binary computes', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual']) {
    it(`${op} float32 with broadcasting`, () => {
      for (const [a, b] of SHAPES) checkOp(op, {}, [{ shape: a }, { shape: b }]);
    });
  }
  it('Pow on positive bases, Mod both ways', () => {
    checkOp('Pow', {}, [{ shape: [3, 4], range: [0.5, 2] }, { shape: [4] }]);
    checkOp('Mod', { fmod: 1 }, [{ shape: [6] }, { shape: [6], range: [0.5, 2] }]);
    checkOp('Mod', {}, [{ shape: [6] }, { shape: [1], range: [0.5, 2] }]);
  });
  it('int32 arithmetic and bitwise ops', () => {
    const ints = (n: number, off: number): InputSpec => ({ shape: [n], dtype: 'int32', values: Array.from({ length: n }, (_, i) => i * 7 - off) });
    const nonzero: InputSpec = { shape: [8], dtype: 'int32', values: [3, -2, 5, 7, -9, 1, 4, -6] };
    for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Mod', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor']) checkOp(op, {}, [ints(8, 20), nonzero]);
    checkOp('BitwiseNot', {}, [ints(8, 20)]);
  });
  it('bool logic and Where', () => {
    for (const op of ['And', 'Or', 'Xor']) checkOp(op, {}, [{ shape: [2, 5], dtype: 'bool' }, { shape: [5], dtype: 'bool' }]);
    checkOp('Where', {}, [{ shape: [3, 1], dtype: 'bool' }, { shape: [3, 4] }, { shape: [4] }]);
  });
  it('variadic Sum/Max of three inputs and PRelu with a channel slope', () => {
    checkOp('Sum', {}, [{ shape: [2, 4] }, { shape: [4] }, { shape: [2, 1] }]);
    checkOp('Max', {}, [{ shape: [2, 4] }, { shape: [4] }, { shape: [2, 1] }]);
    checkOp('PRelu', {}, [{ shape: [2, 3, 4] }, { shape: [3, 1] }]);
  });
  it('vectorised broadcast reads: the broadcast operand becomes a uniform load', () => {
    checkOp('Add', {}, [{ shape: [3, 8] }, { shape: [3, 1] }], [split('i1', 4), vectorize('i1.i')]);
  });
});
