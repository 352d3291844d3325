// Resize computes (every mode, nearest_mode and coordinate transformation, scales or sizes, roi)
// against the reference kernel, through the loop-IR interpreter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnsupportedError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { lowerNode } from '../../src/lower/op.js';
import { defaultSchedule } from '../../src/schedule/defaults.js';
import { checkOp, type InputSpec } from './check.js';

const IMG: InputSpec = { shape: [1, 2, 5, 7] };
const f32 = (values: number[]): InputSpec => ({ shape: [values.length], values, constant: true });
const sizes = (values: number[]): InputSpec => ({ shape: [values.length], dtype: 'int64', values, constant: true });
const UP = f32([1, 1, 2, 2]), ODD = f32([1, 1, 1.7, 0.6]), DOWN = f32([1, 1, 0.5, 0.45]);
const MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];

describe('Resize compute', () => {
  it('nearest with every nearest_mode and coordinate transformation, up and down', () => {
    for (const mode of MODES) {
      for (const nearest_mode of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
        for (const scales of [UP, ODD, DOWN]) {
          checkOp('Resize', { mode: 'nearest', coordinate_transformation_mode: mode, nearest_mode }, [IMG, undefined, scales]);
        }
      }
    }
  });
  it('linear and cubic with every coordinate transformation', () => {
    for (const mode of MODES) {
      for (const scales of [UP, ODD, DOWN]) {
        checkOp('Resize', { mode: 'linear', coordinate_transformation_mode: mode }, [IMG, undefined, scales]);
        checkOp('Resize', { mode: 'cubic', coordinate_transformation_mode: mode }, [IMG, undefined, scales]);
      }
    }
  });
  it('cubic_coeff_a and exclude_outside', () => {
    checkOp('Resize', { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 }, [IMG, undefined, ODD]);
    checkOp('Resize', { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 }, [IMG, undefined, DOWN]);
  });
  it('sizes, axes and keep_aspect_ratio_policy', () => {
    checkOp('Resize', { mode: 'linear' }, [IMG, undefined, undefined, sizes([1, 2, 8, 3])]);
    checkOp('Resize', { mode: 'nearest', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, [IMG, undefined, undefined, sizes([9, 9])]);
    checkOp('Resize', { mode: 'cubic', axes: [-1] }, [{ shape: [2, 3, 6] }, undefined, undefined, sizes([11])]);
  });
  it('tf_crop_and_resize with a roi and an extrapolation value', () => {
    const roi = f32([0, 0, -0.2, 0.1, 1, 1, 0.8, 1.3]);
    for (const mode of ['nearest', 'linear', 'cubic']) {
      checkOp('Resize', { mode, coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 7 },
        [IMG, roi, undefined, sizes([1, 2, 6, 8])]);
    }
  });
  it('whole-number nearest upsampling is a vectorised repeat copy', () => {
    const scales = f32([1, 1, 3, 2]);
    const steps = defaultSchedule('Resize', 'injective', [{ name: 'x', info: { dtype: 'float32', shape: [1, 3, 4, 9] } }, undefined,
      { name: 's', info: { dtype: 'float32', shape: [4] }, constant: Tensor.from('float32', [4], [1, 1, 3, 2]) }], [[1, 3, 12, 18]], { mode: 'nearest' });
    assert.ok(steps.some((st) => st.s === 'vectorize'));
    checkOp('Resize', { mode: 'nearest' }, [{ shape: [1, 3, 4, 9] }, undefined, scales]);
    checkOp('Resize', { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, [{ shape: [2, 5, 8] }, undefined, f32([1, 2, 4])]);
  });
  it('nearest on integers; scales that are not constants are refused', () => {
    checkOp('Resize', { mode: 'nearest' }, [{ shape: [1, 1, 3, 4], dtype: 'int32', range: [-50, 50] }, undefined, ODD]);
    const value = (name: string, shape: number[]) => ({ name, info: { dtype: 'float32' as const, shape } });
    assert.throws(() => lowerNode('Resize', {}, [value('x', [1, 1, 3, 4]), undefined, value('scales', [4])], [value('y', [1, 1, 6, 8])]),
      UnsupportedError);
  });
});
