// Parameters fed at run time that do not decide the output shape compile to kernels that read
// them: one artifact serves every CumSum axis, every Pad value and every Resize crop.
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { load } from '../../src/runtime/index.js';
import { checkSession, nodeGraph } from './compiled-check.js';

test('CumSum with its axis fed at run time: one artifact, every axis (negative too), exclusive and reverse', async () => {
  const x = randomTensor('int32', [3, 4, 5], rng(3), -50, 50);
  for (const exclusive of [0, 1]) {
    for (const reverse of [0, 1]) {
      for (const axisType of ['int32', 'int64'] as const) {
        const g = nodeGraph('CumSum', { exclusive, reverse }, [x, Tensor.from(axisType, [], [0])]);
        for (const target of ['wasm-simd', 'wasm'] as const) {
          const session = await load((await compile(g, { target })).bytes);
          for (const axis of [-3, -2, -1, 0, 1, 2]) await checkSession(g, session, [x, Tensor.from(axisType, [], [axis])]);
        }
      }
    }
  }
});

test('Pad with its constant value fed at run time', async () => {
  const x = randomTensor('float32', [2, 3], rng(4), -1, 1);
  const pads = Tensor.from('int64', [4], [1, 0, 2, 3]);
  // the pads decide the shape: a constant, as in a real model
  const g = nodeGraph('Pad', { mode: 'constant' }, [x, pads, Tensor.from('float32', [], [0])], new Map([[1, pads]]));
  for (const target of ['wasm-simd', 'wasm'] as const) {
    const session = await load((await compile(g, { target })).bytes);
    for (const value of [0, -2.5, 7, NaN]) await checkSession(g, session, [x, Tensor.from('float32', [], [value])]);
  }
});

test('Resize tf_crop_and_resize with its roi fed at run time: one artifact, many crops, nearest/linear/cubic, extrapolation', async () => {
  const x = randomTensor('float32', [1, 2, 5, 6], rng(5), -1, 1);
  const scales = Tensor.from('float32', [4], [1, 1, 1.6, 0.75]);
  const rois = [[0, 0, 0.2, 0.1, 1, 1, 0.8, 0.9], [0, 0, -0.3, 0.4, 1, 1, 1.2, 0.6], [0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0.5, 0.5, 1, 1, 0.5, 0.5]];
  for (const mode of ['nearest', 'linear', 'cubic']) {
    const g = nodeGraph('Resize', { mode, coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: -7 },
      [x, Tensor.from('float32', [8], rois[0]), scales], new Map([[2, scales]]));
    for (const target of ['wasm-simd', 'wasm'] as const) {
      const session = await load((await compile(g, { target })).bytes);
      for (const roi of rois) await checkSession(g, session, [x, Tensor.from('float32', [8], roi)], 1e-5);
    }
  }
});
