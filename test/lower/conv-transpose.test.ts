// ConvTranspose and 1-D / 3-D Conv computes against the reference kernels: strides, dilations,
// pads, output_padding, output_shape, groups, with the default schedule and unscheduled.
import { describe, it } from 'node:test';
import { checkOp, type InputSpec } from './check.js';

const w = (shape: number[]): InputSpec => ({ shape, constant: true });
const TOL = { tol: 1e-4 };

describe('ConvTranspose compute', () => {
  it('2-D, stride 2 kernel 2 (an FPN upsampler), with bias', () => {
    checkOp('ConvTranspose', { strides: [2, 2] }, [{ shape: [1, 4, 5, 6] }, w([4, 3, 2, 2]), w([3])], undefined, TOL);
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
