// Keras LSTM, GRU and SimpleRNN (and Bidirectional around one) as the canonical LSTM/GRU/RNN ops in
// layout 1 (batch-major, as Keras is): kernels transposed into ONNX gate order, Keras's options
// (recurrent_activation, reset_after, return_sequences/return_state, go_backwards, merge_mode) mapped.
import { FormatError } from '../../errors.js';
import type { Attrs } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import type { KerasTensor, LayerCall, LayersContext } from './context.js';
import { Options } from './options.js';
import { isObject, type LayerSpec } from './topology.js';

type Cell = 'LSTM' | 'GRU' | 'RNN';
const CELL_OF: Readonly<Record<string, Cell>> = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' };

/** For each ONNX gate block, the Keras block holding it: Keras LSTM is i,f,c,o, ONNX i,o,f,c. */
const KERAS_BLOCK: Readonly<Record<Cell, readonly number[]>> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], RNN: [0] };

/** A Keras activation as an ONNX recurrent activation with its alpha/beta (pushed in attribute order). */
function recurrentActivation(ctx: LayersContext, id: string, layer: string): { name: string; alpha?: number; beta?: number } {
  switch (id.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) {
    case 'tanh': return { name: 'Tanh' };
    case 'sigmoid': return { name: 'Sigmoid' };
    // Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; Keras 2 and TF.js use 0.2x + 0.5
    case 'hard_sigmoid': return { name: 'HardSigmoid', alpha: ctx.kerasAtLeast(3, 0) ? 1 / 6 : 0.2, beta: 0.5 };
    case 'relu': return { name: 'Relu' };
    case 'linear': return { name: 'Affine', alpha: 1, beta: 0 };
    case 'softsign': return { name: 'Softsign' };
    case 'softplus': return { name: 'Softplus' };
    case 'elu': return { name: 'Elu', alpha: 1 };
    default:
      ctx.noteUnsupported(`recurrent activation '${id}'`, layer);
      return { name: 'Tanh' };
  }
}

/** Keras [rows, G * H] -> ONNX [G * H, rows], gate blocks reordered. */
function gateMajor(t: Tensor, cell: Cell, hidden: number): number[] {
  const [rows, cols] = t.shape, src = t.numbers, order = KERAS_BLOCK[cell];
  const out = new Array<number>(rows * cols);
  order.forEach((k, g) => {
    for (let j = 0; j < hidden; j++) for (let r = 0; r < rows; r++) out[(g * hidden + j) * rows + r] = src[r * cols + k * hidden + j];
  });
  return out;
}

interface Direction {
  readonly weights: (name: string) => Tensor;
  readonly options: Options;
}

/** W, R and B (Wb then Rb) of each direction, stacked. */
function stackedWeights(cell: Cell, hidden: number, dirs: readonly Direction[], resetAfter: boolean) {
  const gh = KERAS_BLOCK[cell].length * hidden;
  const w: number[] = [], r: number[] = [], b: number[] = [];
  let input = 0;
  for (const d of dirs) {
    const kernel = d.weights('kernel');
    input = kernel.shape[0];
    if (kernel.shape[1] !== gh) throw new FormatError(`kernel [${kernel.shape.join(',')}] has ${kernel.shape[1]} columns; ${cell} with ${hidden} units needs ${gh}`);
    w.push(...gateMajor(kernel, cell, hidden));
    r.push(...gateMajor(d.weights('recurrent_kernel'), cell, hidden));
    if (!d.options.bool('use_bias', true)) { b.push(...new Array<number>(2 * gh).fill(0)); continue; }
    const bias = d.weights('bias');
    // reset_after keeps separate input and recurrent biases, [2, G*H]
    const rows = resetAfter ? [bias.numbers.slice(0, gh), bias.numbers.slice(gh, 2 * gh)] : [bias.numbers, new Float32Array(gh)];
    for (const row of rows) b.push(...gateMajor(Tensor.from('float32', [1, gh], row), cell, hidden));
  }
  const n = dirs.length;
  return {
    W: Tensor.from('float32', [n, gh, input], w), R: Tensor.from('float32', [n, gh, hidden], r), B: Tensor.from('float32', [n, 2 * gh], b),
  };
}

function cellAttrs(ctx: LayersContext, cell: Cell, o: Options, layer: string, directions: number): Attrs {
  const act = recurrentActivation(ctx, o.identifier('activation', 'tanh'), layer);
  const rec = recurrentActivation(ctx, o.identifier('recurrent_activation', 'sigmoid'), layer);
  const roles = cell === 'LSTM' ? [rec, act, act] : cell === 'GRU' ? [rec, act] : [act];
  const all = Array.from({ length: directions }, () => roles).flat();
  const alphas = all.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = all.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  return {
    activations: all.map((a) => a.name),
    ...(alphas.length ? { activation_alpha: alphas } : {}), ...(betas.length ? { activation_beta: betas } : {}),
    ...(cell === 'GRU' ? { linear_before_reset: o.bool('reset_after', false) ? 1 : 0 } : {}),
  };
}

/** One recurrent layer (`directions` 1 or 2 sharing one config) on x: Y [N, S, dirs, H], Y_h (and Y_c) [N, dirs, H]. */
function emitRecurrent(ctx: LayersContext, call: LayerCall, className: string, config: LayerSpec, dirs: readonly Direction[], direction: string): string[] {
  const cell = CELL_OF[className], o = new Options(config);
  const x = call.inputs[0];
  if (x.rank !== 3) throw new FormatError(`expects a [batch, steps, features] input, got rank ${x.rank}`);
  if (o.bool('stateful', false)) throw o.unsupported('stateful', 'states kept between calls');
  const hidden = o.number('units', 0);
  const { W, R, B } = stackedWeights(cell, hidden, dirs, cell === 'GRU' && o.bool('reset_after', false));
  const c = (key: string, t: Tensor) => ctx.layerConstant(call, key, () => t);
  return ctx.builder.addNode(cell, [x.value, c('W', W), c('R', R), c('B', B)],
    { hidden_size: hidden, layout: 1, direction, ...cellAttrs(ctx, cell, o, call.layer.name, dirs.length) },
    { name: call.name, outputs: cell === 'LSTM' ? 3 : 2 });
}

const squeeze = (ctx: LayersContext, v: string, axis: number, name: string) => ctx.node('Squeeze', [v, ctx.int64s([axis])], {}, name);

/** LSTM, GRU, SimpleRNN: the sequence or the last output, then the states when return_state. */
export function recurrentLayer(ctx: LayersContext, call: LayerCall): KerasTensor[] {
  const o = call.options, name = call.name;
  const back = o.bool('go_backwards', false);
  const outs = emitRecurrent(ctx, call, call.layer.className, call.layer,
    [{ weights: (w) => ctx.weight(call, w), options: o }], back ? 'reverse' : 'forward');
  let y: KerasTensor;
  if (o.bool('return_sequences', false)) {
    const seq = squeeze(ctx, outs[0], 2, `${name}/sequence`);
    // Keras lists a backwards layer's outputs in the order it made them, last step first
    y = { value: back ? ctx.node('Slice', [seq, ctx.int64s([-1]), ctx.int64s([-(2 ** 53)]), ctx.int64s([1]), ctx.int64s([-1])], {}, `${name}/in_step_order`) : seq, rank: 3 };
  } else {
    y = { value: squeeze(ctx, outs[1], 1, `${name}/last`), rank: 2 };
  }
  if (!o.bool('return_state', false)) return [y];
  return [y, ...outs.slice(1).map((s, i) => ({ value: squeeze(ctx, s, 1, `${name}/state${i}`), rank: 2 }))];
}

/** Bidirectional(LSTM|GRU|SimpleRNN): one bidirectional op; merge_mode joins the two directions. */
export function bidirectionalLayer(ctx: LayersContext, call: LayerCall): KerasTensor {
  const inner = call.layer.config.layer;
  if (!isObject(inner) || typeof inner.class_name !== 'string' || !isObject(inner.config) || !CELL_OF[inner.class_name]) {
    throw new FormatError(`wraps ${JSON.stringify(isObject(inner) ? inner.class_name : inner)}; Kiln converts Bidirectional around LSTM, GRU or SimpleRNN`);
  }
  const innerName = typeof inner.config.name === 'string' ? inner.config.name : '';
  const spec: LayerSpec = { name: innerName, className: inner.class_name, config: inner.config, calls: [] };
  const o = new Options(spec);
  if (o.bool('return_state', false) || o.bool('go_backwards', false)) throw o.unsupported(o.bool('return_state', false) ? 'return_state' : 'go_backwards', 'inside Bidirectional');
  const dir = (prefix: string): Direction => ({ weights: (w) => ctx.weight({ ...call, layer: { ...call.layer, name: `${prefix}_${innerName}` } }, w), options: o });
  const outs = emitRecurrent(ctx, call, inner.class_name, spec, [dir('forward'), dir('backward')], 'bidirectional');
  const name = call.name, hidden = o.number('units', 0);
  const sequences = o.bool('return_sequences', false);
  // [N, S, 2, H] or [N, 2, H]: the direction axis sits before the features
  const both = sequences ? outs[0] : outs[1], axis = sequences ? 2 : 1, rank = sequences ? 3 : 2;
  const mode = call.options.string('merge_mode', 'concat');
  if (mode === 'concat') return { value: ctx.node('Reshape', [both, ctx.int64s([...new Array<number>(axis).fill(0), 2 * hidden])], {}, name), rank };
  const pick = (i: number) => ctx.node('Gather', [both, ctx.shared('int64', [i], [])], { axis }, `${name}/direction${i}`);
  const [f, b] = [pick(0), pick(1)];
  switch (mode) {
    case 'sum': return { value: ctx.node('Add', [f, b], {}, name), rank };
    case 'mul': return { value: ctx.node('Mul', [f, b], {}, name), rank };
    case 'ave': return { value: ctx.node('Mul', [ctx.node('Add', [f, b], {}, `${name}/sum`), ctx.scalar(0.5)], {}, name), rank };
    default: throw call.options.unsupported('merge_mode', 'use concat, sum, mul or ave');
  }
}

export const recurrentLayers: Readonly<Record<string, (ctx: LayersContext, call: LayerCall) => KerasTensor | readonly KerasTensor[]>> = {
  LSTM: recurrentLayer, GRU: recurrentLayer, SimpleRNN: recurrentLayer, Bidirectional: bidirectionalLayer,
};
