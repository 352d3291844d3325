// How an op states its facts: attribute schema, arity, fusion kind, type/shape inference
// and a reference kernel. Every canonical op is one `defineOp` entry in a family file.
import type { Attrs, AttrValue, Graph, Node, ValueInfo } from '../ir/graph.js';
import type { Dim } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import type { RunValue } from '../ir/value.js';
import type { Buffer, ElemType, Stmt } from '../loop/ir.js';
import type { TeTensor } from '../lower/te.js';
import type { Schedule } from '../schedule/schedule.js';
import type { ChannelWeights, ExpandContext, LayoutMove, PadAbsorption, PassThroughContext, PermuteContext, ScheduleContext } from './facets.js';

/** TVM's operator pattern kinds: what a fusion pass may merge an op with. */
export type FusionKind = 'elemwise' | 'broadcast' | 'injective' | 'reduce' | 'out-fusable' | 'opaque';

/** Kinds whose output element i reads only element i of each input (broadcast inputs at their broadcast index). */
export const isElementwiseKind = (kind: string | undefined): boolean => kind === 'elemwise' || kind === 'broadcast';

export type AttrKind = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor' | 'graph' | 'graphs';
export type JsOf<K extends AttrKind> =
  K extends 'int' | 'float' ? number :
  K extends 'string' ? string :
  K extends 'ints' | 'floats' ? readonly number[] :
  K extends 'strings' ? readonly string[] :
  K extends 'graph' ? Graph :
  K extends 'graphs' ? readonly Graph[] : Tensor;

export interface AttrSpec<K extends AttrKind = AttrKind> {
  readonly kind: K;
  readonly default?: JsOf<K>;
  readonly required?: true;
}
export type AttrSchema = Readonly<Record<string, AttrSpec>>;

/** The attribute object a kernel sees: defaulted and required attributes are never undefined. */
export type AttrsOf<S extends AttrSchema> = {
  readonly [K in keyof S]: S[K] extends { default: unknown } | { required: true }
    ? JsOf<S[K]['kind']> : JsOf<S[K]['kind']> | undefined;
};

function spec<K extends AttrKind>(kind: K) {
  function make(): { kind: K };
  function make(dflt: JsOf<K>): { kind: K; default: JsOf<K> };
  function make(dflt?: JsOf<K>) { return dflt === undefined ? { kind } : { kind, default: dflt }; }
  return make;
}
/** Attribute spec constructors: `attr.int(1)` has a default, `attr.int()` is optional. */
export const attr = {
  int: spec('int'), float: spec('float'), string: spec('string'),
  ints: spec('ints'), floats: spec('floats'), strings: spec('strings'), tensor: spec('tensor'),
  graph: spec('graph'), graphs: spec('graphs'),
  required<K extends AttrKind>(kind: K): { kind: K; required: true } { return { kind, required: true }; },
};

export interface InferContext<A> {
  readonly node: Node;
  readonly attrs: A;
  /** Types of the inputs; undefined for an omitted optional input. */
  readonly inputs: readonly (ValueInfo | undefined)[];
  /** The value of input `i` when it is a compile-time constant. */
  constant(i: number): Tensor | undefined;
  /** A new symbolic dim, for sizes known only at run time (data-dependent outputs). */
  symbol(hint: string): Dim;
  /**
   * Types a subgraph (If's branch, Loop's body) for the given input types and returns its output
   * types; shape inference provides it, other users of `infer` may not (ops with subgraphs then throw).
   */
  readonly subgraph?: (g: Graph, inputs: readonly ValueInfo[]) => readonly ValueInfo[];
}

/** What `evaluate` sees: run-time values of any kind, and a way to run subgraphs. */
export interface EvaluateContext<A> {
  readonly node: Node;
  readonly attrs: A;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly (RunValue | undefined)[];
  /** Runs a subgraph of the node on values bound to its inputs in order; its outputs in order. */
  runGraph(g: Graph, inputs: readonly RunValue[]): readonly RunValue[];
}

export interface RunContext<A> {
  readonly node: Node;
  readonly attrs: A;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly (Tensor | undefined)[];
}

/** What a compute definition sees: static types, inputs as tensor expressions, constant values. */
export interface ComputeContext<A> {
  readonly attrs: A;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly (TeTensor | undefined)[];
  readonly inputTypes: readonly (ValueInfo | undefined)[];
  /** The value of input `i` when it is a compile-time constant (shapes, axes, pads, indices). */
  constant(i: number): Tensor | undefined;
  /** Name (the final compute of output i takes it, so it needs no copy), static shape, element type. */
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly elem: ElemType }[];
}

/** An output axis whose length input values decide at run time, and the most it can be. */
export interface DynamicExtent {
  readonly axis: number;
  readonly max: number;
}

/** A buffer of a hand-written kernel with the static shape of its value. */
export interface KernelBuffer {
  readonly buffer: Buffer;
  readonly shape: readonly number[];
}

/** What a hand-written kernel sees: its buffers, and a count buffer (i32 [1]) per dynamic output. */
export interface KernelContext<A> {
  readonly attrs: A;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly (KernelBuffer | undefined)[];
  /** The value of input `i` when it is a compile-time constant. */
  constant(i: number): Tensor | undefined;
  /** Dynamic outputs have their bound shape; the kernel writes their leading part. */
  readonly outputs: readonly KernelBuffer[];
  /** Where the kernel stores each dynamic output's actual extent, by output index. */
  readonly counts: ReadonlyMap<number, Buffer>;
}

export interface OpDef<S extends AttrSchema = AttrSchema> {
  readonly attrs: S;
  /** [min, max] number of inputs (max may be Infinity for variadic ops). */
  readonly inputs: readonly [number, number];
  /** Positions below the minimum that may still be omitted (''): Loop's trip count and condition. */
  readonly omittable?: readonly number[];
  /** [min, max] number of outputs; defaults to [1, 1]. */
  readonly outputs?: readonly [number, number];
  readonly fusion: FusionKind;
  infer(ctx: InferContext<AttrsOf<S>>): readonly ValueInfo[];
  /**
   * Optional: the outputs' values when they follow from input types alone (Shape, Size),
   * so shape inference can see through shape computations on non-constant tensors.
   */
  value?(ctx: InferContext<AttrsOf<S>>): readonly Tensor[] | undefined;
  /** The reference kernel on tensors (also what constant folding computes with). */
  run?(ctx: RunContext<AttrsOf<S>>): readonly Tensor[];
  /**
   * The reference kernel of ops that take or give sequences or optionals or run subgraphs (If, Loop,
   * Scan, the sequence and optional ops, and Identity on any value). The executor calls it when an
   * op has no `run` or an input is not a tensor; constant folding leaves ops without `run` alone.
   */
  evaluate?(ctx: EvaluateContext<AttrsOf<S>>): readonly RunValue[];
  /**
   * Optional: true when the output is input 0's storage read under another shape (Reshape,
   * a Transpose that only moves unit dims, ...), so memory planning can share the buffer.
   */
  view?(ctx: { readonly attrs: AttrsOf<S>; readonly inputs: readonly (ValueInfo | undefined)[] }): boolean;
  /**
   * Optional: the outputs as tensor expressions over the inputs, for lowering to the loop IR
   * (src/lower). Throws UnsupportedError for attribute or dtype cases it does not cover.
   */
  compute?(ctx: ComputeContext<AttrsOf<S>>): readonly TeTensor[];
  /**
   * Optional, for outputs no tensor expression states (NonZero, NonMaxSuppression): the kernel
   * body as loop IR over the buffers, a sequential loop where the work is one. Undefined: this
   * node's shapes are better served by `compute` (TopK on short lines).
   */
  kernel?(ctx: KernelContext<AttrsOf<S>>): Stmt | undefined;
  /**
   * Optional: per output, the axis whose length depends on input values and its bound. The model
   * compiles for the bound; the kernel stores the actual length and the runtime trims to it.
   */
  dynamicOutputs?(ctx: InferContext<AttrsOf<S>>): readonly (DynamicExtent | undefined)[];
  /**
   * Optional: multiply-accumulates of one run, for ops that do dense arithmetic (conv,
   * matmul, ...), given static input and output types. Used by `kiln inspect` and benches.
   */
  macs?(ctx: { readonly attrs: AttrsOf<S>; readonly inputs: readonly (ValueInfo | undefined)[]; readonly outputs: readonly ValueInfo[] }): number;
  // Facets the graph passes and defaultSchedule ask (src/ops/facets.ts); an op without one is left alone.
  /**
   * Optional: the kernel's schedule at the default knobs of the template its compute fits
   * (src/schedule/templates.ts). Without it, elementwise kinds take the elementwise template.
   */
  schedule?(ctx: ScheduleContext<AttrsOf<S>>): Schedule;
  /** Optional: the input whose value output 0 is (Identity, a Cast to the same dtype, x + 0, ...), if it is. */
  passThrough?(ctx: PassThroughContext<AttrsOf<S>>): number | undefined;
  /** Set when output 0 is input 0's elements in order under the output's shape, so a chain of these is one Reshape. */
  readonly reshapes?: true;
  /** Optional: the constant Pad of input 0's spatial axes the op's own padding can stand for. */
  absorbPad?(ctx: { readonly attrs: AttrsOf<S>; readonly outputs: number }): PadAbsorption | undefined;
  /** Optional: where a per-output-channel scale or shift folds into the op's constant weights and bias. */
  channelWeights?(ctx: { readonly attrs: AttrsOf<S>; readonly inputs: readonly (ValueInfo | undefined)[] }): ChannelWeights | undefined;
  /**
   * Optional: how the node runs on x when its inputs are y = transpose(x, perm), so layout planning
   * can move the transpose past it; undefined when it depends on the layout. Elementwise kinds need none.
   */
  permute?(ctx: PermuteContext<AttrsOf<S>>): LayoutMove | undefined;
  /**
   * Optional: true when the op uses its inputs' element values only by copying them or testing
   * them for equality (movement, Gather, Equal, Where), so compiled code can run it on string
   * tensors held as int32 handles, one per distinct string (src/compile/string-handles.ts).
   */
  handlesStrings?(attrs: AttrsOf<S>): boolean;
  /**
   * Optional, for ops whose compiled form is a graph of other canonical ops (recurrences unrolled,
   * Attention): emits it into ctx.emit and returns true, or false when it cannot (symbolic shapes).
   * src/passes/expand.ts splices it in before folding and fusion; `run` stays the oracle.
   */
  expand?(ctx: ExpandContext<AttrsOf<S>>): boolean;
  /**
   * Optional, for ops with subgraphs: the subgraph the node amounts to when constant inputs decide
   * which (an If whose condition is a constant), with the node input bound to each of its inputs.
   * src/passes/inline-subgraphs.ts splices it in place of the node.
   */
  inline?(ctx: { readonly attrs: AttrsOf<S>; readonly inputs: number; constant(i: number): Tensor | undefined }):
    { readonly graph: Graph; readonly inputs: readonly number[] } | undefined;
}

/** The `handlesStrings` facet of ops that only move their elements or compare them for equality. */
export const opaqueElements = (): boolean => true;

/** Identity function that fixes the attribute type of `run` and `infer` from the schema. */
export function defineOp<S extends AttrSchema>(def: OpDef<S>): OpDef<S> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOpDef = OpDef<any>;
export type OpTable = Readonly<Record<string, AnyOpDef>>;

/** Fills defaults from the schema; leaves type checking to the verifier. */
export function resolveAttrs(schema: AttrSchema, attrs: Attrs): Record<string, AttrValue | undefined> {
  const out: Record<string, AttrValue | undefined> = {};
  for (const [k, s] of Object.entries(schema)) out[k] = attrs[k] ?? s.default;
  return out;
}
