// Keras activation functions as canonical ops: the `activation` option of Dense/Conv layers
// and the Activation layer share this table.
import type { Attrs } from '../../ir/graph.js';
import type { KerasTensor, LayerCall, LayersContext } from './context.js';
import { Options } from './options.js';
import type { LayerSpec } from './topology.js';

type Emit = (ctx: LayersContext, x: string, name: string) => string;

const unary = (op: string, attrs: Attrs = {}): Emit => (ctx, x, name) => ctx.node(op, [x], attrs, name);

const swish: Emit = (ctx, x, name) => ctx.node('Mul', [x, ctx.node('Sigmoid', [x], {}, `${name}/sigmoid`)], {}, name);

const ACTIVATIONS: Readonly<Record<string, Emit>> = {
  linear: (_ctx, x) => x,
  relu: unary('Relu'),
  relu6: (ctx, x, name) => ctx.node('Clip', [x, ctx.scalar(0), ctx.scalar(6)], {}, name),
  leaky_relu: unary('LeakyRelu', { alpha: 0.2 }),
  elu: unary('Elu', { alpha: 1 }),
  selu: unary('Selu'),
  sigmoid: unary('Sigmoid'),
  // Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; Keras 2 and TF.js use 0.2x + 0.5
  hard_sigmoid: (ctx, x, name) =>
    ctx.node('HardSigmoid', [x], { alpha: ctx.kerasAtLeast(3, 0) ? 1 / 6 : 0.2, beta: 0.5 }, name),
  tanh: unary('Tanh'),
  softmax: unary('Softmax', { axis: -1 }),
  log_softmax: unary('LogSoftmax', { axis: -1 }),
  softplus: unary('Softplus'),
  softsign: unary('Softsign'),
  swish, silu: swish,
  gelu: unary('Gelu', { approximate: 'none' }),
  gelu_new: unary('Gelu', { approximate: 'tanh' }),
  hard_swish: unary('HardSwish'),
  hard_silu: unary('HardSwish'),
  mish: unary('Mish'),
  exponential: unary('Exp'),
};

/** Keras spells activations in snake_case; TF.js sometimes writes camelCase ('hardSigmoid'). */
function normalise(id: string): string {
  return id.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Applies activation `id` to `x`; an unknown one is recorded as unsupported (the import fails
 * at the end, listing it) and `x` passes through so the walk can go on.
 */
export function applyActivation(ctx: LayersContext, call: LayerCall, x: KerasTensor, id: string,
  name = `${call.name}/${normalise(id)}`): KerasTensor {
  const emit = ACTIVATIONS[normalise(id)];
  if (!emit) {
    ctx.noteUnsupported(`activation '${id}'`, call.layer.name);
    return x;
  }
  return { value: emit(ctx, x.value, name), rank: x.rank };
}

/**
 * Notes the layer's `activation` option as unsupported when it is unknown. For layers the walk
 * cannot convert (their inputs come from an unsupported layer), so the report is complete.
 */
export function checkActivation(ctx: LayersContext, layer: LayerSpec): void {
  const id = new Options(layer).identifier('activation', 'linear');
  if (!ACTIVATIONS[normalise(id)]) ctx.noteUnsupported(`activation '${id}'`, layer.name);
}

/** Applies the layer's own `activation` option (Dense, Conv*, ...). */
export function layerActivation(ctx: LayersContext, call: LayerCall, x: KerasTensor): KerasTensor {
  return applyActivation(ctx, call, x, call.options.identifier('activation', 'linear'));
}
