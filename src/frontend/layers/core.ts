// Keras core layers: Dense, the activation layers, normalisation and rescaling.
import { FormatError } from '../../errors.js';
import { normAxis } from '../../ir/shape.js';
import { Tensor } from '../../ir/tensor.js';
import { applyActivation, layerActivation } from './activations.js';
import { invertPerm, type KerasTensor, type LayerCall, type LayerConverter } from './context.js';

function same(x: KerasTensor, value: string): KerasTensor {
  return { value, rank: x.rank };
}

/** Dense on any rank: MatMul contracts the last axis and broadcasts the leading ones. */
const dense: LayerConverter = (ctx, call) => {
  const x = call.inputs[0];
  const kernel = ctx.layerConstant(call, 'kernel', () => ctx.weight(call, 'kernel'));
  let y = ctx.node('MatMul', [x.value, kernel], {}, call.name);
  if (call.options.bool('use_bias', true)) {
    y = ctx.node('Add', [y, ctx.layerConstant(call, 'bias', () => ctx.weight(call, 'bias'))], {}, `${call.name}/bias`);
  }
  return layerActivation(ctx, call, same(x, y));
};

const activation: LayerConverter = (ctx, call) =>
  applyActivation(ctx, call, call.inputs[0], call.options.identifier('activation', 'linear'), call.name);

/**
 * Keras ReLU(max_value, negative_slope, threshold): x above the threshold (a strict
 * comparison), clipped to max_value, minus negative_slope * relu(threshold - x).
 */
const relu: LayerConverter = (ctx, call) => {
  const o = call.options, x = call.inputs[0], name = call.name;
  const maxValue = o.optionalNumber('max_value');
  const slope = o.number('negative_slope', 0);
  const threshold = o.number('threshold', 0);
  if (slope !== 0 && threshold === 0 && maxValue === undefined) {
    return same(x, ctx.node('LeakyRelu', [x.value], { alpha: slope }, name));
  }
  let y: string;
  if (threshold !== 0) {
    y = ctx.node('ThresholdedRelu', [x.value], { alpha: threshold }, name);
    if (maxValue !== undefined) y = ctx.node('Clip', [y, ctx.scalar(0), ctx.scalar(maxValue)], {}, `${name}/max`);
  } else {
    y = maxValue === undefined ? ctx.node('Relu', [x.value], {}, name)
      : ctx.node('Clip', [x.value, ctx.scalar(0), ctx.scalar(maxValue)], {}, name);
  }
  if (slope !== 0) {
    const below = ctx.node('Relu', [ctx.node('Sub', [ctx.scalar(threshold), x.value], {}, `${name}/below`)], {}, `${name}/below_relu`);
    const scaled = ctx.node('Mul', [below, ctx.scalar(slope)], {}, `${name}/slope`);
    y = ctx.node('Sub', [y, scaled], {}, `${name}/negative`);
  }
  return same(x, y);
};

const leakyRelu: LayerConverter = (ctx, call) => same(call.inputs[0],
  ctx.node('LeakyRelu', [call.inputs[0].value], { alpha: call.options.numberOf(['negative_slope', 'alpha'], 0.3) }, call.name));

/** alpha is stored with the input's shape minus batch, 1 on shared axes: it broadcasts as is. */
const prelu: LayerConverter = (ctx, call) => same(call.inputs[0],
  ctx.node('PRelu', [call.inputs[0].value, ctx.layerConstant(call, 'alpha', () => ctx.weight(call, 'alpha'))], {}, call.name));

const elu: LayerConverter = (ctx, call) => same(call.inputs[0],
  ctx.node('Elu', [call.inputs[0].value], { alpha: call.options.number('alpha', 1) }, call.name));

const thresholdedRelu: LayerConverter = (ctx, call) => same(call.inputs[0],
  ctx.node('ThresholdedRelu', [call.inputs[0].value], { alpha: call.options.number('theta', 1) }, call.name));

/** A layer's `axis` option: an int or a list of ints (Keras 3), resolved against `rank`. */
function axesOf(call: LayerCall, rank: number, dflt: number): number[] {
  const axes = call.options.intList('axis') ?? [dflt];
  return axes.map((a) => normAxis(a, rank)).sort((a, b) => a - b);
}

function singleAxis(call: LayerCall, rank: number, dflt: number): number {
  const axes = axesOf(call, rank, dflt);
  if (axes.length !== 1) throw call.options.unsupported('axis', 'only one axis');
  return axes[0];
}

const softmax: LayerConverter = (ctx, call) => {
  const x = call.inputs[0];
  return same(x, ctx.node('Softmax', [x.value], { axis: singleAxis(call, x.rank, -1) }, call.name));
};

function filled(like: Tensor, value: number): Tensor {
  return Tensor.from('float32', like.shape, new Array<number>(like.size).fill(value));
}

/** Inference-mode batch norm; the canonical op normalises axis 1, so other axes move there. */
const batchNorm: LayerConverter = (ctx, call) => {
  const o = call.options, x = call.inputs[0];
  const axis = singleAxis(call, x.rank, -1);
  const mean = ctx.weight(call, 'moving_mean');
  const param = (key: string, enabled: boolean, fill: number) =>
    ctx.layerConstant(call, key, () => (enabled ? ctx.weight(call, key) : filled(mean, fill)));
  const inputs = [
    param('gamma', o.bool('scale', true), 1), param('beta', o.bool('center', true), 0),
    ctx.layerConstant(call, 'moving_mean', () => mean),
    ctx.layerConstant(call, 'moving_variance', () => ctx.weight(call, 'moving_variance')),
  ];
  const attrs = { epsilon: o.number('epsilon', 1e-3) };
  if (axis === 1) return same(x, ctx.node('BatchNormalization', [x.value, ...inputs], attrs, call.name));
  const perm = [0, axis, ...Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis)];
  const moved = ctx.transpose(x.value, perm, `${call.name}/to_axis1`);
  const y = ctx.node('BatchNormalization', [moved, ...inputs], attrs, call.name);
  return same(x, ctx.transpose(y, invertPerm(perm), `${call.name}/from_axis1`));
};

/** Keras normalises over the listed axes; the canonical op over the trailing axes from `axis`. */
const layerNorm: LayerConverter = (ctx, call) => {
  const o = call.options, x = call.inputs[0];
  const axes = axesOf(call, x.rank, -1);
  if (axes.some((a, i) => a !== x.rank - axes.length + i)) throw o.unsupported('axis', 'only trailing axes');
  if (o.bool('rms_scaling', false)) throw o.unsupported('rms_scaling');
  const scale = o.bool('scale', true), center = o.bool('center', true);
  if (!scale && !center) throw o.unsupported('scale', 'scale and center both off');
  const gamma = scale ? ctx.weight(call, 'gamma') : undefined;
  const beta = center ? ctx.weight(call, 'beta') : undefined;
  const inputs = [
    ctx.layerConstant(call, 'gamma', () => gamma ?? filled(beta!, 1)),
    ctx.layerConstant(call, 'beta', () => beta ?? filled(gamma!, 0)),
  ];
  return same(x, ctx.node('LayerNormalization', [x.value, ...inputs],
    { axis: axes[0], epsilon: o.number('epsilon', 1e-3) }, call.name));
};

/** Rescaling(scale, offset): x * scale + offset, each a scalar or a per-channel list. */
const rescaling: LayerConverter = (ctx, call) => {
  const x = call.inputs[0];
  const operand = (key: string, dflt: number): string | undefined => {
    const v = call.layer.config[key] ?? dflt;
    const values = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(values) || values.some((n) => typeof n !== 'number')) {
      throw new FormatError(`'${key}' is ${JSON.stringify(v)}, expected a number or a list of numbers`);
    }
    if (values.every((n) => n === dflt)) return undefined;
    return values.length === 1 ? ctx.scalar(values[0]) : ctx.shared('float32', values);
  };
  const scale = operand('scale', 1), offset = operand('offset', 0);
  let y = x.value;
  if (scale) y = ctx.node('Mul', [y, scale], {}, `${call.name}/scale`);
  if (offset) y = ctx.node('Add', [y, offset], {}, `${call.name}/offset`);
  return same(x, y === x.value ? ctx.node('Identity', [y], {}, call.name) : y);
};

/** Embedding looks rows up by index; TF.js feeds the indices as floats. */
const embedding: LayerConverter = (ctx, call) => {
  const x = call.inputs[0];
  const indices = ctx.node('Cast', [x.value], { to: 'int32' }, `${call.name}/indices`);
  const table = ctx.layerConstant(call, 'embeddings', () => ctx.weight(call, 'embeddings'));
  return { value: ctx.node('Gather', [table, indices], { axis: 0 }, call.name), rank: x.rank + 1 };
};

export const coreLayers: Readonly<Record<string, LayerConverter>> = {
  Dense: dense, Activation: activation,
  ReLU: relu, LeakyReLU: leakyRelu, PReLU: prelu, ELU: elu, ThresholdedReLU: thresholdedRelu, Softmax: softmax,
  BatchNormalization: batchNorm, LayerNormalization: layerNorm, Rescaling: rescaling, Embedding: embedding,
};
