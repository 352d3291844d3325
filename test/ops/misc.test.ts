// CenterCropPad, Compress, CumProd and Dropout on both Kiln engines: against onnxruntime-node where
// it has the op, CumProd (opset 26, newer than onnxruntime-node) against onnxruntime's CumSum of
// logarithms and compiled against reference; and the errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { execute } from '../../src/reference/execute.js';
import { rng } from '../../src/io/random.js';
import { buildNodeModel } from '../util/onnx-builder.js';
import { runOrt } from '../util/onnx-ort.js';
import { checkCompiledNode } from './compiled-check.js';
import { inferNode } from './nn-helpers.js';
import { assertSame, matchesOrtOnBoth, runThree } from './three-engines.js';

function random(dtype: DType, shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const next = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(dtype, shape, Array.from({ length: n }, () => lo + next() * (hi - lo)));
}

test('CenterCropPad matches onnxruntime: crop, pad, both at once, odd differences, a subset of axes', async () => {
  const cases: [number[], number[], number[] | undefined][] = [
    [[7, 9], [4, 12], undefined], [[5, 6, 3], [8, 3], [0, 1]], [[2, 9, 10, 4], [5, 13], [-3, 2]], [[6], [11], undefined],
  ];
  for (const [i, [shape, target, axes]] of cases.entries()) {
    const x = random('float32', shape, i + 1);
    const model = buildNodeModel({
      op: 'CenterCropPad', inputs: [{ name: 'x', dtype: 'float32', shape }],
      initializers: { shape: Tensor.from('int64', [target.length], target) },
      outputs: [{ name: 'y', dtype: 'float32' }], attrs: axes ? { axes } : {}, opset: 18,
    });
    await matchesOrtOnBoth(model, { x }, `CenterCropPad [${shape}] to [${target}] axes ${axes}`);
  }
});

test('Compress matches onnxruntime: an axis (negative too) or the flattened input, conditions shorter than the axis', async () => {
  const cases: [number[], number[], number | undefined][] = [
    [[5, 4], [1, 0, 1, 1, 0], 0], [[3, 6, 2], [0, 1, 1, 0, 1], -2], [[4, 3], [1, 0, 0, 1, 1, 0, 1], undefined], [[6], [0, 0, 0], 0],
  ];
  for (const [i, [shape, cond, axis]] of cases.entries()) {
    const x = random('float32', shape, 20 + i);
    const condition = Tensor.from('bool', [cond.length], cond);
    const attrs: Record<string, number> = axis === undefined ? {} : { axis };
    // a constant condition gives a static shape; a fed one, a bounded output the runtime trims
    const constant = buildNodeModel({
      op: 'Compress', inputs: [{ name: 'x', dtype: 'float32', shape }], initializers: { condition },
      outputs: [{ name: 'y', dtype: 'float32' }], attrs,
    });
    await matchesOrtOnBoth(constant, { x }, `Compress [${shape}] constant [${cond}] axis ${axis}`);
    const fed = buildNodeModel({
      op: 'Compress', inputs: [{ name: 'x', dtype: 'float32', shape }, { name: 'condition', dtype: 'bool', shape: [cond.length] }],
      outputs: [{ name: 'y', dtype: 'float32' }], attrs,
    });
    await matchesOrtOnBoth(fed, { x, condition }, `Compress [${shape}] fed [${cond}] axis ${axis}`);
  }
});

test('CumProd of positive values is exp of onnxruntime\'s CumSum of their logarithms, in every direction', async () => {
  const x = random('float32', [3, 5, 4], 40, 0.5, 2);
  const logs = Tensor.from('float32', x.shape, Array.from(x.numbers, Math.log));
  for (const axis of [0, 1, -1]) {
    for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const model = (op: string, t: Tensor) => buildNodeModel({
        op, inputs: [{ name: 'x', dtype: 'float32', shape: t.shape }], initializers: { axis: Tensor.scalar('int64', axis) },
        outputs: [{ name: 'y', dtype: 'float32' }], attrs: { exclusive, reverse }, opset: op === 'CumProd' ? 26 : 14,
      });
      const sums = (await runOrt(model('CumSum', logs), { x: logs })).get('y')!;
      const want = Tensor.from('float32', x.shape, Array.from(sums.numbers, Math.exp));
      const got = execute(importOnnx(model('CumProd', x), 'cumprod.onnx'), { x }).get('y')!;
      assertSame(got, want, `CumProd axis ${axis} exclusive ${exclusive} reverse ${reverse}`, 1e-5 * 16);
    }
  }
});

test('CumProd compiled equals the reference: float and wrapping int32, constant and fed axes', async () => {
  const xs = [random('float32', [4, 6], 50, -1.5, 1.5), Tensor.from('int32', [3, 9], Array.from({ length: 27 }, (_, i) => (i % 7) * 13 - 40))];
  for (const x of xs) {
    for (const axis of [0, -1]) {
      for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        // the axis fed at run time: a product over the longest dim masked to the axis
        await checkCompiledNode('CumProd', { exclusive, reverse }, [x, Tensor.scalar('int32', axis)]);
      }
    }
  }
});

test('Dropout: inference and ratio 0 are the identity as in onnxruntime; training drops the same elements on both engines', async () => {
  const model = (fedFlags: boolean, training: number, ratio: number, x: Tensor, seed?: number) => buildNodeModel({
    op: 'Dropout',
    inputs: [{ name: 'x', dtype: 'float32', shape: x.shape },
      ...(fedFlags ? [{ name: 'ratio', dtype: 'float32' as const, shape: [] }, { name: 'training', dtype: 'bool' as const, shape: [] }] : [])],
    initializers: fedFlags ? {} : { ratio: Tensor.scalar('float32', ratio), training: Tensor.scalar('bool', training) },
    nodeInputs: ['x', 'ratio', 'training'],
    outputs: [{ name: 'y', dtype: 'float32' }, { name: 'mask', dtype: 'bool' }],
    ...(seed === undefined ? {} : { attrs: { seed } }),
  });
  const small = random('float32', [2, 5], 60);
  const feeds = (x: Tensor, training: number, ratio: number) => ({ x, ratio: Tensor.scalar('float32', ratio), training: Tensor.scalar('bool', training) });
  // flags fed at run time: inference, and training that drops nothing, are onnxruntime's identity
  for (const [training, ratio] of [[0, 0.4], [1, 0]]) await matchesOrtOnBoth(model(true, 0, 0, small), feeds(small, training, ratio), `Dropout training ${training} ratio ${ratio}`);

  // training: random by the spec, so no peer to match; both engines drop the same elements, about `ratio` of them
  const x = random('float32', [40, 250], 61, 0.5, 1.5);
  for (const [fed, seed, ratio] of [[true, undefined, 0.3], [false, 7, 0.75]] as const) {
    const r = await runThree(model(fed, 1, ratio, x, seed), fed ? feeds(x, 1, ratio) : { x });
    for (const name of ['y', 'mask']) assertSame(r.compiled.get(name)!, r.reference.get(name)!, `Dropout ratio ${ratio} '${name}' compiled vs reference`, 1e-6);
    const y = r.reference.get('y')!.numbers, mask = r.reference.get('mask')!.numbers;
    const dropped = mask.filter((m) => m === 0).length / mask.length;
    assert.ok(Math.abs(dropped - ratio) < 0.02, `dropped ${dropped} for ratio ${ratio}`);
    mask.forEach((m, i) => assert.ok(m ? Math.abs(y[i] - x.numbers[i] / (1 - ratio)) < 1e-6 : y[i] === 0, `element ${i}`));
  }
  const masks = await Promise.all([1, 2].map(async (seed) => (await runThree(model(false, 1, 0.5, x, seed), { x })).reference.get('mask')!.numbers));
  assert.notDeepEqual(masks[0], masks[1], 'another seed drops other elements');
});

test('inference errors of CenterCropPad, Compress and CumProd name the op and the shapes', () => {
  const f32 = (shape: number[]) => ({ dtype: 'float32' as const, shape });
  const throwsShape = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof ShapeError && pattern.test(e.message));
  throwsShape(() => inferNode('Compress', [f32([3, 4]), { dtype: 'bool', shape: [2, 2] }], { axis: 0 }), /Compress: condition must be a 1-D bool tensor/);
  throwsShape(() => inferNode('Compress', [f32([3, 4]), { dtype: 'bool', shape: [3] }], { axis: 2 }), /Compress: axis 2 is out of range/);
  throwsShape(() => inferNode('CumProd', [f32([3, 4]), { dtype: 'int64', shape: [2] }]), /CumProd: axis \[2\] must be one value/);
  throwsShape(() => inferNode('CenterCropPad', [f32([3, 4]), { dtype: 'float32', shape: [2] }]), /CenterCropPad: shape is float32/);
});
