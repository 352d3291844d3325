// Resize: inference from constant scales/sizes, and every mode, coordinate transformation,
// nearest rounding, antialias and aspect-ratio policy against onnxruntime-node on
// non-integer scales the conformance cases lack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/ir/tensor.js';
import { allSymbolic, f32, i64, inferShape } from './data-graph.js';
import { ortCheck, rand, randInt } from './data-ort.js';
import { compile } from '../../src/compile/compile.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { load } from '../../src/runtime/index.js';
import { checkSession, nodeGraph } from './compiled-check.js';

const scales = (...v: number[]) => Tensor.from('float32', [v.length], v);
const TOL = { rtol: 1e-4, atol: 1e-5 };

/** Resize with omitted roi and either scales or sizes. */
const resizeInputs = (x: Tensor, s: Tensor | undefined, sizes?: Tensor) => [x, undefined, s, sizes];

test('Resize inference from scales, sizes, axes and aspect-ratio policy', () => {
  assert.deepEqual(inferShape('Resize', [f32('N', 3, 10, 7), undefined, scales(1, 1, 0.5, 1.7)]), ['N', 3, 5, 11]);
  assert.deepEqual(inferShape('Resize', [f32('N', 3, 'H', 'W'), undefined, undefined, i64([20, 30])], { axes: [2, 3] }),
    ['N', 3, 20, 30]);
  assert.deepEqual(inferShape('Resize', [f32(1, 3, 10, 20), undefined, undefined, i64([5, 5])],
    { axes: [-2, -1], keep_aspect_ratio_policy: 'not_larger' }), [1, 3, 3, 5]);
  assert.deepEqual(inferShape('Resize', [f32(1, 3, 10, 20), undefined, undefined, i64([5, 5])],
    { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }), [1, 3, 5, 10]);
  const unknown = inferShape('Resize', [f32(1, 3, 8, 8), undefined, { dtype: 'float32', shape: [4] }]);
  assert.ok(allSymbolic(unknown));
});

test('linear and cubic agree with onnxruntime for every coordinate mode on non-integer scales', async () => {
  const x = rand([1, 2, 5, 7], 1);
  const modes = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
  for (const mode of ['linear', 'cubic']) {
    for (const coordinate_transformation_mode of modes) {
      // scales whose products with the input dims are integers, where every engine agrees on the output length
      await ortCheck('Resize', resizeInputs(x, scales(1, 1, 1.6, 0.5714286)), { mode, coordinate_transformation_mode }, { tolerance: TOL });
      await ortCheck('Resize', resizeInputs(x, undefined, i64([1, 2, 3, 12])), { mode, coordinate_transformation_mode }, { tolerance: TOL });
    }
    await ortCheck('Resize', resizeInputs(x, scales(1, 1, 2.3, 0.45)), { mode }, { tolerance: TOL });
  }
  await ortCheck('Resize', resizeInputs(x, scales(1, 1, 1.7, 2.2)), { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 }, { tolerance: TOL });
  await ortCheck('Resize', resizeInputs(x, scales(1, 1, 0.6, 0.5)), { mode: 'cubic', exclude_outside: 1 }, { tolerance: TOL });
});

test('antialiased downsampling and tf_crop_and_resize agree with onnxruntime', async () => {
  const x = rand([1, 1, 11, 13], 2);
  for (const mode of ['linear', 'cubic']) {
    await ortCheck('Resize', resizeInputs(x, undefined, i64([1, 1, 4, 5])), { mode, antialias: 1 }, { tolerance: TOL });
    await ortCheck('Resize', resizeInputs(x, scales(1, 1, 0.3, 0.77)), { mode, antialias: 1 }, { tolerance: TOL });
    const roi = Tensor.from('float32', [8], [0, 0, 0.1, -0.2, 1, 1, 0.85, 1.3]);
    await ortCheck('Resize', [x, roi, undefined, i64([1, 1, 6, 9])],
      { mode, coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 7.5 }, { tolerance: TOL });
  }
});

test('nearest agrees with onnxruntime for every rounding and coordinate mode, any dtype', async () => {
  const x = rand([1, 2, 5, 6], 3);
  for (const nearest_mode of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
    for (const coordinate_transformation_mode of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric']) {
      await ortCheck('Resize', resizeInputs(x, undefined, i64([1, 2, 8, 4])), { mode: 'nearest', nearest_mode, coordinate_transformation_mode });
      await ortCheck('Resize', resizeInputs(x, scales(1, 1, 3, 0.5)), { mode: 'nearest', nearest_mode, coordinate_transformation_mode });
    }
  }
  await ortCheck('Resize', resizeInputs(randInt('uint8', [1, 3, 4, 4], 4, 0, 255), scales(1, 1, 1.5, 2.25)), { mode: 'nearest' });
  await ortCheck('Resize', resizeInputs(randInt('int32', [2, 3, 5], 5), undefined, i64([7, 2])), { mode: 'nearest', axes: [2, 0] });
});

test('keep_aspect_ratio_policy and axes agree with onnxruntime', async () => {
  const x = rand([1, 2, 6, 9], 6);
  for (const keep_aspect_ratio_policy of ['not_larger', 'not_smaller']) {
    for (const mode of ['nearest', 'linear']) {
      await ortCheck('Resize', resizeInputs(x, undefined, i64([4, 4])), { mode, axes: [2, 3], keep_aspect_ratio_policy }, { tolerance: TOL });
    }
  }
  await ortCheck('Resize', resizeInputs(x, scales(2.5, 0.7)), { mode: 'linear', axes: [-1, -2] }, { tolerance: TOL });
  await ortCheck('Resize', resizeInputs(rand([2, 3, 4, 5, 6], 7), scales(1, 1, 1.5, 0.6, 2)), { mode: 'linear' }, { tolerance: TOL });
});

test('antialiased linear and cubic downsampling compiles to the reference filter (stretched taps, normalised weights)', async () => {
  const x = randomTensor('float32', [1, 2, 9, 11], rng(21), -1, 1);
  for (const mode of ['linear', 'cubic']) {
    for (const s of [[0.6, 0.8], [0.3, 0.55], [1, 0.5], [0.75, 1.3]]) {
      for (const exclude_outside of [0, 1]) {
        const factors = scales(1, 1, ...s), roi = Tensor.from('float32', [0], []);
        const g = nodeGraph('Resize', { mode, antialias: 1, exclude_outside }, [x, roi, factors], new Map([[1, roi], [2, factors]]));
        const session = await load((await compile(g)).bytes);
        await checkSession(g, session, [x], 1e-5);
      }
    }
  }
});
