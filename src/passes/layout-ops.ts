// How an op runs in the layout before a transpose: for a node reading y = transpose(x, perm), the
// attributes, constant inputs and output perms of the same node reading x instead, so the
// transpose can move past it. Elementwise kinds move as they are; every other op states its rule
// in its permute facet (Concat's axis, Pad's pads, a reduction's axes, Resize's scales, ...).
import type { Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { KEEP, LAYOUT, type LayoutMove } from '../ops/facets.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind, resolveAttrs } from '../ops/op.js';

export interface MoveContext {
  readonly node: Node;
  /** The transposes read: y = transpose(x, perm). */
  readonly perm: readonly number[];
  readonly type: (v: string) => ValueInfo | undefined;
  readonly constant: (v: string) => Tensor | undefined;
}

/** How `node` runs on the transposes' inputs, or undefined when it depends on the layout. */
export function layoutMove(ctx: MoveContext): LayoutMove | undefined {
  const { node: n, perm } = ctx;
  const def = opDef(n.op);
  if (!def) return undefined;
  if (isElementwiseKind(def.fusion)) {
    if (n.outputs.length !== 1 || ctx.type(n.outputs[0])?.shape.length !== perm.length) return undefined;
    return { attrs: n.attrs, inputs: n.inputs.map((v) => (v ? LAYOUT : KEEP)), outPerms: [perm] };
  }
  return def.permute?.({
    node: n, attrs: resolveAttrs(def.attrs, n.attrs), perm,
    inputs: n.inputs.map((v) => (v ? ctx.type(v) : undefined)),
    outputs: n.outputs.map((v) => (v ? ctx.type(v) : undefined)),
    constant: (i) => (n.inputs[i] ? ctx.constant(n.inputs[i]) : undefined),
  });
}
