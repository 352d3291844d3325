// Inference batch-norm after an op with constant per-channel weights and a bias (its channelWeights
// facet, with the channel on axis 1: a convolution) folds into it: y = (conv(x, W) + b - mean) * s + beta
// with s = scale / sqrt(var + eps) per output channel is conv(x, W * s) + (b - mean) * s + beta, so the
// batch-norm pass over the activations vanishes.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { channelWeightsOf, perChannelBias, scaledAlong, withInputs } from './channel-weights.js';

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
    const cw = conv && channelWeightsOf(conv, (v) => values.get(v), values.get(x)?.shape.length ?? 0);
    // batch-norm's channels are axis 1
    if (!conv || !cw || !cw.bias || cw.outputAxis !== 1) continue;
    const w = constants.get(conv.inputs[cw.weight]);
    const bIn = conv.inputs[cw.bias.input];
    const b = bIn ? constants.get(bIn) : undefined;
    if (!w || w.dtype !== 'float32' || (bIn && !b) || uses.get(x) !== 1 || outputs.has(x)
      || stats.some((t) => !t || t.dtype !== 'float32')) continue;
    const channels = w.shape[cw.weightAxis];
    if (b && !perChannelBias(b, channels)) continue;
    const [scale, beta, mean, variance] = stats.map((t) => t!.numbers);
    const eps = typeof bn.attrs.epsilon === 'number' ? bn.attrs.epsilon : 1e-5;
    const s = Float64Array.from({ length: channels }, (_, o) => scale[o] / Math.sqrt(variance[o] + eps));
    const weights = new Tensor('float32', w.shape, scaledAlong(w, cw.weightAxis, s));
    const bScale = cw.bias.scale, bias0 = (o: number) => (b ? bScale * b.numbers[b.size === 1 ? 0 : o] : 0);
    const bias = Tensor.from('float32', [channels], s.map((so, o) => (bias0(o) - mean[o]) * so + beta[o]));
    const wName = `${bn.name}/folded_weights`, bName = `${bn.name}/folded_bias`;
    for (const [name, t] of [[wName, weights], [bName, bias]] as const) {
      constants.set(name, t);
      values.set(name, { dtype: t.dtype, shape: t.shape });
    }
    const inputs = withInputs(conv, new Map([[cw.weight, wName], [cw.bias.input, bName]]));
    folded.set(conv, { ...conv, attrs: { ...conv.attrs, ...cw.bias.unitScale }, inputs, outputs: [bn.outputs[0]] });
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
