// Keras pooling, padding, cropping and upsampling layers (1D/2D/3D). Pools and Resize are
// channels-first canonical ops with transposes around; the others work on any layout in place.
import type { Attrs } from '../../ir/graph.js';
import type { LayerCall, LayerConverter, LayersContext } from './context.js';

/** Positions of the spatial axes of a rank-`rank` tensor in the layer's layout. */
function spatialAxes(call: LayerCall, rank: number): number[] {
  const first = call.options.channelsFirst() ? 2 : 1;
  return Array.from({ length: rank - 2 }, (_, i) => first + i);
}

function pool(op: 'MaxPool' | 'AveragePool', r: number): LayerConverter {
  return (ctx, call) => {
    const o = call.options;
    const size = o.ints('pool_size', r, 2);
    const padding = o.string('padding', 'valid').toLowerCase();
    if (padding !== 'valid' && padding !== 'same') throw o.unsupported('padding');
    const attrs: Attrs = {
      kernel_shape: size,
      strides: o.has('strides') ? o.ints('strides', r, 1) : size,
      // TF averages over the window's real pixels only, ONNX's count_include_pad = 0
      ...(padding === 'same' ? { auto_pad: 'SAME_UPPER' } : {}),
      ...(op === 'AveragePool' ? { count_include_pad: 0 } : {}),
    };
    return ctx.channelsFirstBody(call, r, (x) => ctx.node(op, [x], attrs, call.name));
  };
}

function globalPool(op: 'ReduceMean' | 'ReduceMax'): LayerConverter {
  return (ctx, call) => {
    const x = call.inputs[0];
    const keepdims = call.options.bool('keepdims', false);
    const axes = ctx.int64s(spatialAxes(call, x.rank));
    return { value: ctx.node(op, [x.value, axes], { keepdims: keepdims ? 1 : 0 }, call.name), rank: keepdims ? x.rank : 2 };
  };
}

function zeroPadding(r: number): LayerConverter {
  return (ctx, call) => {
    const x = call.inputs[0];
    const amounts = call.options.pairs('padding', r, 1);
    const begins = new Array<number>(x.rank).fill(0), ends = new Array<number>(x.rank).fill(0);
    spatialAxes(call, x.rank).forEach((axis, i) => { [begins[axis], ends[axis]] = amounts[i]; });
    const pads = ctx.int64s([...begins, ...ends]);
    return { value: ctx.node('Pad', [x.value, pads], { mode: 'constant' }, call.name), rank: x.rank };
  };
}

function cropping(r: number): LayerConverter {
  return (ctx, call) => {
    const x = call.inputs[0];
    const amounts = call.options.pairs('cropping', r, 0);
    const starts = amounts.map(([before]) => before);
    // Slice's end is exclusive and negative counts from the end; 0 after means "to the end"
    const ends = amounts.map(([, after]) => (after ? -after : Number.MAX_SAFE_INTEGER));
    const inputs = [x.value, ctx.int64s(starts), ctx.int64s(ends), ctx.int64s(spatialAxes(call, x.rank))];
    return { value: ctx.node('Slice', inputs, {}, call.name), rank: x.rank };
  };
}

/**
 * Bilinear upsampling samples at half-pixel centres in tf.keras (TF 2 image.resize) and Keras 3,
 * but at the top-left corners ('asymmetric') in TF.js and in Keras before tf.keras.
 */
function bilinearCoordinates(ctx: LayersContext): string {
  return ctx.kerasAtLeast(2, 4) ? 'half_pixel' : 'asymmetric';
}

function upSampling(r: number): LayerConverter {
  return (ctx, call) => {
    const o = call.options;
    const size = o.ints('size', r, 2);
    const interpolation = o.string('interpolation', 'nearest');
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw o.unsupported('interpolation');
    const attrs: Attrs = interpolation === 'nearest'
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: bilinearCoordinates(ctx) };
    const scales = ctx.shared('float32', [1, 1, ...size]);
    return ctx.channelsFirstBody(call, r, (x) => ctx.node('Resize', [x, '', scales], attrs, call.name));
  };
}

export const spatialLayers: Readonly<Record<string, LayerConverter>> = {
  MaxPooling1D: pool('MaxPool', 1), MaxPooling2D: pool('MaxPool', 2), MaxPooling3D: pool('MaxPool', 3),
  AveragePooling1D: pool('AveragePool', 1), AveragePooling2D: pool('AveragePool', 2),
  AveragePooling3D: pool('AveragePool', 3),
  GlobalAveragePooling1D: globalPool('ReduceMean'), GlobalAveragePooling2D: globalPool('ReduceMean'),
  GlobalAveragePooling3D: globalPool('ReduceMean'),
  GlobalMaxPooling1D: globalPool('ReduceMax'), GlobalMaxPooling2D: globalPool('ReduceMax'),
  GlobalMaxPooling3D: globalPool('ReduceMax'),
  ZeroPadding1D: zeroPadding(1), ZeroPadding2D: zeroPadding(2), ZeroPadding3D: zeroPadding(3),
  Cropping1D: cropping(1), Cropping2D: cropping(2), Cropping3D: cropping(3),
  UpSampling1D: upSampling(1), UpSampling2D: upSampling(2), UpSampling3D: upSampling(3),
};
