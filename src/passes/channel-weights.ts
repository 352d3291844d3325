// What the per-channel folds (fold-batchnorm, fold-scale-shift) share: where a node's op keeps
// its per-output-channel weights (its channelWeights facet) and weights scaled along that axis.
import type { Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { ChannelWeights } from '../ops/facets.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

/** The node's channel weights, with its output axis counted from the front of an output of `outRank`. */
export function channelWeightsOf(n: Node, type: (v: string) => ValueInfo | undefined, outRank: number): ChannelWeights | undefined {
  const def = opDef(n.op);
  const cw = def?.channelWeights?.({ attrs: resolveAttrs(def.attrs, n.attrs), inputs: n.inputs.map((v) => (v ? type(v) : undefined)) });
  return cw && { ...cw, outputAxis: cw.outputAxis < 0 ? cw.outputAxis + outRank : cw.outputAxis };
}

/** Whether bias `b` adds one value, or one per channel along the output's last axis (so a Gemm's C of [M, 1] does not pass for [N]). */
export const perChannelBias = (b: Tensor, channels: number): boolean =>
  b.size === 1 || (b.size === channels && b.shape[b.rank - 1] === channels);

/** `w` with each element times s[its index along `axis`], in float32. */
export function scaledAlong(w: Tensor, axis: number, s: ArrayLike<number>): Float32Array {
  const stride = w.shape.slice(axis + 1).reduce((p, d) => p * d, 1), dim = w.shape[axis], W = w.numbers;
  const out = new Float32Array(w.size);
  // blocks of `stride` elements share a channel; plain loops, as weights run to tens of millions
  for (let block = 0, i = 0; i < w.size; block++) {
    const scale = s[block % dim];
    for (const end = i + stride; i < end; i++) out[i] = W[i] * scale;
  }
  return out;
}

/** The node's inputs with some replaced by index (an index past the end appends, omitted ones between as ''). */
export function withInputs(n: Node, replaced: ReadonlyMap<number, string>): string[] {
  const inputs = [...n.inputs];
  for (const [i, v] of replaced) {
    while (inputs.length < i) inputs.push('');
    inputs[i] = v;
  }
  return inputs;
}
