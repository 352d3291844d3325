// TF math ops against TF.js: floor division and modulo signs, selects, reductions with
// keep_dims and empty axes, arg-max, top-k, cumsum, one-hot, casts, NMS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { assertMatchesTfjs, attr, importTiny, op, writeTinyModel } from './tf-harness.js';

const next = rng(5);
const INT = { T: attr.type('int32') };

test('FloorDiv / FloorMod on mixed signs (int32 and float32) match TF.js', async () => {
  const a = Tensor.from('int32', [8], [7, -7, 7, -7, 0, 9, -9, 5]);
  const b = Tensor.from('int32', [8], [2, 2, -2, -2, 3, 3, 4, -5]);
  const fa = randomTensor('float32', [8], next, -10, 10), fb = Tensor.from('float32', [8], [2, -2, 3.5, -3.5, 1, -1, 0.75, 4]);
  await assertMatchesTfjs({
    feeds: { a, b, fa, fb },
    nodes: [
      op('idiv', 'FloorDiv', ['a', 'b'], INT), op('imod', 'FloorMod', ['a', 'b'], INT),
      // TF.js returns int32 from a float FloorDiv where TF keeps float32: compare through a cast
      op('fdiv', 'FloorDiv', ['fa', 'fb']), op('fdiv_int', 'Cast', ['fdiv'], { SrcT: attr.type('float32'), DstT: attr.type('int32') }),
      op('fmod', 'FloorMod', ['fa', 'fb']),
    ],
    outputs: ['idiv', 'imod', 'fdiv_int', 'fmod'],
  });
});

test('reductions, ArgMax, Softmax, Cumsum, SelectV2, SquaredDifference, Rsqrt, AddN, Cast match TF.js', async () => {
  const x = randomTensor('float32', [3, 4, 5], next, -2, 2);
  const pos = randomTensor('float32', [3, 4, 5], next, 0.5, 2);
  const cond = Tensor.from('bool', [3, 4, 1], Array.from({ length: 12 }, (_, i) => i % 3 % 2));
  const flags = Tensor.from('bool', [3, 4], Array.from({ length: 12 }, (_, i) => (i % 5 === 0 ? 0 : 1)));
  const axes = (v: number[]) => Tensor.from('int32', [v.length], v);
  const keep = { keep_dims: attr.b(true), Tidx: attr.type('int32') }, drop = { keep_dims: attr.b(false), Tidx: attr.type('int32') };
  await assertMatchesTfjs({
    feeds: { x, pos, cond, flags },
    consts: { a12: axes([1, 2]), aNeg: axes([-1]), none: axes([]), a1: Tensor.scalar('int32', 1), a0: Tensor.scalar('int32', 0) },
    nodes: [
      op('mean', 'Mean', ['x', 'a12'], keep), op('sum', 'Sum', ['x', 'aNeg'], drop), op('max', 'Max', ['x', 'a1'], drop),
      op('prod', 'Prod', ['pos', 'a0'], keep), op('noop', 'Sum', ['x', 'none'], drop), op('min', 'Min', ['x', 'a12'], drop),
      op('all', 'All', ['flags', 'a1'], drop), op('any', 'Any', ['flags', 'a0'], keep),
      op('argmax', 'ArgMax', ['x', 'a1'], { output_type: attr.type('int32'), Tidx: attr.type('int32') }),
      op('argmin', 'ArgMin', ['x', 'aNeg'], { output_type: attr.type('int32'), Tidx: attr.type('int32') }),
      op('softmax', 'Softmax', ['x']), op('logsoftmax', 'LogSoftmax', ['x']),
      op('cumsum', 'Cumsum', ['x', 'a1'], { exclusive: attr.b(true), reverse: attr.b(true), Tidx: attr.type('int32') }),
      op('select', 'SelectV2', ['cond', 'x', 'pos']),
      op('sqdiff', 'SquaredDifference', ['x', 'pos']), op('rsqrt', 'Rsqrt', ['pos']),
      op('addn', 'AddN', ['x', 'pos', 'x'], { N: attr.i(3) }),
      op('cast', 'Cast', ['x'], { SrcT: attr.type('float32'), DstT: attr.type('int32') }),
      op('relu6', 'Relu6', ['x']), op('leaky', 'LeakyRelu', ['x'], { alpha: attr.f(0.1) }), op('elu', 'Elu', ['x']),
      op('selu', 'Selu', ['x']), op('softplus', 'Softplus', ['x']),
    ],
    outputs: ['mean', 'sum', 'max', 'prod', 'noop', 'min', 'all', 'any', 'argmax', 'argmin', 'softmax', 'logsoftmax',
      'cumsum', 'select', 'sqdiff', 'rsqrt', 'addn', 'cast', 'relu6', 'leaky', 'elu', 'selu', 'softplus'],
  });
});

test('TopKV2, OneHot, BatchMatMulV2 (adjoints), _FusedMatMul match TF.js', async () => {
  const x = randomTensor('float32', [4, 6], next, -1, 1);
  const idx = Tensor.from('int32', [5], [0, 3, 1, -1, 2]);
  const w = randomTensor('float32', [5, 6], next, -1, 1), bias = randomTensor('float32', [5], next, -1, 1);
  const bx = randomTensor('float32', [2, 3, 4], next, -1, 1), by = randomTensor('float32', [2, 5, 3], next, -1, 1);
  await assertMatchesTfjs({
    feeds: { x, idx, bx, by },
    consts: { k: Tensor.scalar('int32', 3), depth: Tensor.scalar('int32', 4), on: Tensor.scalar('float32', 2), off: Tensor.scalar('float32', -1), w, bias },
    nodes: [
      op('topk', 'TopKV2', ['x', 'k'], { sorted: attr.b(true) }),
      // TF.js ignores OneHot's axis, so only the default axis has an oracle
      op('onehot', 'OneHot', ['idx', 'depth', 'on', 'off'], { axis: attr.i(-1), TI: attr.type('int32') }),
      op('bmm', 'BatchMatMulV2', ['bx', 'by'], { adj_x: attr.b(true), adj_y: attr.b(true) }),
      op('dense', '_FusedMatMul', ['x', 'w', 'bias'], {
        transpose_a: attr.b(false), transpose_b: attr.b(true), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.i(1), epsilon: attr.f(0),
      }),
    ],
    outputs: ['topk', 'topk:1', 'onehot', 'bmm', 'dense'],
  });
});

test('NonMaxSuppressionV3 / V5 match TF.js', async () => {
  // jittered copies of a few boxes, so suppression has work to do
  const n = 20, coords: number[] = [];
  for (let i = 0; i < n; i++) {
    const [y, x] = [(i % 4) * 0.2 + next() * 0.05, Math.floor(i / 4) * 0.15 + next() * 0.05];
    coords.push(y, x, y + 0.3, x + 0.25);
  }
  await assertMatchesTfjs({
    feeds: { boxes: Tensor.from('float32', [n, 4], coords), scores: randomTensor('float32', [n], next) },
    consts: { max: Tensor.scalar('int32', 6), iou: Tensor.scalar('float32', 0.4), thr: Tensor.scalar('float32', 0.2), sigma: Tensor.scalar('float32', 0) },
    nodes: [
      op('nms3', 'NonMaxSuppressionV3', ['boxes', 'scores', 'max', 'iou', 'thr']),
      op('nms5', 'NonMaxSuppressionV5', ['boxes', 'scores', 'max', 'iou', 'thr', 'sigma'], { pad_to_max_output_size: attr.b(false) }),
    ],
    // TF.js's V5 has no valid_outputs output
    outputs: ['nms3', 'nms5', 'nms5:1'],
  });
});

// TF.js broadcasts Select's condition like SelectV2; TF's Select picks whole rows with a vector
// condition, which is SelectV2 with the condition reshaped to [n, 1, 1] (checked against TF.js above)
test('Select with a vector condition picks rows like SelectV2 with a [n, 1, 1] condition', () => {
  const x = randomTensor('float32', [3, 4, 5], next), y = randomTensor('float32', [3, 4, 5], next);
  const g = importTiny(writeTinyModel({
    feeds: { cond: Tensor.from('bool', [3], [1, 0, 1]), cond3: Tensor.from('bool', [3, 1, 1], [1, 0, 1]), x, y },
    nodes: [op('select', 'Select', ['cond', 'x', 'y']), op('selectv2', 'SelectV2', ['cond3', 'x', 'y'])],
    outputs: ['select', 'selectv2'],
  }));
  const out = execute(g, { cond: Tensor.from('bool', [3], [1, 0, 1]), cond3: Tensor.from('bool', [3, 1, 1], [1, 0, 1]), x, y });
  assert.deepEqual(Array.from(out.get('select')!.numbers), Array.from(out.get('selectv2')!.numbers));
  assert.notDeepEqual(Array.from(out.get('select')!.numbers), Array.from(x.numbers));
});

test('Atan2 in every quadrant, on the axes and at the origin matches TF.js', async () => {
  const y = Tensor.from('float32', [10], [1, 1, -1, -1, 0, 0, 2, -2, 0, 3.5]);
  const x = Tensor.from('float32', [10], [1, -1, 1, -1, 1, -1, 0, 0, 0, -0.25]);
  await assertMatchesTfjs({ feeds: { y, x }, nodes: [op('angle', 'Atan2', ['y', 'x'])], outputs: ['angle'] });
});

test('SparseToDense with 2-D, 1-D, 0-D and empty indices, scalar and vector values matches TF.js', async () => {
  const i32 = (shape: number[], v: number[]) => Tensor.from('int32', shape, v);
  const values = randomTensor('float32', [3], next, -1, 1);
  const s2d = (name: string, idx: string, shape: string, vals: string, dflt: string, T = 'float32') =>
    op(name, 'SparseToDense', [idx, shape, vals, dflt], { T: attr.type(T as 'float32'), Tindices: attr.type('int32'), validate_indices: attr.b(true) });
  await assertMatchesTfjs({
    feeds: { values },
    consts: {
      idx2: i32([3, 2], [0, 1, 2, 3, 1, 0]), shape2: i32([2], [3, 4]), idx1: i32([3], [4, 0, 2]), shape1: i32([1], [6]),
      idx0: Tensor.scalar('int32', 3), empty: i32([0, 1], []), ivalue: Tensor.scalar('int32', 7), izero: Tensor.scalar('int32', -1),
      scalar: Tensor.scalar('float32', 2.5), dflt: Tensor.scalar('float32', 0.5),
    },
    nodes: [
      s2d('matrix', 'idx2', 'shape2', 'values', 'dflt'), s2d('vector', 'idx1', 'shape1', 'values', 'dflt'),
      s2d('one', 'idx0', 'shape1', 'scalar', 'dflt'), s2d('broadcast', 'idx1', 'shape1', 'scalar', 'dflt'),
      s2d('ints', 'idx1', 'shape1', 'ivalue', 'izero', 'int32'),
    ],
    outputs: ['matrix', 'vector', 'one', 'broadcast', 'ints'],
  });
});

test('SparseToDense with no indices (as nanodet exports it) is its default everywhere', () => {
  const g = importTiny(writeTinyModel({
    feeds: { d: Tensor.scalar('float32', 3) },
    consts: { empty: Tensor.from('int32', [0, 1], []), shape: Tensor.from('int32', [1], [4]), vals: Tensor.from('float32', [0], []) },
    nodes: [op('y', 'SparseToDense', ['empty', 'shape', 'vals', 'd'], { Tindices: attr.type('int32') })],
    outputs: ['y'],
  }));
  assert.deepEqual(Array.from(execute(g, { d: Tensor.scalar('float32', 3) }).get('y')!.numbers), [3, 3, 3, 3]);
});

test('float64 arithmetic computes in float32, as TF.js does (faceboxes: int -> double -> Ceil with a float32-stored constant)', async () => {
  const DOUBLE = { T: { type: 'DT_DOUBLE' } };
  await assertMatchesTfjs({
    feeds: { n: Tensor.from('int32', [3], [7, 64, 100]) },
    consts: { recip: Tensor.scalar('float32', 1 / 32) },
    nodes: [
      op('wide', 'Cast', ['n'], { SrcT: attr.type('int32'), DstT: { type: 'DT_DOUBLE' } }),
      op('scaled', 'Mul', ['wide', 'recip'], DOUBLE), op('up', 'Ceil', ['scaled'], DOUBLE),
      op('y', 'Cast', ['up'], { SrcT: { type: 'DT_DOUBLE' }, DstT: attr.type('float32') }),
    ],
    outputs: ['y'],
  });
});
