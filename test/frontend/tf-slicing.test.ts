// TF slicing and reshaping ops against TF.js: StridedSlice with every mask, Slice, splits,
// stacks, gathers. Each case is a tiny graph model run by both engines.
import { test } from 'node:test';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { assertMatchesTfjs, attr, op } from './tf-harness.js';
import type { TfNodeJson } from '../../src/frontend/tf/node.js';

const x = randomTensor('float32', [2, 3, 4, 5], rng(1), -1, 1);
const int32 = (v: readonly number[]) => Tensor.from('int32', [v.length], v);

interface SliceCase {
  readonly begin: number[]; readonly end: number[]; readonly strides: number[];
  readonly masks?: Partial<Record<'begin_mask' | 'end_mask' | 'ellipsis_mask' | 'new_axis_mask' | 'shrink_axis_mask', number>>;
}

/** x[...] in numpy terms, for the reader; the masks say the same to TF. */
const SLICES: Record<string, SliceCase> = {
  'x[0:2, 1:3]': { begin: [0, 1], end: [2, 3], strides: [1, 1] },
  'x[::-1, ::-1, 3::-1]': { begin: [0, 0, 3], end: [0, 0, 0], strides: [-1, -1, -1], masks: { begin_mask: 3, end_mask: 7 } },
  'x[..., 1:3]': { begin: [0, 1], end: [0, 3], strides: [1, 1], masks: { ellipsis_mask: 1 } },
  'x[None, :, 1]': { begin: [0, 0, 1], end: [0, 0, 2], strides: [1, 1, 1], masks: { new_axis_mask: 1, begin_mask: 2, end_mask: 2, shrink_axis_mask: 4 } },
  'x[-1]': { begin: [-1], end: [0], strides: [1], masks: { shrink_axis_mask: 1 } },
  'x[:, :, ::-2]': { begin: [0, 0, -1], end: [0, 0, 0], strides: [1, 1, -2], masks: { begin_mask: 3, end_mask: 7 } },
  'x[0:1, ..., None]': { begin: [0, 0, 0], end: [1, 0, 0], strides: [1, 1, 1], masks: { ellipsis_mask: 2, new_axis_mask: 4 } },
  'x[1:100, -2:, :, 1::2]': { begin: [1, -2, 0, 1], end: [100, 0, 0, 0], strides: [1, 1, 1, 2], masks: { end_mask: 14, begin_mask: 4 } },
  'x[..., -1, None]': { begin: [0, -1, 0], end: [0, 0, 0], strides: [1, 1, 1], masks: { ellipsis_mask: 1, shrink_axis_mask: 2, new_axis_mask: 4 } },
};

test('StridedSlice: begin/end/ellipsis/new-axis/shrink masks match TF.js', async () => {
  const consts: Record<string, Tensor> = {};
  const nodes: TfNodeJson[] = [];
  Object.values(SLICES).forEach((s, k) => {
    const name = `ss${k}`;
    consts[`${name}/begin`] = int32(s.begin);
    consts[`${name}/end`] = int32(s.end);
    consts[`${name}/strides`] = int32(s.strides);
    const masks = Object.fromEntries(Object.entries(s.masks ?? {}).map(([m, v]) => [m, attr.i(v)]));
    nodes.push(op(name, 'StridedSlice', ['x', `${name}/begin`, `${name}/end`, `${name}/strides`], { Index: attr.type('int32'), ...masks }));
  });
  await assertMatchesTfjs({ feeds: { x }, consts, nodes, outputs: nodes.map((n) => n.name) });
});

test('Slice, SplitV, Split, Unpack, Pack, ExpandDims, Squeeze, ConcatV2 match TF.js', async () => {
  await assertMatchesTfjs({
    feeds: { x },
    consts: {
      'b': int32([1, 0, 1, 2]), 's': int32([1, -1, 2, -1]), 'sizes': int32([1, -1, 2]), 'axis2': Tensor.scalar('int32', 2),
      'axis1': Tensor.scalar('int32', 1), 'axisNeg': Tensor.scalar('int32', -1), 'dim': Tensor.scalar('int32', -1),
    },
    nodes: [
      op('slice', 'Slice', ['x', 'b', 's'], { Index: attr.type('int32') }),
      op('splitv', 'SplitV', ['x', 'sizes', 'axis2'], { num_split: attr.i(3), Tlen: attr.type('int32') }),
      op('split', 'Split', ['axis1', 'x'], { num_split: attr.i(3) }),
      op('unpack', 'Unpack', ['x'], { num: attr.i(4), axis: attr.i(2) }),
      op('pack', 'Pack', ['unpack:3', 'unpack:1'], { N: attr.i(2), axis: attr.i(-1) }),
      op('expand', 'ExpandDims', ['slice', 'dim'], { Tdim: attr.type('int32') }),
      op('squeeze', 'Squeeze', ['expand'], { squeeze_dims: attr.ints([0, -1]) }),
      op('concat', 'ConcatV2', ['splitv:2', 'splitv', 'splitv:1', 'axis2'], { N: attr.i(3), Tidx: attr.type('int32') }),
      op('concat_axis', 'ConcatV2', ['split', 'split:2', 'axisNeg'], { N: attr.i(2), Tidx: attr.type('int32') }),
    ],
    outputs: ['slice', 'splitv:1', 'split:2', 'unpack:1', 'pack', 'squeeze', 'concat', 'concat_axis'],
  });
});

test('GatherV2, GatherNd, Tile, Fill, Shape, Reshape, Transpose, Pad, MirrorPad match TF.js', async () => {
  await assertMatchesTfjs({
    feeds: { x },
    consts: {
      'idx': int32([3, 0, 3]), 'axis': Tensor.scalar('int32', 2), 'nd': Tensor.from('int32', [2, 2], [1, 2, 0, 1]),
      'reps': int32([1, 2, 1, 1]), 'dims': int32([2, 3]), 'val': Tensor.scalar('float32', 1.5),
      'newshape': int32([6, -1]), 'perm': int32([3, 0, 2, 1]),
      'pads': Tensor.from('int32', [4, 2], [0, 0, 1, 2, 2, 1, 0, 0]),
    },
    nodes: [
      op('gather', 'GatherV2', ['x', 'idx', 'axis'], { Tparams: attr.type('float32'), Tindices: attr.type('int32'), batch_dims: attr.i(0) }),
      op('gathernd', 'GatherNd', ['x', 'nd'], { Tparams: attr.type('float32'), Tindices: attr.type('int32') }),
      op('tile', 'Tile', ['x', 'reps']),
      op('fill', 'Fill', ['dims', 'val']),
      op('shape', 'Shape', ['x'], { out_type: attr.type('int32') }),
      op('reshape', 'Reshape', ['x', 'newshape']),
      op('transpose', 'Transpose', ['x', 'perm']),
      op('pad', 'Pad', ['x', 'pads']),
      op('mirror', 'MirrorPad', ['x', 'pads'], { mode: attr.s('REFLECT') }),
    ],
    outputs: ['gather', 'gathernd', 'tile', 'fill', 'shape', 'reshape', 'transpose', 'pad', 'mirror'],
  });
});
