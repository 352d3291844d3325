// TF spatial ops -> channels-first canonical ops: convolutions (plain, depthwise, fused,
// transposed), pools, batch norm, LRN, resizes and depth/space shuffles. Weights are
// transposed at import: HWIO -> OIHW, depthwise HWCM -> (C*M, 1, H, W) with group C.
import type { Attrs } from '../../ir/graph.js';
import { foldConstant, type NodeContext } from './context.js';
import { channelsFirst, layoutOf, paddingAttrs, samePadTotal, spatialOf, type SpatialLayout } from './layout.js';
import { activation, type Converter } from './ops-math.js';

interface ConvWeight {
  readonly value: string;
  /** Spatial kernel size (H, W[, D]). */
  readonly kernel: readonly number[];
  readonly group: number;
}

/** Conv2D/Conv3D filter [spatial..., I, O] -> [O, I, spatial...]. */
function convWeight(c: NodeContext): ConvWeight {
  const f = c.constant(1);
  if (!f) throw c.unsupported('a computed (non-constant) filter');
  const r = f.rank;
  const perm = [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)];
  return { value: c.derived(1, 'Transpose', { perm }, 'oihw'), kernel: f.shape.slice(0, r - 2), group: 1 };
}

/** Depthwise filter [H, W, C, M] -> [C*M, 1, H, W]: output channel c*M+m reads input channel c, as in TF. */
function depthwiseWeight(c: NodeContext): ConvWeight {
  const f = c.constant(1);
  if (!f || f.rank !== 4) throw c.unsupported('a computed or non-4-D depthwise filter');
  const [h, w, ch, m] = f.shape;
  const t = foldConstant('Transpose', [f], { perm: [2, 3, 0, 1] }).reshape([ch * m, 1, h, w]);
  return { value: c.constantValue(t, 'depthwise_oihw'), kernel: [h, w], group: ch };
}

/** The canonical Conv of the node's input 0 in channels-first layout, with an optional bias. */
function conv(c: NodeContext, w: ConvWeight, l: SpatialLayout, xFirst: string, xOrig: string, bias?: string): string {
  const n = w.kernel.length;
  const strides = spatialOf(c.attrs.ints('strides', new Array(n + 2).fill(1)), l);
  const dilations = spatialOf(c.attrs.ints('dilations', new Array(n + 2).fill(1)), l);
  const attrs: Attrs = {
    ...paddingAttrs(c, xOrig, l, w.kernel, strides, dilations),
    strides, dilations, group: w.group, kernel_shape: w.kernel,
  };
  return c.emit1('Conv', bias ? [xFirst, w.value, bias] : [xFirst, w.value], attrs);
}

const plainConv = (weight: (c: NodeContext) => ConvWeight): Converter => (c) => {
  const l = layoutOf(c);
  const w = weight(c);
  const x = c.input(0);
  return [channelsFirst(c, x, l, (xf) => conv(c, w, l, xf, x))];
};

/**
 * _FusedConv2D / FusedDepthwiseConv2dNative: the conv, then `fused_ops` in order, each consuming
 * its extra inputs. A leading BiasAdd becomes the Conv bias and a leading FusedBatchNorm a
 * channels-first BatchNormalization; the rest (residual Add, activations) runs in the node's layout.
 */
const fusedConv = (weight: (c: NodeContext) => ConvWeight): Converter => (c) => {
  const l = layoutOf(c);
  const w = weight(c);
  const x = c.input(0);
  const ops = c.attrs.strs('fused_ops');
  let arg = 2;
  const head = ops[0];
  let y = channelsFirst(c, x, l, (xf) => {
    if (head === 'BiasAdd') return conv(c, w, l, xf, x, c.input(arg++));
    const y0 = conv(c, w, l, xf, x);
    if (head !== 'FusedBatchNorm') return y0;
    const [scale, offset, mean, variance] = c.inputs(arg, arg + 4);
    arg += 4;
    return c.emit1('BatchNormalization', [y0, scale, offset, mean, variance], { epsilon: c.attrs.float('epsilon', 1e-4) });
  });
  const tail = head === 'BiasAdd' || head === 'FusedBatchNorm' ? ops.slice(1) : ops;
  const dtype = c.attrs.type('T', 'float32');
  for (const op of tail) {
    if (op === 'Add' || op === 'BiasAdd') { y = c.emit1('Add', [y, c.input(arg++)]); continue; }
    y = activation(c, op, y, dtype, () => c.attrs.float('leakyrelu_alpha', 0.2), () => c.input(arg++));
  }
  return [y];
};

/**
 * Conv2DBackpropInput(input_sizes, filter, out_backprop) is a ConvTranspose whose output size is
 * given: pads are those of the forward conv, and output_padding covers rows no window reached.
 * The sizes are often computed (Shape -> StridedSlice -> Mul -> Pack); only their spatial part
 * matters, so a symbolic batch is fine as long as the spatial dims are static at import.
 */
const convBackpropInput: Converter = (c) => {
  const l = layoutOf(c);
  const known = spatialOf(c.knownInts(0) ?? [], l);
  if (known.length !== l.rank - 2 || known.some((d) => d === undefined)) {
    throw c.unsupported('input_sizes whose spatial sizes are not known at import (they follow from symbolic input dims; re-export with static spatial input dims)');
  }
  const sizes = known as number[];
  const f = c.constant(1);
  if (!f) throw c.unsupported('a computed (non-constant) filter');
  const r = f.rank;
  const kernel = f.shape.slice(0, r - 2);
  // filter [spatial..., out_channels, in_channels]: ConvTranspose wants [in, out, spatial...]
  const weight = c.derived(1, 'Transpose', { perm: [r - 1, r - 2, ...kernel.map((_, i) => i)] }, 'iohw');
  const n = kernel.length;
  const strides = spatialOf(c.attrs.ints('strides'), l);
  const dilations = spatialOf(c.attrs.ints('dilations', new Array(n + 2).fill(1)), l);
  const padding = c.attrs.str('padding');
  if (padding !== 'SAME' && padding !== 'VALID') throw c.unsupported(`padding ${padding}`);
  const begins: number[] = [], ends: number[] = [], outputPadding: number[] = [];
  sizes.forEach((size, i) => {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    const same = padding === 'SAME';
    const inputs = same ? Math.ceil(size / strides[i]) : Math.ceil((size - span + 1) / strides[i]);
    const total = same ? samePadTotal(size, kernel[i], strides[i], dilations[i]) : 0;
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
    outputPadding.push(size - ((inputs - 1) * strides[i] + span - total));
  });
  const attrs: Attrs = {
    strides, dilations, pads: [...begins, ...ends], output_padding: outputPadding, kernel_shape: kernel,
  };
  return [channelsFirst(c, c.input(2), l, (x) => c.emit1('ConvTranspose', [x, weight], attrs))];
};

const pool = (op: 'MaxPool' | 'AveragePool'): Converter => (c) => {
  const l = layoutOf(c);
  const x = c.input(0);
  const kernel = spatialOf(c.inputCount > 1 ? c.constInts(1, 'ksize') : c.attrs.ints('ksize'), l);
  const strides = spatialOf(c.inputCount > 2 ? c.constInts(2, 'strides') : c.attrs.ints('strides'), l);
  const attrs: Attrs = {
    ...paddingAttrs(c, x, l, kernel, strides, kernel.map(() => 1)),
    kernel_shape: kernel, strides,
    // TF averages over the window's in-bounds elements only
    ...(op === 'AveragePool' ? { count_include_pad: 0 } : {}),
  };
  return [channelsFirst(c, x, l, (xf) => c.emit1(op, [xf], attrs))];
};

const batchNorm: Converter = (c) => {
  if (c.attrs.bool('is_training', false)) throw c.unsupported('is_training=true (batch statistics)');
  const l = layoutOf(c);
  const [scale, offset, mean, variance] = c.inputs(1, 5);
  return [channelsFirst(c, c.input(0), l, (x) => c.emit1('BatchNormalization', [x, scale, offset, mean, variance],
    { epsilon: c.attrs.float('epsilon', 1e-4) }))];
};

/** BiasAdd: bias on the channel axis, which is last in NHWC and axis 1 in NCHW. */
const biasAdd: Converter = (c) => {
  const x = c.input(0);
  if (c.attrs.str('data_format', 'NHWC').endsWith('C')) return [c.emit1('Add', [x, c.input(1)])];
  const rank = c.rank(x);
  const b = c.emit1('Unsqueeze', [c.input(1), c.int64s(Array.from({ length: rank - 2 }, (_, i) => i + 1))]);
  return [c.emit1('Add', [x, b])];
};

/** TF's LRN sums squares over 2r+1 channels scaled by alpha; ONNX divides alpha by the window size. */
const lrn: Converter = (c) => {
  const radius = c.attrs.int('depth_radius', 5);
  const size = 2 * radius + 1;
  const attrs = {
    size, alpha: c.attrs.float('alpha', 1) * size, beta: c.attrs.float('beta', 0.5), bias: c.attrs.float('bias', 1),
  };
  return [channelsFirst(c, c.input(0), { channelsLast: true, rank: 4 }, (x) => c.emit1('LRN', [x], attrs))];
};

/**
 * ResizeBilinear / ResizeNearestNeighbor(images, size). TF's sampling maps onto Resize modes:
 * align_corners -> align_corners; half_pixel_centers -> half_pixel (nearest: round half up, which
 * is TF's floor((x + 0.5) * scale)); neither -> asymmetric with floor.
 */
const resize = (mode: 'linear' | 'nearest'): Converter => (c) => {
  const align = c.attrs.bool('align_corners', false);
  const half = c.attrs.bool('half_pixel_centers', false);
  const attrs: Attrs = {
    mode,
    coordinate_transformation_mode: align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric',
    ...(mode === 'nearest' ? { nearest_mode: align || half ? 'round_prefer_ceil' : 'floor' } : {}),
  };
  const layout = { channelsLast: true, rank: 4 };
  return [channelsFirst(c, c.input(0), layout, (x) => {
    const batchAndChannels = c.emit1('Slice', [c.emit1('Shape', [x]), c.int64s([0], 'start'), c.int64s([2], 'end')]);
    const hw = c.constant(1) ? c.int64s(c.constInts(1, 'size'), 'size') : c.cast(c.input(1), 'int64');
    const sizes = c.emit1('Concat', [batchAndChannels, hw], { axis: 0 });
    return c.emit1('Resize', [x, '', '', sizes], attrs);
  })];
};

const depthSpace = (op: 'DepthToSpace' | 'SpaceToDepth'): Converter => (c) => {
  const attrs: Attrs = { blocksize: c.attrs.int('block_size'), ...(op === 'DepthToSpace' ? { mode: 'DCR' } : {}) };
  return [channelsFirst(c, c.input(0), layoutOf(c), (x) => c.emit1(op, [x], attrs))];
};

export const nnOps = {
  Conv2D: plainConv(convWeight), Conv3D: plainConv(convWeight),
  DepthwiseConv2dNative: plainConv(depthwiseWeight),
  _FusedConv2D: fusedConv(convWeight), FusedDepthwiseConv2dNative: fusedConv(depthwiseWeight),
  Conv2DBackpropInput: convBackpropInput,
  MaxPool: pool('MaxPool'), MaxPoolV2: pool('MaxPool'), AvgPool: pool('AveragePool'),
  MaxPool3D: pool('MaxPool'), AvgPool3D: pool('AveragePool'),
  FusedBatchNorm: batchNorm, FusedBatchNormV2: batchNorm, FusedBatchNormV3: batchNorm,
  BiasAdd: biasAdd, LRN: lrn,
  ResizeBilinear: resize('linear'), ResizeNearestNeighbor: resize('nearest'),
  DepthToSpace: depthSpace('DepthToSpace'), SpaceToDepth: depthSpace('SpaceToDepth'),
} satisfies Record<string, Converter>;
