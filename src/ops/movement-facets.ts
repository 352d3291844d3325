// How the graph passes treat the movement ops (movement.ts, data-slice.ts): when one passes its
// input through unchanged (simplify), and how it runs on the input of a transpose (layout planning).
import { normAxis } from '../ir/shape.js';
import { padAmounts } from './data-util.js';
import { int64s, KEEP, LAYOUT, replaceInput, type LayoutMove, type PassThroughContext, type PermuteContext } from './facets.js';

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

/** Concat joins along the axis the transpose moved it to. */
export const concatPermute = ({ node, attrs, perm: p }: PermuteContext<{ readonly axis: number }>): LayoutMove =>
  ({ attrs: { ...node.attrs, axis: p[normAxis(attrs.axis, p.length)] }, inputs: node.inputs.map(() => LAYOUT), outPerms: [p] });

/** A Pad's per-axis amounts move with the axes; the axes input goes, as the amounts then cover every axis. */
export function padPermute({ node, perm: p, constant }: PermuteContext<unknown>): LayoutMove | undefined {
  const pads = constant(1)?.toArray(), axes = node.inputs[3] ? constant(3)?.toArray() : undefined;
  if (!pads || (node.inputs[3] && !axes)) return undefined;
  const amounts = padAmounts(p.length, pads, axes);
  const moved = new Array<[number, number]>(p.length);
  amounts.forEach((amount, k) => { moved[p[k]] = amount; });
  return {
    attrs: node.attrs,
    inputs: [LAYOUT, replaceInput(int64s([...moved.map(([b]) => b), ...moved.map(([, e]) => e)])), KEEP, replaceInput(undefined)].slice(0, node.inputs.length),
    outPerms: [p],
  };
}

/** A Slice's axes move with the transpose (given as all axes in order when the input is omitted). */
export function slicePermute({ node, perm: p, constant }: PermuteContext<unknown>): LayoutMove | undefined {
  const starts = constant(1)?.toArray(), axes = node.inputs[3] ? constant(3)?.toArray() : starts?.map((_, i) => i);
  if (!starts || !axes) return undefined;
  const roles = [LAYOUT, KEEP, KEEP, replaceInput(int64s(axes.map((a) => p[normAxis(a, p.length)])))];
  return { attrs: node.attrs, inputs: node.inputs[4] ? [...roles, KEEP] : roles, outPerms: [p] };
}
