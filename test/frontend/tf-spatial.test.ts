// TF spatial ops against TF.js: SAME/VALID/EXPLICIT padding with stride 2 on odd sizes,
// dilations, depthwise and transposed convs, fused epilogues, pools, resizes, depth/space.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { agreement } from '../util/agreement.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { withInputShapes } from '../../src/frontend/load.js';
import { loadTfjsGraphModel, runTfjs } from '../models/tfjs-peer.js';
import { assertMatchesTfjs, attr, importTiny, op, writeTinyModel } from './tf-harness.js';

const next = rng(3);
/** Odd spatial sizes, so SAME with stride 2 pads unevenly. */
const x = randomTensor('float32', [1, 7, 9, 3], next, -1, 1);
const filter = randomTensor('float32', [3, 3, 3, 4], next, -1, 1);
const depthwise = randomTensor('float32', [3, 3, 3, 2], next, -1, 1);
const bias = randomTensor('float32', [4], next, -1, 1);
const alpha = randomTensor('float32', [4], next, 0, 0.5);
const NHWC = { data_format: attr.s('NHWC') };

const conv = (name: string, padding: string, strides: number[], dilations = [1, 1, 1, 1], extra = {}) =>
  op(name, 'Conv2D', ['x', 'filter'], { ...NHWC, padding: attr.s(padding), strides: attr.ints(strides), dilations: attr.ints(dilations), ...extra });

test('Conv2D: SAME/VALID/EXPLICIT padding, stride 2 on odd sizes, dilations match TF.js', async () => {
  await assertMatchesTfjs({
    feeds: { x }, consts: { filter },
    nodes: [
      conv('same_s2', 'SAME', [1, 2, 2, 1]),
      conv('same_s1_d2', 'SAME', [1, 1, 1, 1], [1, 2, 2, 1]),
      conv('valid_s2', 'VALID', [1, 2, 2, 1]),
      conv('same_s3x2', 'SAME', [1, 3, 2, 1]),
      conv('explicit', 'EXPLICIT', [1, 2, 1, 1], [1, 1, 1, 1], { explicit_paddings: attr.ints([0, 0, 1, 2, 0, 1, 0, 0]) }),
    ],
    outputs: ['same_s2', 'same_s1_d2', 'valid_s2', 'same_s3x2', 'explicit'],
  });
});

test('DepthwiseConv2dNative, fused convs (BiasAdd + Relu6/LeakyRelu/Prelu) match TF.js', async () => {
  const fused = (name: string, ops: string[], args: string[], extra = {}) => op(name, '_FusedConv2D', ['x', 'filter', ...args], {
    ...NHWC, padding: attr.s('SAME'), strides: attr.ints([1, 2, 2, 1]), dilations: attr.ints([1, 1, 1, 1]),
    fused_ops: attr.strs(ops), num_args: attr.i(args.length), epsilon: attr.f(0), ...extra,
  });
  await assertMatchesTfjs({
    feeds: { x }, consts: { filter, depthwise, bias, alpha },
    nodes: [
      op('dw', 'DepthwiseConv2dNative', ['x', 'depthwise'], { ...NHWC, padding: attr.s('SAME'), strides: attr.ints([1, 2, 2, 1]), dilations: attr.ints([1, 1, 1, 1]) }),
      op('dw_valid_d2', 'DepthwiseConv2dNative', ['x', 'depthwise'], { ...NHWC, padding: attr.s('VALID'), strides: attr.ints([1, 1, 1, 1]), dilations: attr.ints([1, 2, 2, 1]) }),
      fused('relu6', ['BiasAdd', 'Relu6'], ['bias']),
      fused('leaky', ['BiasAdd', 'LeakyRelu'], ['bias'], { leakyrelu_alpha: attr.f(0.3) }),
      fused('prelu', ['BiasAdd', 'Prelu'], ['bias', 'alpha']),
    ],
    outputs: ['dw', 'dw_valid_d2', 'relu6', 'leaky', 'prelu'],
  });
});

test('Conv2DBackpropInput back to odd sizes (SAME and VALID, stride 2) matches TF.js', async () => {
  const sizes = Tensor.from('int32', [4], [1, 7, 9, 3]);
  const backprop = (name: string, padding: string, dy: string) => op(name, 'Conv2DBackpropInput', ['sizes', 'filter', dy], {
    ...NHWC, padding: attr.s(padding), strides: attr.ints([1, 2, 2, 1]), dilations: attr.ints([1, 1, 1, 1]),
  });
  await assertMatchesTfjs({
    feeds: { dy_same: randomTensor('float32', [1, 4, 5, 4], next, -1, 1), dy_valid: randomTensor('float32', [1, 3, 4, 4], next, -1, 1) },
    consts: { sizes, filter },
    nodes: [backprop('same', 'SAME', 'dy_same'), backprop('valid', 'VALID', 'dy_valid')],
    outputs: ['same', 'valid'],
  });
});

test('MaxPool/AvgPool SAME and VALID with stride 2 on odd sizes match TF.js', async () => {
  const pool = (name: string, kind: string, padding: string, k: number) => op(name, kind, ['x'], {
    ...NHWC, padding: attr.s(padding), ksize: attr.ints([1, k, k, 1]), strides: attr.ints([1, 2, 2, 1]),
  });
  await assertMatchesTfjs({
    feeds: { x },
    nodes: [pool('max_same', 'MaxPool', 'SAME', 3), pool('avg_same', 'AvgPool', 'SAME', 3), pool('avg_valid', 'AvgPool', 'VALID', 2),
      pool('max_valid', 'MaxPool', 'VALID', 3)],
    outputs: ['max_same', 'avg_same', 'avg_valid', 'max_valid'],
  });
});

test('ResizeBilinear / ResizeNearestNeighbor in all three coordinate modes match TF.js', async () => {
  const modes = { plain: [false, false], align: [true, false], half: [false, true] } as const;
  // 5x7 -> 8x3 mixes up- and down-sampling; 4x6 -> 3x3 puts nearest sources exactly on .5 ties
  const images = { up: [[1, 5, 7, 2], [8, 3]], ties: [[1, 4, 6, 2], [3, 3]] } as const;
  for (const [label, [shape, size]] of Object.entries(images)) {
    const nodes = Object.entries(modes).flatMap(([m, [align, half]]) => ['ResizeBilinear', 'ResizeNearestNeighbor'].map((kind) =>
      op(`${kind}_${m}`, kind, ['img', 'size'], { align_corners: attr.b(align), half_pixel_centers: attr.b(half) })));
    await assertMatchesTfjs({
      feeds: { img: randomTensor('float32', shape, next, -1, 1) }, consts: { size: Tensor.from('int32', [2], size) },
      nodes, outputs: nodes.map((n) => n.name),
    }, label);
  }
});

test('BiasAdd, FusedBatchNormV3, LRN, DepthToSpace match TF.js', async () => {
  const c4 = () => randomTensor('float32', [4], next, 0.5, 1.5);
  await assertMatchesTfjs({
    feeds: { y: randomTensor('float32', [1, 4, 6, 4], next, -1, 1) },
    consts: { bias, scale: c4(), offset: c4(), mean: c4(), variance: c4() },
    nodes: [
      op('biasadd', 'BiasAdd', ['y', 'bias'], NHWC),
      op('bn', 'FusedBatchNormV3', ['y', 'scale', 'offset', 'mean', 'variance'], { ...NHWC, epsilon: attr.f(0.001), is_training: attr.b(false), U: attr.type('float32') }),
      op('lrn', 'LRN', ['y'], { depth_radius: attr.i(1), bias: attr.f(1.5), alpha: attr.f(0.3), beta: attr.f(0.75) }),
      op('d2s', 'DepthToSpace', ['y'], { ...NHWC, block_size: attr.i(2) }),
    ],
    outputs: ['biasadd', 'bn', 'lrn', 'd2s'],
  });
});

// TF.js has no SpaceToDepth; DepthToSpace is checked against TF.js above, so its inverse is the oracle
test('SpaceToDepth undoes DepthToSpace', () => {
  const y = randomTensor('float32', [1, 4, 6, 8], next, -1, 1);
  const g = importTiny(writeTinyModel({
    feeds: { y },
    nodes: [op('d2s', 'DepthToSpace', ['y'], { ...NHWC, block_size: attr.i(2) }), op('s2d', 'SpaceToDepth', ['d2s'], { ...NHWC, block_size: attr.i(2) })],
    outputs: ['s2d'],
  }));
  const out = execute(g, { y }).get('s2d')!;
  assert.deepEqual(out.shape, y.shape);
  assert.deepEqual(Array.from(out.numbers), Array.from(y.numbers));
});

test('SpaceToBatchND -> Conv2D -> BatchToSpaceND (a dilated conv as TF writes it) matches TF.js', async () => {
  const block = Tensor.from('int32', [2], [2, 2]);
  await assertMatchesTfjs({
    feeds: { x },
    consts: { filter, block, pads: Tensor.from('int32', [2, 2], [2, 3, 2, 1]), crops: Tensor.from('int32', [2, 2], [0, 1, 0, 1]) },
    nodes: [
      op('s2b', 'SpaceToBatchND', ['x', 'block', 'pads'], { Tblock_shape: attr.type('int32'), Tpaddings: attr.type('int32') }),
      { ...conv('conv', 'VALID', [1, 1, 1, 1]), input: ['s2b', 'filter'] },
      op('b2s', 'BatchToSpaceND', ['conv', 'block', 'crops'], { Tblock_shape: attr.type('int32'), Tcrops: attr.type('int32') }),
    ],
    outputs: ['s2b', 'b2s'],
  });
});

// TF.js runs neither FusedBatchNorm inside _FusedConv2D nor NCHW convs on its CPU backend; their
// oracles are compositions of forms checked against TF.js above (Conv2D, FusedBatchNormV3, Transpose)
test('_FusedConv2D with FusedBatchNorm and an NCHW Conv2D equal their unfused NHWC compositions', () => {
  const c4 = () => randomTensor('float32', [4], next, 0.5, 1.5);
  const bn = { scale: c4(), offset: c4(), mean: c4(), variance: c4() };
  const perm = (v: number[]) => Tensor.from('int32', [4], v);
  const convAttrs = { padding: attr.s('SAME'), strides: attr.ints([1, 2, 2, 1]), dilations: attr.ints([1, 1, 1, 1]) };
  const g = importTiny(writeTinyModel({
    feeds: { x }, consts: { filter, ...bn, toNCHW: perm([0, 3, 1, 2]), toNHWC: perm([0, 2, 3, 1]) },
    nodes: [
      op('fused', '_FusedConv2D', ['x', 'filter', 'scale', 'offset', 'mean', 'variance'], {
        ...NHWC, ...convAttrs, fused_ops: attr.strs(['FusedBatchNorm', 'Relu']), num_args: attr.i(4), epsilon: attr.f(0.01),
      }),
      conv('conv', 'SAME', [1, 2, 2, 1]),
      op('bn', 'FusedBatchNormV3', ['conv', 'scale', 'offset', 'mean', 'variance'], { ...NHWC, epsilon: attr.f(0.01), is_training: attr.b(false) }),
      op('unfused', 'Relu', ['bn']),
      op('x_nchw', 'Transpose', ['x', 'toNCHW']),
      op('conv_nchw', 'Conv2D', ['x_nchw', 'filter'], { data_format: attr.s('NCHW'), padding: attr.s('SAME'), strides: attr.ints([1, 1, 2, 2]), dilations: attr.ints([1, 1, 1, 1]) }),
      op('nchw', 'Transpose', ['conv_nchw', 'toNHWC']),
    ],
    outputs: ['fused', 'unfused', 'nchw', 'conv'],
  }));
  const out = execute(g, { x });
  const close = (a: string, b: string) => {
    const r = agreement(out.get(a)!.numbers, out.get(b)!.numbers);
    assert.ok(r.maxMagnitude > 0 && r.maxAbsError <= 1e-5 * r.maxMagnitude, `${a} vs ${b}: ${r.maxAbsError}`);
  };
  close('fused', 'unfused');
  close('nchw', 'conv');
});

/** efficientpose's upsampling: input_sizes = Pack(batch, 2h, 2w, C) computed from Shape(dy). */
function computedSizesModel(dy: Tensor) {
  const i32 = (v: number[]) => Tensor.from('int32', [v.length], v);
  const dim = (k: number) => op(`dim${k}`, 'StridedSlice', ['dy_shape', `b${k}`, `e${k}`, 'one'],
    { T: attr.type('int32'), Index: attr.type('int32'), shrink_axis_mask: attr.i(1) });
  return {
    feeds: { dy }, consts: { filter, b0: i32([0]), e0: i32([1]), b1: i32([1]), e1: i32([2]), b2: i32([2]), e2: i32([3]), one: i32([1]),
      two: Tensor.scalar('int32', 2), channels: Tensor.scalar('int32', 3) },
    nodes: [
      op('dy_shape', 'Shape', ['dy'], { out_type: attr.type('int32') }), dim(0), dim(1), dim(2),
      op('h', 'Mul', ['dim1', 'two'], { T: attr.type('int32') }), op('w', 'Mul', ['dim2', 'two'], { T: attr.type('int32') }),
      op('sizes', 'Pack', ['dim0', 'h', 'w', 'channels'], { T: attr.type('int32'), axis: attr.i(0), N: attr.i(4) }),
      op('up', 'Conv2DBackpropInput', ['sizes', 'filter', 'dy'], {
        ...NHWC, padding: attr.s('SAME'), strides: attr.ints([1, 2, 2, 1]), dilations: attr.ints([1, 1, 1, 1]) }),
    ],
    outputs: ['up'],
  };
}

test('Conv2DBackpropInput with input_sizes computed from Shape/StridedSlice/Pack matches TF.js', async () => {
  await assertMatchesTfjs(computedSizesModel(randomTensor('float32', [2, 4, 5, 4], next, -1, 1)));
});

test('Conv2DBackpropInput with computed input_sizes imports with a symbolic batch and runs after --shape', async () => {
  const dy = randomTensor('float32', [2, 4, 5, 4], next, -1, 1);
  const m = computedSizesModel(dy);
  const file = writeTinyModel(m);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.modelTopology.node[0].attr.shape.shape.dim[0].size = '-1';
  writeFileSync(file, JSON.stringify(json));
  const g = importTiny(file);
  assert.equal(typeof g.values.get('dy')!.shape[0], 'string');
  const ours = execute(withInputShapes(g, { dy: [2, 4, 5, 4] }), { dy }).get('up')!;
  const theirs = (await runTfjs(await loadTfjsGraphModel(file), { dy }, ['up'])).get('up')!;
  assert.deepEqual(ours.shape, [2, 8, 10, 3]);
  const r = agreement(ours.numbers, theirs.numbers);
  assert.ok(r.maxAbsError <= 1e-5 * Math.max(1, r.maxMagnitude), `max error ${r.maxAbsError}`);
});
