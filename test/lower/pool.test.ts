// Pool computes: windowed Max/Average/Lp pools with pads, strides, dilations and ceil mode, and the
// global pools, MaxPool's Indices, against the reference kernels.
import { describe, it } from 'node:test';
import { reorder, split, unroll, vectorize } from '../../src/schedule/schedule.js';
import { checkOp } from './check.js';

describe('pool computes', () => {
  for (const op of ['MaxPool', 'AveragePool', 'LpPool']) {
    it(`${op}: pads, strides, dilations, ceil mode`, () => {
      checkOp(op, { kernel_shape: [3, 3] }, [{ shape: [1, 2, 5, 6] }]);
      checkOp(op, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }, [{ shape: [2, 3, 7, 8] }]);
      checkOp(op, { kernel_shape: [2, 2], dilations: [2, 2], pads: [0, 1, 1, 0] }, [{ shape: [1, 1, 6, 6] }]);
      checkOp(op, { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, [{ shape: [1, 2, 6, 6] }]);
      checkOp(op, { kernel_shape: [3], pads: [1, 2] }, [{ shape: [1, 2, 9] }]);
    });
  }
  it('AveragePool counting pads', () => {
    checkOp('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }, [{ shape: [1, 2, 5, 5] }]);
    checkOp('AveragePool', { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1, pads: [1, 1, 0, 0] }, [{ shape: [1, 1, 5, 5] }]);
  });
  it('MaxPool with a vector register tile along the output row', () => {
    checkOp('MaxPool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, [{ shape: [1, 2, 4, 8] }],
      [split('k1', 3), reorder(['n', 'c', 'o0', 'k0', 'k1.o', 'k1.i', 'o1']), unroll('k1.i'), vectorize('o1')]);
  });
  it('MaxPool Indices, row- and column-major, with pads, dilations and ties', () => {
    const two = { outputs: 2 };
    checkOp('MaxPool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }, [{ shape: [2, 3, 7, 8] }], undefined, two);
    checkOp('MaxPool', { kernel_shape: [2, 3], dilations: [2, 1], storage_order: 1, ceil_mode: 1, strides: [2, 2] }, [{ shape: [1, 2, 6, 7] }], undefined, two);
    checkOp('MaxPool', { kernel_shape: [2], pads: [1, 1] }, [{ shape: [1, 2, 9] }], undefined, two);
    // a constant input: every tap ties, so the first in-bounds tap must win
    checkOp('MaxPool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, [{ shape: [1, 1, 4, 5], values: new Array(20).fill(1) }], undefined, two);
  });
  for (const op of ['GlobalMaxPool', 'GlobalAveragePool', 'GlobalLpPool']) {
    it(op, () => {
      checkOp(op, {}, [{ shape: [2, 3, 4, 5] }]);
      checkOp(op, {}, [{ shape: [1, 4, 7] }]);
    });
  }
});
