// What the optional op facets the graph passes and schedules ask (OpDef in op.ts) see and answer,
// and facets many ops share: the passes and defaultSchedule stay generic and learn each op's part here.
import type { Attrs, Node, ValueInfo } from '../ir/graph.js';
import { normAxis } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import type { InferContext } from './op.js';
import type { Emitter } from '../ir/emitter.js';
import type { TargetFacts } from '../target/target.js';

/** What a node's `schedule` facet sees: resolved attrs, inputs by name with static types, output shapes. */
export interface ScheduleContext<A> {
  readonly attrs: A;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly ({ readonly name: string; readonly info: ValueInfo; readonly constant?: Tensor } | undefined)[];
  /** Static shape per output the kernel computes (a fused anchor lists its first only). */
  readonly outputs: readonly (readonly number[])[];
  /** The outputs' value names where known: a compute names its inner stages after them (`${name}_acc`). */
  readonly outputNames?: readonly string[];
  /** What the code generator offers: vector lanes, caches (src/target/target.ts). */
  readonly target: TargetFacts;
}

/** What the `expand` facet sees: the node, its input types, and the emitter its canonical form goes to. */
export interface ExpandContext<A> {
  readonly node: Node;
  readonly attrs: A;
  readonly inputs: readonly (ValueInfo | undefined)[];
  readonly emit: Emitter;
}

/** What the `passThrough` facet sees of a node: what inference sees (an unknown type is undefined too). */
export interface PassThroughContext<A> extends Omit<InferContext<A>, 'symbol'> {
  /** Whether input `i` has output 0's dtype and the same static shape. */
  sameTypeAsOutput(i: number): boolean;
}

/** passThrough of ops that are the identity whenever output 0 has input 0's type (a Cast or Reshape that changes nothing). */
export const sameTypePassesInput0 = ({ sameTypeAsOutput }: PassThroughContext<unknown>): number | undefined =>
  (sameTypeAsOutput(0) ? 0 : undefined);

/** passThrough of a binary op: input k, for the first case [k, neutral] whose other operand is a constant of only `neutral`s. */
export function neutralOperand(...cases: readonly (readonly [input: number, neutral: number])[]) {
  return ({ constant, sameTypeAsOutput }: PassThroughContext<unknown>): number | undefined => {
    for (const [k, neutral] of cases) {
      const other = constant(1 - k);
      if (other && other.dtype !== 'string' && other.toArray().every((v) => v === neutral) && sameTypeAsOutput(k)) return k;
    }
    return undefined;
  };
}

/** What a window op can take over from a constant Pad of its input 0's spatial axes. */
export interface PadAbsorption {
  /** The pad value the op's own padding stands for. */
  readonly fill: number;
  /** The attributes to set so the op pads by `spatial` ([begins..., ends...]) more. */
  withPads(spatial: readonly number[]): Attrs;
}

/** Where a per-output-channel scale or shift goes in an op with constant weights (Conv, MatMul, Gemm). */
export interface ChannelWeights {
  /** Axis of output 0 that indexes the channel. */
  readonly outputAxis: number;
  /** Input holding the weights, and the axis of it that indexes the channel. */
  readonly weight: number;
  readonly weightAxis: number;
  /** A bias (one value, or one per channel) the op adds after the product; absent when the op has no bias input. */
  readonly bias?: {
    readonly input: number;
    /** What the op multiplies the bias by (Gemm's beta). */
    readonly scale: number;
    /** Attributes that make that factor 1 once it is folded into the bias values. */
    readonly unitScale: Attrs;
  };
}

/** What the `permute` facet sees: the node reads y = transpose(x, perm) at its layout inputs. */
export interface PermuteContext<A> {
  readonly node: Node;
  readonly attrs: A;
  readonly perm: readonly number[];
  /** undefined for an omitted optional input or an unknown type. */
  readonly inputs: readonly (ValueInfo | undefined)[];
  readonly outputs: readonly (ValueInfo | undefined)[];
  constant(i: number): Tensor | undefined;
}

export type InputRole =
  /** A tensor in y's layout, to be read in x's (broadcast operands align to the right). */
  | { readonly kind: 'layout' }
  /** Means the same in either layout (indices, a pad value, split sizes). */
  | { readonly kind: 'keep' }
  /** A constant rewritten for x's layout; undefined drops the input. */
  | { readonly kind: 'replace'; readonly tensor: Tensor | undefined };

/** The same node computed from x: its attrs, what becomes of each input, and how its outputs relate. */
export interface LayoutMove {
  readonly attrs: Attrs;
  /** One role per input; more roles than inputs add inputs (Slice's axes). */
  readonly inputs: readonly InputRole[];
  /** Per output: the perm that turns the output computed from x into the original output. */
  readonly outPerms: readonly (readonly number[])[];
}

export const LAYOUT: InputRole = { kind: 'layout' }, KEEP: InputRole = { kind: 'keep' };
export const replaceInput = (tensor: Tensor | undefined): InputRole => ({ kind: 'replace', tensor });
export const int64s = (v: readonly number[]) => Tensor.from('int64', [v.length], v);

/** permute of an op along one `axis` attribute whose other inputs (split sizes) mean the same in either layout. */
export function permuteAxisAttr({ node, attrs, perm }: PermuteContext<{ readonly axis: number }>): LayoutMove {
  return {
    attrs: { ...node.attrs, axis: perm[normAxis(attrs.axis, perm.length)] },
    inputs: node.inputs.map((_, i) => (i === 0 ? LAYOUT : KEEP)),
    outPerms: node.outputs.map(() => perm),
  };
}

/** The perm from a reduction over x (dims dropped) to the same over y, given the reduced axes of y. */
export function reducedPerm(p: readonly number[], reducedAxesOfY: readonly number[]): number[] {
  const reduced = new Set(reducedAxesOfY);
  const keptY = p.map((_, k) => k).filter((k) => !reduced.has(k));
  const keptX = keptY.map((k) => p[k]).sort((a, b) => a - b);
  return keptY.map((k) => keptX.indexOf(p[k]));
}
