// How an op runs in the layout before a transpose: for a node reading y = transpose(x, perm), the
// attributes, constant inputs and output perms of the same node reading x instead, so the
// transpose can move past it (Concat's axis, Pad's pads, a reduction's axes, Resize's scales, ...).
import type { Attrs, Node, ValueInfo } from '../ir/graph.js';
import { normAxis } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind } from '../ops/op.js';
import { padAmounts } from '../ops/data-util.js';

export type InputRole =
  /** A tensor in y's layout, to be read in x's (broadcast operands align to the right). */
  | { readonly kind: 'layout' }
  /** Means the same in either layout (indices, a pad value, split sizes). */
  | { readonly kind: 'keep' }
  /** A constant rewritten for x's layout; undefined drops the input. */
  | { readonly kind: 'replace'; readonly tensor: Tensor | undefined };

export interface LayoutMove {
  readonly attrs: Attrs;
  /** One role per input; more roles than inputs add inputs (Slice's axes). */
  readonly inputs: readonly InputRole[];
  /** Per output: the perm that turns the output computed from x into the original output. */
  readonly outPerms: readonly (readonly number[])[];
}

export interface MoveContext {
  readonly node: Node;
  /** The transposes read: y = transpose(x, perm). */
  readonly perm: readonly number[];
  readonly type: (v: string) => ValueInfo | undefined;
  readonly constant: (v: string) => Tensor | undefined;
}

const LAYOUT: InputRole = { kind: 'layout' }, KEEP: InputRole = { kind: 'keep' };
const replace = (tensor: Tensor | undefined): InputRole => ({ kind: 'replace', tensor });
const int64s = (v: readonly number[]) => Tensor.from('int64', [v.length], v);
const REDUCTIONS = new Set(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);

/** How `node` runs on the transposes' inputs, or undefined when it depends on the layout. */
export function layoutMove(ctx: MoveContext): LayoutMove | undefined {
  const { node: n, perm: p } = ctx;
  const r = p.length;
  const def = opDef(n.op);
  const num = (k: string, dflt: number) => (typeof n.attrs[k] === 'number' ? n.attrs[k] as number : dflt);
  const ints = (i: number) => (n.inputs[i] ? ctx.constant(n.inputs[i])?.toArray() : undefined);
  const outRank = (i: number) => ctx.type(n.outputs[i])?.shape.length;
  if (!def) return undefined;
  if (isElementwiseKind(def.fusion)) {
    if (n.outputs.length !== 1 || outRank(0) !== r) return undefined;
    return { attrs: n.attrs, inputs: n.inputs.map((v) => (v ? LAYOUT : KEEP)), outPerms: [p] };
  }
  if (REDUCTIONS.has(n.op)) {
    const axes = n.inputs[1] ? ints(1) : [];
    if (!axes) return undefined;
    const keepdims = num('keepdims', 1) !== 0;
    if (axes.length === 0) {
      const all = num('noop_with_empty_axes', 0) === 0;
      return { attrs: n.attrs, inputs: n.inputs.map((_, i) => (i === 0 ? LAYOUT : KEEP)), outPerms: [all && !keepdims ? [] : p] };
    }
    const reduced = axes.map((a) => normAxis(a, r));
    return {
      attrs: n.attrs, inputs: [LAYOUT, replace(int64s(reduced.map((a) => p[a])))],
      outPerms: [keepdims ? p : reducedPerm(p, reduced)],
    };
  }
  switch (n.op) {
    case 'Concat':
      return { attrs: { ...n.attrs, axis: p[normAxis(num('axis', 0), r)] }, inputs: n.inputs.map(() => LAYOUT), outPerms: [p] };
    case 'Softmax': case 'LogSoftmax': case 'Hardmax':
      return { attrs: { ...n.attrs, axis: p[normAxis(num('axis', -1), r)] }, inputs: [LAYOUT], outPerms: [p] };
    case 'ArgMax': case 'ArgMin': {
      const a = normAxis(num('axis', 0), r);
      return { attrs: { ...n.attrs, axis: p[a] }, inputs: [LAYOUT], outPerms: [num('keepdims', 1) ? p : reducedPerm(p, [a])] };
    }
    case 'Split':
      return { attrs: { ...n.attrs, axis: p[normAxis(num('axis', 0), r)] }, inputs: n.inputs.map((_, i) => (i === 0 ? LAYOUT : KEEP)), outPerms: n.outputs.map(() => p) };
    case 'Gather': {
      const a = normAxis(num('axis', 0), r);
      const indexRank = ctx.type(n.inputs[1])?.shape.length;
      if (indexRank !== 0 && indexRank !== 1) return undefined;
      return { attrs: { ...n.attrs, axis: p[a] }, inputs: [LAYOUT, KEEP], outPerms: [indexRank === 1 ? p : reducedPerm(p, [a])] };
    }
    case 'Slice': {
      const starts = ints(1), axes = n.inputs[3] ? ints(3) : starts?.map((_, i) => i);
      if (!starts || !axes) return undefined;
      const roles = [LAYOUT, KEEP, KEEP, replace(int64s(axes.map((a) => p[normAxis(a, r)])))];
      return { attrs: n.attrs, inputs: n.inputs[4] ? [...roles, KEEP] : roles, outPerms: [p] };
    }
    case 'Pad': {
      const pads = ints(1), axes = n.inputs[3] ? ints(3) : undefined;
      if (!pads || (n.inputs[3] && !axes)) return undefined;
      const amounts = padAmounts(r, pads, axes);
      const moved = new Array<[number, number]>(r);
      amounts.forEach((amount, k) => { moved[p[k]] = amount; });
      return {
        attrs: n.attrs, inputs: [LAYOUT, replace(int64s([...moved.map(([b]) => b), ...moved.map(([, e]) => e)])), KEEP, replace(undefined)].slice(0, n.inputs.length),
        outPerms: [p],
      };
    }
    case 'Resize': {
      if (n.attrs.axes !== undefined) return undefined;
      const roles: InputRole[] = [LAYOUT];
      for (let i = 1; i < n.inputs.length; i++) {
        const t = n.inputs[i] ? ctx.constant(n.inputs[i]) : undefined;
        if (!n.inputs[i] || t?.size === 0) { roles.push(KEEP); continue; }
        // roi would need its begin/end halves permuted; only tf_crop_and_resize reads it
        if (!t || i === 1 || t.size !== r) return undefined;
        const per = t.toArray(), moved = new Array<number>(r);
        per.forEach((v, k) => { moved[p[k]] = v; });
        roles.push(replace(Tensor.from(t.dtype, [r], moved)));
      }
      return { attrs: n.attrs, inputs: roles, outPerms: [p] };
    }
    default:
      return undefined;
  }
}

/** The perm from a reduction over x (dims dropped) to the same over y, given the reduced axes of y. */
export function reducedPerm(p: readonly number[], reducedAxesOfY: readonly number[]): number[] {
  const reduced = new Set(reducedAxesOfY);
  const keptY = p.map((_, k) => k).filter((k) => !reduced.has(k));
  const keptX = keptY.map((k) => p[k]).sort((a, b) => a - b);
  return keptY.map((k) => keptX.indexOf(p[k]));
}
