// Keras layers that combine or rearrange tensors: merges, Flatten/Reshape/Permute/RepeatVector,
// and the training-only layers that are the identity at inference.
import type { KerasTensor, LayerConverter } from './context.js';

function maxRank(inputs: readonly KerasTensor[]): number {
  return Math.max(...inputs.map((x) => x.rank));
}

/** A merge as a left fold of a binary op (Add, Mul keep the graph in fusable binary nodes). */
function foldMerge(op: string): LayerConverter {
  return (ctx, call) => {
    const [first, ...rest] = call.inputs;
    const value = rest.reduce((acc, x, i) =>
      ctx.node(op, [acc, x.value], {}, i === rest.length - 1 ? call.name : `${call.name}/${i}`), first.value);
    return { value, rank: maxRank(call.inputs) };
  };
}

/** A merge as one variadic node (Max, Min, Mean take any number of inputs). */
function variadicMerge(op: string): LayerConverter {
  return (ctx, call) => ({ value: ctx.node(op, call.inputs.map((x) => x.value), {}, call.name), rank: maxRank(call.inputs) });
}

const subtract: LayerConverter = (ctx, call) => {
  if (call.inputs.length !== 2) throw call.options.unsupported('inputs', `Subtract takes 2 inputs, got ${call.inputs.length}`);
  return { value: ctx.node('Sub', call.inputs.map((x) => x.value), {}, call.name), rank: maxRank(call.inputs) };
};

const concatenate: LayerConverter = (ctx, call) => ({
  value: ctx.node('Concat', call.inputs.map((x) => x.value), { axis: call.options.number('axis', -1) }, call.name),
  rank: call.inputs[0].rank,
});

/** channels_first Flatten orders features as channels_last would (Keras moves channels last first). */
const flatten: LayerConverter = (ctx, call) => {
  const x = call.inputs[0];
  let v = x.value;
  if (call.options.channelsFirst() && x.rank > 2) {
    v = ctx.transpose(v, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1], `${call.name}/to_channels_last`);
  }
  return { value: ctx.node('Flatten', [v], { axis: 1 }, call.name), rank: 2 };
};

/** target_shape excludes the batch; Reshape's 0 keeps the batch dim whatever it is. */
const reshape: LayerConverter = (ctx, call) => {
  const target = call.options.intList('target_shape');
  if (!target) throw call.options.unsupported('target_shape', 'missing');
  const shape = ctx.int64s([0, ...target]);
  return { value: ctx.node('Reshape', [call.inputs[0].value, shape], {}, call.name), rank: target.length + 1 };
};

/** dims are 1-based and exclude the batch. */
const permute: LayerConverter = (ctx, call) => {
  const dims = call.options.intList('dims');
  if (!dims) throw call.options.unsupported('dims', 'missing');
  return { value: ctx.transpose(call.inputs[0].value, [0, ...dims], call.name), rank: dims.length + 1 };
};

/** (batch, features) -> (batch, n, features). */
const repeatVector: LayerConverter = (ctx, call) => {
  const n = call.options.number('n', 1);
  const expanded = ctx.node('Unsqueeze', [call.inputs[0].value, ctx.int64s([1])], {}, `${call.name}/unsqueeze`);
  return { value: ctx.node('Tile', [expanded, ctx.int64s([1, n, 1])], {}, call.name), rank: 3 };
};

const identity: LayerConverter = (_ctx, call) => call.inputs[0];

export const structureLayers: Readonly<Record<string, LayerConverter>> = {
  Add: foldMerge('Add'), Multiply: foldMerge('Mul'), Subtract: subtract,
  Maximum: variadicMerge('Max'), Minimum: variadicMerge('Min'), Average: variadicMerge('Mean'),
  Concatenate: concatenate, Flatten: flatten, Reshape: reshape, Permute: permute, RepeatVector: repeatVector,
  Dropout: identity, SpatialDropout1D: identity, SpatialDropout2D: identity, SpatialDropout3D: identity,
  GaussianNoise: identity, GaussianDropout: identity, AlphaDropout: identity,
  ActivityRegularization: identity, Identity: identity, InputLayer: identity,
};
