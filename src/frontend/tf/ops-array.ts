// TF array ops -> canonical ops: reshapes, slicing (StridedSlice with all its masks),
// joins and splits, padding, gathers, fills, shapes, space/batch shuffles, top-k and NMS.
import { Tensor } from '../../ir/tensor.js';
import type { NodeContext } from './context.js';
import type { Converter } from './ops-math.js';

/** "To the end" for Slice bounds; Slice clamps it to the axis. */
const END = Number.MAX_SAFE_INTEGER;
const alias: Converter = (c) => [c.input(0)];
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

const bit = (mask: number, i: number) => ((mask >> i) & 1) === 1;

/**
 * StridedSlice: walks TF's sparse spec (ellipsis, new axes, shrunk axes) against the input's
 * dims and emits Slice over the sliced dims, Squeeze for shrunk ones and Unsqueeze for new ones.
 */
const stridedSlice: Converter = (c) => {
  const x = c.input(0);
  const begin = c.constInts(1, 'begin'), end = c.constInts(2, 'end'), strides = c.constInts(3, 'strides');
  const [beginMask, endMask, ellipsisMask, newAxisMask, shrinkMask] =
    ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map((a) => c.attrs.int(a, 0));
  const starts: number[] = [], ends: number[] = [], axes: number[] = [], steps: number[] = [];
  const shrunk: number[] = [], newAxes: number[] = [];
  let dim = 0, outDim = 0;
  for (let i = 0; i < begin.length; i++) {
    if (bit(ellipsisMask, i)) {
      let later = 0;
      for (let j = i + 1; j < begin.length; j++) if (!bit(newAxisMask, j)) later++;
      const span = c.rank(x) - dim - later;
      dim += span;
      outDim += span;
      continue;
    }
    if (bit(newAxisMask, i)) { newAxes.push(outDim++); continue; }
    const step = strides[i];
    if (step === 0) throw c.unsupported('a zero stride');
    if (bit(shrinkMask, i)) {
      starts.push(begin[i]); ends.push(begin[i] === -1 ? END : begin[i] + 1); axes.push(dim); steps.push(1);
      shrunk.push(dim++);
      continue;
    }
    const from = bit(beginMask, i) ? (step > 0 ? 0 : END) : begin[i];
    const to = bit(endMask, i) ? (step > 0 ? END : -END) : end[i];
    if (!(from === 0 && to === END && step === 1)) {
      starts.push(from); ends.push(to); axes.push(dim); steps.push(step);
    }
    dim++;
    outDim++;
  }
  let y = x;
  if (starts.length) {
    y = c.emit1('Slice', [y, c.int64s(starts, 'starts'), c.int64s(ends, 'ends'), c.int64s(axes), c.int64s(steps, 'steps')]);
  }
  if (shrunk.length) y = c.emit1('Squeeze', [y, c.int64s(shrunk)]);
  if (newAxes.length) y = c.emit1('Unsqueeze', [y, c.int64s(newAxes)]);
  return [y];
};

/**
 * Slice(x, begin, size): size -1 means to the end of the axis. Bounds computed at run time (a
 * count of NMS survivors) become index arithmetic in the graph.
 */
const slice: Converter = (c) => {
  const known = (i: number) => c.constant(i) ?? c.state.foldedValue(c.input(i));
  const b = known(1), s = known(2);
  if (b && s) {
    const begin = b.toArray(), size = s.toArray();
    const ends = size.map((n, i) => (n === -1 ? END : begin[i] + n));
    return [c.emit1('Slice', [c.input(0), c.int64s(begin, 'starts'), c.int64s(ends, 'ends'), c.int64s(range(begin.length))])];
  }
  const starts = c.cast(c.input(1), 'int64'), size = c.cast(c.input(2), 'int64');
  const toEnd = c.emit1('Equal', [size, c.constantValue(Tensor.scalar('int64', -1), 'to_end')]);
  const ends = c.emit1('Where', [toEnd, c.constantValue(Tensor.scalar('int64', END), 'end'), c.emit1('Add', [starts, size])]);
  return [c.emit1('Slice', [c.input(0), starts, ends])];
};

const reshape: Converter = (c) => {
  const shape = c.constant(1);
  // TF's 0 is an empty dim, never ONNX's "copy this dim"
  const allowzero = shape && shape.toArray().includes(0) ? 1 : 0;
  return [c.emit1('Reshape', [c.input(0), shape ? c.int64s(shape.toArray(), 'shape') : c.input(1)], allowzero ? { allowzero } : {})];
};

const squeeze: Converter = (c) => {
  const dims = c.attrs.ints('squeeze_dims', c.attrs.ints('axis', []));
  return [c.emit1('Squeeze', dims.length ? [c.input(0), c.int64s(dims)] : [c.input(0)])];
};

function unsqueeze(c: NodeContext, x: string, axis: number): string {
  return c.emit1('Unsqueeze', [x, c.int64s([axis])]);
}

const pack: Converter = (c) => {
  const axis = c.attrs.int('axis', 0);
  const parts = c.inputs().map((v) => unsqueeze(c, v, axis));
  return [parts.length === 1 ? parts[0] : c.emit1('Concat', parts, { axis })];
};

const unpack: Converter = (c) => {
  const axis = c.attrs.int('axis', 0), num = c.attrs.int('num');
  const squeezeAxis = (v: string) => c.emit1('Squeeze', [v, c.int64s([axis])]);
  if (num === 1) return [squeezeAxis(c.input(0))];
  return c.emit('Split', [c.input(0)], { axis, num_outputs: num }, num).map(squeezeAxis);
};

const concat = (axisInput: 'first' | 'last'): Converter => (c) => {
  const n = c.inputCount;
  const [axis] = c.constInts(axisInput === 'first' ? 0 : n - 1, 'axis');
  const values = axisInput === 'first' ? c.inputs(1) : c.inputs(0, n - 1);
  return [values.length === 1 ? values[0] : c.emit1('Concat', values, { axis })];
};

const split: Converter = (c) => {
  const [axis] = c.constInts(0, 'axis');
  const n = c.attrs.int('num_split');
  return n === 1 ? [c.input(1)] : c.emit('Split', [c.input(1)], { axis, num_outputs: n }, n);
};

/** SplitV(x, size_splits, axis): one size may be -1, meaning the rest of the axis. */
const splitV: Converter = (c) => {
  const x = c.input(0);
  const sizes = c.constInts(1, 'size_splits');
  const [axis] = c.constInts(2, 'axis');
  if (sizes.includes(-1)) {
    const shape = c.info(x).shape;
    const full = shape[axis < 0 ? axis + shape.length : axis];
    if (typeof full !== 'number') throw c.unsupported('SplitV with -1 on a dynamic axis');
    sizes[sizes.indexOf(-1)] = full - sizes.reduce((a, b) => (b === -1 ? a : a + b), 0);
  }
  if (sizes.length === 1) return [x];
  return c.emit('Split', [x, c.int64s(sizes, 'split')], { axis }, sizes.length);
};

/** TF paddings [rank, 2] -> canonical pads [begins..., ends...]. */
function padsOf(c: NodeContext): string {
  const p = c.constant(1);
  if (p) {
    const v = p.toArray();
    return c.int64s([...v.filter((_, i) => i % 2 === 0), ...v.filter((_, i) => i % 2 === 1)], 'pads');
  }
  const flat = c.emit1('Reshape', [c.emit1('Transpose', [c.input(1)], { perm: [1, 0] }), c.int64s([-1], 'flat')]);
  return c.cast(flat, 'int64');
}

const pad: Converter = (c) => [c.emit1('Pad', c.inputCount > 2 ? [c.input(0), padsOf(c), c.input(2)] : [c.input(0), padsOf(c)])];

const mirrorPad: Converter = (c) => {
  const mode = c.attrs.str('mode');
  if (mode !== 'REFLECT') throw c.unsupported(`mode ${mode}`);
  return [c.emit1('Pad', [c.input(0), padsOf(c)], { mode: 'reflect' })];
};

/** A value filled with `v` in the shape of input 0 (ZerosLike / OnesLike). */
const filledLike = (v: number): Converter => (c) =>
  [c.emit1('Expand', [c.scalar(c.attrs.type('T', 'float32'), v, 'fill'), c.emit1('Shape', [c.input(0)])])];

/** Canonical shape-like ops produce int64; TF asks for out_type (int32 by default). */
function withOutType(c: NodeContext, v: string): string {
  const want = c.attrs.type('out_type', 'int32');
  return want === 'int64' ? v : c.cast(v, want);
}

const gatherV2: Converter = (c) => {
  if (c.attrs.int('batch_dims', 0) !== 0) throw c.unsupported('batch_dims != 0');
  const [axis] = c.constInts(2, 'axis');
  return [c.emit1('Gather', [c.input(0), c.input(1)], { axis })];
};

/** TF's OneHot gives all-off rows for negative indices, which ONNX counts from the end: move them out of range. */
const oneHot: Converter = (c) => {
  const asVector = (i: number) => c.emit1('Reshape', [c.input(i), c.int64s([1], 'one')]);
  const values = c.emit1('Concat', [asVector(3), asVector(2)], { axis: 0 });
  const indexType = c.attrs.type('TI', 'int64');
  const depth = c.cast(c.input(1), indexType);
  const negative = c.emit1('Less', [c.input(0), c.scalar(indexType, 0, 'zero')]);
  const indices = c.emit1('Where', [negative, depth, c.input(0)]);
  return [c.emit1('OneHot', [indices, c.input(1), values], { axis: c.attrs.int('axis', -1) })];
};

const topK: Converter = (c) => {
  const k = c.emit1('Reshape', [c.cast(c.input(1), 'int64'), c.int64s([1], 'one')]);
  const [values, indices] = c.emit('TopK', [c.input(0), k], { axis: -1, largest: 1, sorted: 1 }, 2);
  return [values, c.cast(indices, 'int32')];
};

/**
 * NonMaxSuppressionV2..V5 on one class: boxes [n, 4] and scores [n] become ONNX's batched
 * [1, n, 4] and [1, 1, n]; the box index column of the [m, 3] result is TF's selection.
 */
const nonMaxSuppression = (version: 2 | 3 | 4 | 5): Converter => (c) => {
  if (version === 4 && c.attrs.bool('pad_to_max_output_size', false)) throw c.unsupported('pad_to_max_output_size=true');
  if (version === 5) {
    const sigma = c.constant(5);
    if (!sigma || sigma.toArray()[0] !== 0) throw c.unsupported('soft-NMS (soft_nms_sigma != 0)');
  }
  const boxes = c.emit1('Unsqueeze', [c.input(0), c.int64s([0])]);
  const scores = c.emit1('Unsqueeze', [c.input(1), c.int64s([0, 1])]);
  const vector = (v: string) => c.emit1('Reshape', [v, c.int64s([1], 'one')]);
  const threshold = version === 2 ? c.constantValue(Tensor.from('float32', [1], [-Infinity]), 'no_threshold') : vector(c.input(4));
  const selected = c.emit1('NonMaxSuppression',
    [boxes, scores, vector(c.cast(c.input(2), 'int64')), vector(c.input(3)), threshold], { center_point_box: 0 });
  const indices = c.cast(c.emit1('Gather', [selected, c.constantValue(Tensor.scalar('int64', 2), 'box_column')], { axis: 1 }), 'int32');
  const count = () => c.cast(c.emit1('Size', [indices]), 'int32');
  if (version === 5) return [indices, c.emit1('Gather', [c.input(1), indices], { axis: 0 }), count()];
  return version === 4 ? [indices, count()] : [indices];
};

/**
 * SparseToDense(indices, output_shape, values, default): a ScatterND of the values into the
 * default broadcast to output_shape. Indices are 0-D (one element of a vector), 1-D (elements of a
 * vector) or 2-D [n, rank]; a scalar value goes to every index. Repeated indices, which TF rejects
 * when validate_indices is set, keep the last value here.
 */
const sparseToDense: Converter = (c) => {
  const indexRank = c.rank(c.input(0));
  if (indexRank > 2) throw c.unsupported(`${indexRank}-D sparse_indices (TF takes 0-D, 1-D or 2-D)`);
  const asInt64 = (v: string) => (c.info(v).dtype === 'int64' ? v : c.cast(v, 'int64'));
  const tuples = indexRank === 2 ? c.input(0)
    : c.emit1('Reshape', [c.input(0), c.int64s([-1, 1], 'tuple_shape')]);
  const indices = asInt64(tuples);
  const dense = c.emit1('Expand', [c.input(3), asInt64(c.input(1))]);
  const count = c.emit1('Shape', [indices], { end: 1 });
  const values = c.rank(c.input(2)) === 0 ? c.emit1('Expand', [c.input(2), count]) : c.input(2);
  return [c.emit1('ScatterND', [dense, indices, values])];
};

/** Dims after the batch axis, which space/batch shuffles need static. */
function staticTail(c: NodeContext, v: string): number[] {
  const tail = c.info(v).shape.slice(1);
  if (tail.some((d) => typeof d !== 'number')) throw c.unsupported('dynamic spatial dims');
  return tail as number[];
}

/**
 * SpaceToBatchND(x, block, paddings): pad the M spatial dims, split each into (size/b, b), move
 * the block offsets in front of the batch and merge them into it (batch index = offset * N + n).
 */
const spaceToBatch: Converter = (c) => {
  const block = c.constInts(1, 'block_shape');
  const m = block.length;
  const p = c.constInts(2, 'paddings');
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const rank = c.rank(c.input(0));
  const before = [0, ...range(m).map((i) => p[2 * i]), ...zeros(rank - 1 - m)];
  const after = [0, ...range(m).map((i) => p[2 * i + 1]), ...zeros(rank - 1 - m)];
  const padded = c.emit1('Pad', [c.input(0), c.int64s([...before, ...after], 'pads')]);
  const tail = staticTail(c, padded);
  const rest = tail.slice(m);
  const split = [-1, ...block.flatMap((b, i) => [tail[i] / b, b]), ...rest];
  const perm = [...range(m).map((i) => 2 + 2 * i), 0, ...range(m).map((i) => 1 + 2 * i), ...range(rest.length, 2 * m + 1)];
  const moved = c.emit1('Transpose', [c.emit1('Reshape', [padded, c.int64s(split, 'split_shape')])], { perm });
  return [c.emit1('Reshape', [moved, c.int64s([-1, ...block.map((b, i) => tail[i] / b), ...rest], 'shape')])];
};

/** BatchToSpaceND(x, block, crops): the inverse shuffle, then the crops sliced off. */
const batchToSpace: Converter = (c) => {
  const block = c.constInts(1, 'block_shape');
  const m = block.length;
  const crops = c.constInts(2, 'crops');
  const x = c.input(0);
  const tail = staticTail(c, x);
  const rest = tail.slice(m);
  const split = [...block, -1, ...tail];
  const perm = [m, ...range(m).flatMap((i) => [m + 1 + i, i]), ...range(rest.length, 2 * m + 1)];
  const moved = c.emit1('Transpose', [c.emit1('Reshape', [x, c.int64s(split, 'split_shape')])], { perm });
  const full = block.map((b, i) => tail[i] * b);
  const merged = c.emit1('Reshape', [moved, c.int64s([-1, ...full, ...rest], 'shape')]);
  const starts = range(m).map((i) => crops[2 * i]), ends = full.map((f, i) => f - crops[2 * i + 1]);
  return [c.emit1('Slice', [merged, c.int64s(starts, 'starts'), c.int64s(ends, 'ends'), c.int64s(range(m, 1))])];
};

export const arrayOps = {
  Identity: alias, StopGradient: alias, Snapshot: alias, PreventGradient: alias, EnsureShape: alias,
  CheckNumerics: alias, PlaceholderWithDefault: alias,
  IdentityN: (c) => c.inputs(),
  Reshape: reshape, Squeeze: squeeze,
  ExpandDims: (c) => [unsqueeze(c, c.input(0), c.constInts(1, 'dim')[0])],
  Transpose: (c) => [c.emit1('Transpose', [c.input(0)], { perm: c.constInts(1, 'perm') })],
  ConcatV2: concat('last'), Concat: concat('first'), Pack: pack, Unpack: unpack,
  Split: split, SplitV: splitV, Slice: slice, StridedSlice: stridedSlice,
  Pad: pad, PadV2: pad, MirrorPad: mirrorPad,
  Tile: (c) => [c.emit1('Tile', [c.input(0), c.cast(c.input(1), 'int64')])],
  BroadcastTo: (c) => [c.emit1('Expand', [c.input(0), c.cast(c.input(1), 'int64')])],
  Fill: (c) => [c.emit1('Expand', [c.input(1), c.cast(c.input(0), 'int64')])],
  ZerosLike: filledLike(0), OnesLike: filledLike(1),
  Shape: (c) => [withOutType(c, c.emit1('Shape', [c.input(0)]))],
  Size: (c) => [withOutType(c, c.emit1('Size', [c.input(0)]))],
  Rank: (c) => [c.scalar('int32', c.rank(c.input(0)), 'rank')],
  Range: (c) => [c.emit1('Range', [c.input(0), c.input(1), c.input(2)])],
  GatherV2: gatherV2,
  Gather: (c) => [c.emit1('Gather', [c.input(0), c.input(1)], { axis: 0 })],
  GatherNd: (c) => [c.emit1('GatherND', [c.input(0), c.input(1)])],
  OneHot: oneHot,
  SpaceToBatchND: spaceToBatch, BatchToSpaceND: batchToSpace,
  Where: (c) => [c.cast(c.emit1('Transpose', [c.emit1('NonZero', [c.input(0)])], { perm: [1, 0] }), c.state.int64As)],
  TopKV2: topK, SparseToDense: sparseToDense,
  NonMaxSuppressionV2: nonMaxSuppression(2), NonMaxSuppressionV3: nonMaxSuppression(3),
  NonMaxSuppressionV4: nonMaxSuppression(4), NonMaxSuppressionV5: nonMaxSuppression(5),
} satisfies Record<string, Converter>;
