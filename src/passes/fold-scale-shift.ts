// Per-channel scale and shift into the op with constant weights before it (its channelWeights
// facet): conv(x, W) * s + t is conv(x, W * s) with bias b * s + t, and likewise per output column
// for Gemm (and a scale for MatMul, which has no bias), so the pass over the activations that Mul
// or Add would make disappears.
import type { Graph, Node } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import type { ChannelWeights } from '../ops/facets.js';
import { channelWeightsOf, perChannelBias, scaledAlong, withInputs } from './channel-weights.js';
import { claim, consumers, pruned } from './rewrite.js';

export function foldScaleShift(g: Graph): Graph {
  const constants = new Map(g.constants);
  const values = new Map(g.values);
  const taken = new Set(values.keys());
  const readers = consumers(g.nodes);
  const outputs = new Set(g.outputs);
  const nodes: (Node | undefined)[] = [...g.nodes];
  const at = new Map<string, number>();
  nodes.forEach((n, k) => n!.outputs.forEach((o) => at.set(o, k)));
  const addConstant = (base: string, t: Tensor) => {
    const name = claim(taken, base);
    constants.set(name, t);
    values.set(name, { dtype: t.dtype, shape: t.shape });
    return name;
  };

  nodes.forEach((affine, k) => {
    if (!affine || (affine.op !== 'Mul' && affine.op !== 'Add')) return;
    for (const side of [0, 1]) {
      const x = affine.inputs[side], c = constants.get(affine.inputs[1 - side]);
      const p = at.get(x);
      const prod = p === undefined ? undefined : nodes[p];
      if (!prod || !c || c.dtype !== 'float32' || outputs.has(x) || readers.get(x)!.length !== 1) continue;
      const xInfo = values.get(x)!, yInfo = values.get(affine.outputs[0])!;
      if (!isStatic(xInfo.shape) || xInfo.dtype !== 'float32' || !sameDims(xInfo.shape, yInfo.shape)) continue;
      const cw = channelWeightsOf(prod, (v) => values.get(v), xInfo.shape.length);
      const perChannel = cw && channelValues(c, xInfo.shape, cw.outputAxis);
      if (!perChannel) continue;
      const folded = foldInto(prod, cw, affine.op === 'Mul' ? 'scale' : 'shift', perChannel, constants, addConstant);
      if (!folded) continue;
      nodes[p!] = { ...folded, outputs: [affine.outputs[0]] };
      at.set(affine.outputs[0], p!);
      nodes[k] = undefined;
      values.delete(x);
      return;
    }
  });
  return pruned({ ...g, nodes: nodes.filter((n) => n !== undefined), constants, values });
}

/** `prod` with its weights (and bias) scaled, or its bias shifted, by `v` per output channel. */
function foldInto(prod: Node, cw: ChannelWeights, how: 'scale' | 'shift', v: Float32Array, constants: ReadonlyMap<string, Tensor>,
  addConstant: (base: string, t: Tensor) => string): Node | undefined {
  const bName = cw.bias && prod.inputs[cw.bias.input];
  const w = constants.get(prod.inputs[cw.weight]), b = bName ? constants.get(bName) : undefined;
  if (!w || w.dtype !== 'float32' || (bName && (!b || b.dtype !== 'float32'))) return undefined;
  const channels = v.length;
  if (w.shape[cw.weightAxis] !== channels || (b && !perChannelBias(b, channels)) || (how === 'shift' && !cw.bias)) return undefined;
  const scale = cw.bias?.scale ?? 1;
  const bias = Float32Array.from({ length: channels }, (_, o) => (b ? scale * b.numbers[b.size === 1 ? 0 : o] : 0));
  const attrs = cw.bias ? { ...prod.attrs, ...cw.bias.unitScale } : prod.attrs;
  const replaced = new Map<number, string>();
  if (how === 'shift') {
    replaced.set(cw.bias!.input, addConstant(`${prod.name}/shifted_bias`, new Tensor('float32', [channels], bias.map((x, o) => x + v[o]))));
  } else {
    replaced.set(cw.weight, addConstant(`${prod.name}/scaled_weights`, new Tensor('float32', w.shape, scaledAlong(w, cw.weightAxis, v))));
    if (b) replaced.set(cw.bias!.input, addConstant(`${prod.name}/scaled_bias`, new Tensor('float32', [channels], bias.map((x, o) => x * v[o]))));
  }
  return { ...prod, attrs, inputs: withInputs(prod, replaced) };
}

/** The constant's value per index of `axis` of `shape`, when it broadcasts along every other axis. */
function channelValues(c: Tensor, shape: readonly number[], axis: number): Float32Array | undefined {
  if (c.rank > shape.length) return undefined;
  const dims = [...new Array<number>(shape.length - c.rank).fill(1), ...c.shape];
  if (dims.some((d, i) => i !== axis && d !== 1) || (dims[axis] !== 1 && dims[axis] !== shape[axis])) return undefined;
  const n = shape[axis], data = c.numbers;
  return Float32Array.from({ length: n }, (_, i) => data[dims[axis] === 1 ? 0 : i]);
}

function sameDims(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
