// Inference batch-norm after a convolution with constant weights folds into the convolution:
// y = (conv(x, W) + b - mean) * s + beta with s = scale / sqrt(var + eps) per output channel is
// conv(x, W * s) + (b - mean) * s + beta, so the batch-norm pass over the activations vanishes.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';

export function foldBatchNorm(g: Graph): Graph {
  const constants = new Map(g.constants);
  const values = new Map<string, ValueInfo>(g.values);
  const producer = new Map<string, Node>();
  const uses = new Map<string, number>();
  for (const n of g.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  }
  const outputs = new Set(g.outputs);
  const folded = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const bn of g.nodes) {
    if (bn.op !== 'BatchNormalization' || bn.attrs.training_mode || bn.outputs.filter(Boolean).length !== 1) continue;
    const [x, ...params] = bn.inputs;
    const conv = producer.get(x);
    const stats = params.map((p) => constants.get(p));
    const w = conv?.op === 'Conv' ? constants.get(conv.inputs[1]) : undefined;
    const b = conv?.inputs[2] ? constants.get(conv.inputs[2]) : undefined;
    if (!conv || !w || w.dtype !== 'float32' || (conv.inputs[2] && !b) || uses.get(x) !== 1 || outputs.has(x)
      || stats.some((t) => !t || t.dtype !== 'float32')) continue;
    const [scale, beta, mean, variance] = stats.map((t) => t!.numbers);
    const eps = typeof bn.attrs.epsilon === 'number' ? bn.attrs.epsilon : 1e-5;
    const channels = w.shape[0], perChannel = w.size / channels;
    const s = Float64Array.from({ length: channels }, (_, o) => scale[o] / Math.sqrt(variance[o] + eps));
    const scaled = scaledRows(w.numbers, s, perChannel);
    const weights = new Tensor('float32', w.shape, scaled);
    const bias = Tensor.from('float32', [channels], s.map((so, o) => ((b ? b.numbers[o] : 0) - mean[o]) * so + beta[o]));
    const wName = `${bn.name}/folded_weights`, bName = `${bn.name}/folded_bias`;
    for (const [name, t] of [[wName, weights], [bName, bias]] as const) {
      constants.set(name, t);
      values.set(name, { dtype: t.dtype, shape: t.shape });
    }
    folded.set(conv, { ...conv, inputs: [conv.inputs[0], wName, bName], outputs: [bn.outputs[0]] });
    dropped.add(bn);
    values.delete(x);
  }
  if (!dropped.size) return g;
  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => folded.get(n) ?? n);
  const read = new Set([...g.outputs, ...nodes.flatMap((n) => n.inputs)]);
  for (const name of constants.keys()) {
    if (!read.has(name)) { constants.delete(name); values.delete(name); }
  }
  return { ...g, nodes, constants, values };
}

/** Row o of `w` (rows of `rowLength`) times s[o]. */
function scaledRows(w: ArrayLike<number>, s: Float64Array, rowLength: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i] * s[(i / rowLength) | 0];
  return out;
}
