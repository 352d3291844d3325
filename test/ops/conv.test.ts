// Conv and ConvTranspose: shape inference with symbolic dims and its errors, and properties
// that tie the kernels to each other (depthwise = per-channel convs, 1x1 conv = MatMul,
// ConvTranspose = the adjoint of Conv).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { checkCompiledNode } from './compiled-check.js';
import { inferNode, matchesOrt, rand, runNode } from './nn-helpers.js';

const f32 = (shape: (number | string)[]) => ({ dtype: 'float32' as const, shape });

test('Conv inference: symbolic batch passes through, static spatial dims are exact', () => {
  const [y] = inferNode('Conv', [f32(['N', 3, 224, 224]), f32([32, 3, 3, 3])], { strides: [2, 2], pads: [0, 0, 1, 1] });
  assert.deepEqual(y.shape, ['N', 32, 112, 112]);
  const [same] = inferNode('Conv', [f32(['N', 8, 'H', 'W']), f32([8, 1, 3, 3])], { auto_pad: 'SAME_UPPER', group: 8 });
  assert.deepEqual(same.shape, ['N', 8, 'H', 'W']);
  const [strided] = inferNode('Conv', [f32(['N', 8, 'H', 17]), f32([4, 8, 3, 3])], { auto_pad: 'SAME_LOWER', strides: [2, 2] });
  assert.equal(strided.shape[0], 'N');
  assert.equal(typeof strided.shape[2], 'string');
  assert.notEqual(strided.shape[2], 'H');
  assert.equal(strided.shape[3], 9);
  const [d1] = inferNode('Conv', [f32([2, 4, 'T']), f32([6, 2, 5])], { group: 2, dilations: [2], pads: [4, 4] });
  assert.deepEqual(d1.shape, [2, 6, 'T']);
  const [d3] = inferNode('Conv', [f32([1, 2, 5, 6, 7]), f32([3, 2, 2, 3, 3])], { strides: [1, 2, 3] });
  assert.deepEqual(d3.shape, [1, 3, 4, 2, 2]);
});

test('Conv inference rejects contradictions with a ShapeError naming the op', () => {
  const bad = (x: (number | string)[], w: (number | string)[], attrs = {}, b?: number[]) =>
    assert.throws(() => inferNode('Conv', [f32(x), f32(w), b && f32(b)], attrs), (e: unknown) =>
      e instanceof ShapeError && /Conv/.test(e.message));
  bad([1, 3, 8, 8], [4, 2, 3, 3]); // channel mismatch
  bad([1, 6, 8, 8], [4, 2, 3, 3], { group: 3 }); // 3 groups do not divide 4 output channels
  bad([1, 4, 8, 8], [4, 4, 3, 3], { group: 2 }); // C != W[1]*group
  bad([1, 3, 8, 8], [4, 3, 3, 3], {}, [5]); // bias length
  bad([1, 3, 2, 2], [4, 3, 3, 3]); // kernel larger than the input
  bad([1, 3, 8, 8], [4, 3, 3, 3], { kernel_shape: [5, 5] });
  bad([1, 3, 8], [4, 3, 3, 3]); // rank mismatch
});

test('ConvTranspose inference: output_padding, output_shape and SAME', () => {
  const w = f32([4, 2, 3, 3]);
  assert.deepEqual(inferNode('ConvTranspose', [f32(['N', 4, 5, 6]), w], { strides: [2, 2], output_padding: [1, 0] })[0].shape,
    ['N', 2, 12, 13]);
  assert.deepEqual(inferNode('ConvTranspose', [f32(['N', 4, 5, 6]), w], { strides: [2, 2], output_shape: [10, 12] })[0].shape,
    ['N', 2, 10, 12]);
  assert.deepEqual(inferNode('ConvTranspose', [f32(['N', 4, 5, 6]), w], { strides: [3, 2], auto_pad: 'SAME_UPPER' })[0].shape,
    ['N', 2, 15, 12]);
  assert.deepEqual(inferNode('ConvTranspose', [f32([1, 4, 5, 6]), w], { group: 2 })[0].shape, [1, 4, 7, 8]);
  assert.deepEqual(inferNode('ConvTranspose', [f32(['N', 4, 'H', 6]), w], { auto_pad: 'SAME_LOWER' })[0].shape, ['N', 2, 'H', 6]);
  const [up] = inferNode('ConvTranspose', [f32(['N', 4, 'H', 6]), w], { strides: [2, 2] });
  assert.ok(typeof up.shape[2] === 'string' && up.shape[2] !== 'H');
  assert.equal(up.shape[3], 13);
  assert.throws(() => inferNode('ConvTranspose', [f32([1, 3, 5, 6]), w]), ShapeError);
});

test('depthwise conv with a channel multiplier equals one conv per input channel', () => {
  const x = rand([2, 3, 9, 8], 1), w = rand([6, 1, 3, 2], 2), b = rand([6], 3);
  const attrs = { strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] };
  const [y] = runNode('Conv', [x, w, b], { ...attrs, group: 3 });
  const plane = 9 * 8;
  for (let c = 0; c < 3; c++) {
    // channel c of every batch entry, and its two filters
    const xc = Tensor.from('float32', [2, 1, 9, 8], [...x.numbers.subarray(c * plane, (c + 1) * plane),
      ...x.numbers.subarray((3 + c) * plane, (4 + c) * plane)]);
    const wc = Tensor.from('float32', [2, 1, 3, 2], w.numbers.subarray(c * 12, (c + 1) * 12));
    const bc = Tensor.from('float32', [2], b.numbers.subarray(2 * c, 2 * c + 2));
    const [yc] = runNode('Conv', [xc, wc, bc], attrs);
    const outPlane = yc.shape[2] * yc.shape[3];
    for (let n = 0; n < 2; n++) {
      const got = y.numbers.subarray((n * 6 + 2 * c) * outPlane, (n * 6 + 2 * c + 2) * outPlane);
      assert.deepEqual(Array.from(got), Array.from(yc.numbers.subarray(n * 2 * outPlane, (n + 1) * 2 * outPlane)));
    }
  }
});

test('1x1 conv equals MatMul of the weights with the flattened image', () => {
  const x = rand([1, 7, 5, 6], 4), w = rand([5, 7, 1, 1], 5);
  const [y] = runNode('Conv', [x, w]);
  const [m] = runNode('MatMul', [w.reshape([5, 7]), x.reshape([7, 30])]);
  assert.deepEqual(Array.from(y.numbers), Array.from(m.numbers));
});

test('ConvTranspose is the adjoint of Conv: <conv(x), y> = <x, convT(y)>', () => {
  for (const attrs of [
    { strides: [2, 3], pads: [1, 0, 1, 2], dilations: [1, 2], group: 1 },
    { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 2 },
    { strides: [3, 2], pads: [2, 1, 0, 1], dilations: [2, 1], group: 2 },
  ]) {
    const x = rand([2, 4, 11, 10], 6), w = rand([6, 4 / attrs.group, 3, 3], 7);
    const [cx] = runNode('Conv', [x, w], attrs);
    const y = rand(cx.shape, 8);
    // ConvTranspose weights are [C_in_of_transpose = 6, 4/group, k...]: the same tensor read the other way round
    const wt = Tensor.from('float32', [6, 4 / attrs.group, 3, 3], w.numbers);
    // output_padding makes the transpose's output exactly the size of x
    const outPad = [0, 1].map((i) => {
      const span = 2 * attrs.dilations[i] + 1;
      return x.shape[2 + i] - ((cx.shape[2 + i] - 1) * attrs.strides[i] + span - attrs.pads[i] - attrs.pads[i + 2]);
    });
    const [ty] = runNode('ConvTranspose', [y, wt], { ...attrs, output_padding: outPad });
    assert.deepEqual(ty.shape, x.shape);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < cx.size; i++) lhs += cx.numbers[i] * y.numbers[i];
    for (let i = 0; i < x.size; i++) rhs += x.numbers[i] * ty.numbers[i];
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.abs(lhs) + 1e-4, `${JSON.stringify(attrs)}: ${lhs} vs ${rhs}`);
  }
});

test('Conv reports its multiply-accumulates', async () => {
  const { OPS } = await import('../../src/ops/index.js');
  const macs = OPS.Conv.macs!({
    attrs: { auto_pad: 'NOTSET', group: 2 } as never,
    inputs: [f32([1, 4, 8, 8]), f32([6, 2, 3, 3])],
    outputs: [f32([1, 6, 6, 6])],
  });
  assert.equal(macs, 6 * 36 * 2 * 9);
});

test('Conv matches onnxruntime on attribute combinations the conformance set lacks', async () => {
  const cases: [number[], number[], Record<string, number | string | number[]>, boolean][] = [
    [[1, 3, 9, 8], [4, 3, 3, 3], { pads: [1, 0, 2, 3], strides: [2, 1] }, true], // asymmetric pads
    [[2, 3, 9, 8], [4, 3, 4, 2], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, true], // even kernel, stride 2
    [[2, 3, 9, 8], [4, 3, 4, 2], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, false],
    [[1, 6, 10, 11], [9, 2, 3, 3], { group: 3, dilations: [2, 2], pads: [2, 1, 2, 1] }, true], // 3 groups
    [[1, 5, 7, 7], [6, 5, 1, 1], { strides: [2, 2] }, true], // strided 1x1
    [[2, 4, 17], [6, 4, 3], { dilations: [3], pads: [2, 1], strides: [2] }, true], // 1D
    [[1, 4, 5, 6, 7], [6, 2, 2, 3, 2], { group: 2, strides: [1, 2, 2], pads: [1, 0, 1, 0, 1, 1] }, true], // 3D grouped
    [[1, 4, 11, 9], [8, 1, 3, 3], { group: 4, strides: [2, 2], auto_pad: 'SAME_UPPER' }, true], // depthwise x2
    [[1, 3, 13, 10], [5, 3, 3, 2], { auto_pad: 'VALID', strides: [3, 2] }, false],
    [[1, 64, 96, 96], [8, 64, 3, 3], { pads: [1, 1, 1, 1] }, true], // im2col in several bands
  ];
  let seed = 100;
  for (const [xs, ws, attrs, withBias] of cases) {
    const inputs = [rand(xs, seed++), rand(ws, seed++), withBias ? rand([ws[0]], seed++) : undefined];
    await matchesOrt('Conv', inputs, attrs, ['float32'], { rtol: 1e-4, atol: 1e-4 });
  }
});

test('ConvTranspose matches onnxruntime with output_padding, dilations, groups, SAME and output_shape', async () => {
  const cases: [number[], number[], Record<string, number | string | number[]>, boolean][] = [
    [[1, 3, 4, 5], [3, 2, 3, 3], { strides: [2, 3], dilations: [2, 1], output_padding: [1, 2], pads: [1, 0, 0, 1] }, true],
    [[2, 6, 7], [6, 2, 4], { group: 3, strides: [2], pads: [1, 2] }, true],
    [[1, 2, 5, 4], [2, 3, 3, 4], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, false],
    [[1, 2, 5, 4], [2, 3, 3, 4], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, true],
    [[1, 2, 5, 4], [2, 3, 3, 3], { strides: [2, 2], output_shape: [10, 8] }, true],
    [[1, 4, 3, 4, 2], [4, 1, 2, 3, 2], { group: 2, strides: [2, 1, 2], pads: [0, 1, 0, 1, 0, 1] }, true],
  ];
  let seed = 200;
  for (const [xs, ws, attrs, withBias] of cases) {
    const m = ws[1] * (Number(attrs.group ?? 1));
    const inputs = [rand(xs, seed++), rand(ws, seed++), withBias ? rand([m], seed++) : undefined];
    await matchesOrt('ConvTranspose', inputs, attrs, ['float32'], { rtol: 1e-4, atol: 1e-4 });
  }
});

test('Conv with weights fed at run time compiles (no compile-time packing) and gives the reference outputs', async () => {
  const next = rng(5);
  await checkCompiledNode('Conv', { pads: [1, 1, 1, 1] }, [randomTensor('float32', [1, 3, 8, 8], next), randomTensor('float32', [8, 3, 3, 3], next)], 1e-5);
  await checkCompiledNode('Conv', { strides: [2, 2], group: 2 }, [randomTensor('float32', [1, 4, 9, 9], next), randomTensor('float32', [6, 2, 3, 3], next)], 1e-5);
});
