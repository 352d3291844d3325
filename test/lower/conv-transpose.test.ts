// ConvTranspose and 1-D / 3-D Conv computes against the reference kernels: strides, dilations,
// pads, output_padding, output_shape, groups, with the default schedule and unscheduled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attrs } from '../../src/ir/graph.js';
import { transposeWindow, type TransposeAttrs } from '../../src/ops/conv.js';
import { isPhasedTranspose } from '../../src/ops/nn-compute.js';
import { checkOp, type InputSpec } from './check.js';

const w = (shape: number[]): InputSpec => ({ shape, constant: true });
const TOL = { tol: 1e-4 };

describe('ConvTranspose compute', () => {
  it('the phased form: kernels (not) a multiple of the stride, groups, pads (not) multiples of it, 1-D and 3-D, with and without a schedule', () => {
    const cases: [Attrs, InputSpec[]][] = [
      [{ strides: [2, 2] }, [{ shape: [1, 4, 5, 6] }, w([4, 3, 2, 2]), w([3])]],
      [{ strides: [2, 2], pads: [2, 2, 2, 2] }, [{ shape: [2, 3, 4, 5] }, w([3, 5, 4, 4])]],
      [{ strides: [2, 3], group: 2 }, [{ shape: [1, 4, 3, 5] }, w([4, 3, 4, 3]), w([6])]],
      [{ strides: [2, 1], pads: [0, 1, 0, 1], output_padding: [0, 0] }, [{ shape: [1, 2, 3, 9] }, w([2, 8, 2, 3])]],
      [{ strides: [3] }, [{ shape: [2, 3, 7] }, w([3, 2, 6]), w([2])]],
      // pads past the kernel's reach crop x's front
      [{ strides: [2, 2], pads: [2, 4, 2, 0] }, [{ shape: [1, 2, 5, 6] }, w([2, 3, 2, 2])]],
      [{ strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, [{ shape: [1, 3, 4, 5] }, w([3, 4, 3, 3]), w([4])]],
      [{ strides: [3, 2], pads: [2, 0, 0, 1], group: 3 }, [{ shape: [1, 3, 4, 3] }, w([3, 2, 5, 3])]],
      [{ strides: [2], pads: [3, 1], output_padding: [1] }, [{ shape: [2, 2, 6] }, w([2, 3, 5])]],
      [{ strides: [2, 2, 2] }, [{ shape: [1, 2, 2, 3, 2] }, w([2, 2, 2, 2, 4])]],
    ];
    for (const [attrs, inputs] of cases) {
      const x = inputs[0].shape, k = inputs[1].shape.slice(2);
      assert.ok(isPhasedTranspose(transposeWindow(x.slice(2), k, { auto_pad: 'NOTSET', ...attrs } as TransposeAttrs)), JSON.stringify(attrs));
      checkOp('ConvTranspose', attrs, inputs, undefined, TOL);
      checkOp('ConvTranspose', attrs, inputs, [], TOL);
    }
  });
  it('2-D with pads, dilations, output_padding and odd sizes, default schedule and none', () => {
    const attrs = { strides: [2, 3], pads: [1, 0, 2, 1], dilations: [1, 2], output_padding: [1, 2] };
    const inputs = [{ shape: [2, 3, 4, 5] }, w([3, 5, 3, 2])];
    checkOp('ConvTranspose', attrs, inputs, undefined, TOL);
    checkOp('ConvTranspose', attrs, inputs, [], TOL);
  });
  it('groups and output_shape with auto_pad', () => {
    checkOp('ConvTranspose', { group: 2, strides: [2, 2], output_shape: [9, 10], auto_pad: 'SAME_UPPER' },
      [{ shape: [1, 4, 4, 5] }, w([4, 3, 3, 3]), w([6])], undefined, TOL);
    checkOp('ConvTranspose', { group: 3, pads: [2, 2, 2, 2] }, [{ shape: [1, 3, 6, 6] }, w([3, 1, 3, 3])], undefined, TOL);
  });
  it('1-D and 3-D', () => {
    checkOp('ConvTranspose', { strides: [3], pads: [1, 0] }, [{ shape: [2, 3, 7] }, w([3, 2, 4]), w([2])], undefined, TOL);
    checkOp('ConvTranspose', { strides: [2, 1, 2] }, [{ shape: [1, 2, 3, 3, 2] }, w([2, 2, 2, 2, 3])], undefined, TOL);
  });
});

describe('Conv compute beyond 2-D', () => {
  it('1-D with pads, strides, dilations and groups', () => {
    checkOp('Conv', { pads: [2, 1], strides: [2], dilations: [2], group: 2 }, [{ shape: [2, 4, 11] }, w([6, 2, 3]), w([6])], undefined, TOL);
  });
  it('3-D with pads and strides', () => {
    checkOp('Conv', { pads: [1, 0, 1, 1, 1, 0], strides: [1, 2, 1] }, [{ shape: [1, 2, 4, 5, 3] }, w([3, 2, 3, 2, 2])], undefined, TOL);
  });
});
