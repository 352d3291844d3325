// How the graph passes treat the movement ops of movement.ts: when one passes its input through
// unchanged (simplify), and how it runs on the input of a transpose (layout planning).
import type { PassThroughContext } from './facets.js';

/** A Transpose by the identity permutation. */
export function transposePassThrough({ attrs, inputs, sameTypeAsOutput }: PassThroughContext<{ readonly perm?: readonly number[] }>) {
  const rank = inputs[0]?.shape.length ?? 0;
  const perm = attrs.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  return perm.every((a, i) => a === i) && sameTypeAsOutput(0) ? 0 : undefined;
}

/** A Concat of one input. */
export const concatPassThrough = ({ node, sameTypeAsOutput }: PassThroughContext<unknown>) =>
  (node.inputs.length === 1 && sameTypeAsOutput(0) ? 0 : undefined);

/** A Pad by constant zeros. */
export const padPassThrough = ({ constant, sameTypeAsOutput }: PassThroughContext<unknown>) =>
  (constant(1)?.toArray().every((p) => p === 0) && sameTypeAsOutput(0) ? 0 : undefined);

/** A Slice with positive steps (or none) that keeps the whole shape. */
export const slicePassThrough = ({ node, constant, sameTypeAsOutput }: PassThroughContext<unknown>) =>
  ((!node.inputs[4] || constant(4)?.toArray().every((s) => s > 0)) && sameTypeAsOutput(0) ? 0 : undefined);
