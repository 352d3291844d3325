// Keras convolution layers as canonical channels-first Conv / ConvTranspose: kernels are
// transposed at import from Keras's (spatial..., in, out) order, activations moved around them.
import type { Attrs } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { layerActivation } from './activations.js';
import { permuteTensor, type KerasTensor, type LayerCall, type LayerConverter, type LayersContext } from './context.js';

/** Keras kernel (spatial..., a, b) -> (b, a, spatial...): HWIO -> OIHW, and HW-out-in -> in-out-HW. */
function kernelPerm(r: number): number[] {
  return [r + 1, r, ...Array.from({ length: r }, (_, i) => i)];
}

interface Window {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
}

function readWindow(call: LayerCall, r: number, kernel: Tensor): Window {
  const o = call.options;
  return {
    kernel: kernel.shape.slice(0, r),
    strides: o.ints('strides', r, 1),
    dilations: o.ints('dilation_rate', r, 1),
  };
}

/** Padding attributes of a forward convolution; TF's 'same' puts the odd pixel last, as SAME_UPPER does. */
function convPadding(call: LayerCall, w: Window): Attrs {
  const padding = call.options.string('padding', 'valid').toLowerCase();
  if (padding === 'valid') return {};
  if (padding === 'same') return { auto_pad: 'SAME_UPPER' };
  if (padding === 'causal' && w.kernel.length === 1) return { pads: [(w.kernel[0] - 1) * w.dilations[0], 0] };
  throw call.options.unsupported('padding');
}

function bias(ctx: LayersContext, call: LayerCall): string[] {
  return call.options.bool('use_bias', true) ? [ctx.layerConstant(call, 'bias', () => ctx.weight(call, 'bias'))] : [];
}

/** The layer's canonical ops on its channels-first input, then its activation. */
function convBody(ctx: LayersContext, call: LayerCall, r: number, body: (x: string) => string): KerasTensor {
  return layerActivation(ctx, call, ctx.channelsFirstBody(call, r, body));
}

function conv(r: number): LayerConverter {
  return (ctx, call) => convBody(ctx, call, r, (x) => {
    const kernel = ctx.weight(call, 'kernel');
    const w = readWindow(call, r, kernel);
    const weight = ctx.layerConstant(call, 'kernel', () => permuteTensor(kernel, kernelPerm(r)));
    return ctx.node('Conv', [x, weight, ...bias(ctx, call)], {
      kernel_shape: w.kernel, strides: w.strides, dilations: w.dilations,
      group: call.options.number('groups', 1), ...convPadding(call, w),
    }, call.name);
  });
}

/** Depthwise kernel (spatial..., C, M) -> (C*M, 1, spatial...) for a Conv with group = C. */
function depthwise(ctx: LayersContext, call: LayerCall, r: number, x: string, biasInputs: string[]): string {
  const kernel = ctx.weight(call, 'depthwise_kernel');
  const w = readWindow(call, r, kernel);
  const [channels, multiplier] = kernel.shape.slice(r);
  const weight = ctx.layerConstant(call, 'depthwise_kernel', () =>
    permuteTensor(kernel, [r, r + 1, ...w.kernel.map((_, i) => i)]).reshape([channels * multiplier, 1, ...w.kernel]));
  return ctx.node('Conv', [x, weight, ...biasInputs], {
    kernel_shape: w.kernel, strides: w.strides, dilations: w.dilations, group: channels, ...convPadding(call, w),
  }, call.name);
}

function depthwiseConv(r: number): LayerConverter {
  return (ctx, call) => convBody(ctx, call, r, (x) => depthwise(ctx, call, r, x, bias(ctx, call)));
}

/** Depthwise then a 1x1 pointwise convolution that carries the bias. */
function separableConv(r: number): LayerConverter {
  return (ctx, call) => convBody(ctx, call, r, (x) => {
    const dw = depthwise(ctx, call, r, x, []);
    const kernel = ctx.weight(call, 'pointwise_kernel');
    const weight = ctx.layerConstant(call, 'pointwise_kernel', () => permuteTensor(kernel, kernelPerm(r)));
    const ones = new Array<number>(r).fill(1);
    return ctx.node('Conv', [dw, weight, ...bias(ctx, call)],
      { kernel_shape: ones, strides: ones, dilations: ones, group: 1 }, `${call.name}/pointwise`);
  });
}

/**
 * Keras's transposed-conv output length minus the full (uncropped) length, per axis; it does
 * not depend on the input size. Negative means crop (TF crops the smaller half first), positive
 * means extra zeros at the end (ONNX output_padding).
 */
function transposeExcess(call: LayerCall, w: Window): number[] {
  const padding = call.options.string('padding', 'valid').toLowerCase();
  if (padding !== 'valid' && padding !== 'same') throw call.options.unsupported('padding');
  const outputPadding = call.options.intList('output_padding');
  return w.kernel.map((k, i) => {
    const span = (k - 1) * w.dilations[i] + 1, s = w.strides[i];
    if (outputPadding) return outputPadding[i] - 2 * (padding === 'same' ? Math.floor(span / 2) : 0);
    return padding === 'same' ? s - span : Math.max(s - span, 0);
  });
}

function convTranspose(r: number): LayerConverter {
  return (ctx, call) => convBody(ctx, call, r, (x) => {
    const kernel = ctx.weight(call, 'kernel');
    const w = readWindow(call, r, kernel);
    const excess = transposeExcess(call, w);
    const crop = excess.map((e) => Math.max(-e, 0));
    const weight = ctx.layerConstant(call, 'kernel', () => permuteTensor(kernel, kernelPerm(r)));
    return ctx.node('ConvTranspose', [x, weight, ...bias(ctx, call)], {
      kernel_shape: w.kernel, strides: w.strides, dilations: w.dilations, group: 1,
      pads: [...crop.map((c) => Math.floor(c / 2)), ...crop.map((c) => c - Math.floor(c / 2))],
      output_padding: excess.map((e) => Math.max(e, 0)),
    }, call.name);
  });
}

export const convLayers: Readonly<Record<string, LayerConverter>> = {
  Conv1D: conv(1), Conv2D: conv(2), Conv3D: conv(3),
  DepthwiseConv1D: depthwiseConv(1), DepthwiseConv2D: depthwiseConv(2),
  SeparableConv1D: separableConv(1), SeparableConv2D: separableConv(2),
  Conv1DTranspose: convTranspose(1), Conv2DTranspose: convTranspose(2), Conv3DTranspose: convTranspose(3),
};
