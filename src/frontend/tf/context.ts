// What a TF op converter works with: the graph being built, the canonical value bound to every
// TF output, lazily inferred types, and the layout and constant plumbing converters share.
import { FormatError, KilnError, UnsupportedError } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import { GraphBuilder, type Attrs, type Node, type ValueInfo } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { opDef } from '../../ops/index.js';
import { resolveAttrs } from '../../ops/op.js';
import { foldConstants } from '../../passes/fold-constants.js';
import { inferShapes } from '../../passes/infer-shapes.js';
import { knownElements, type Elements } from './known-elements.js';
import { refName, type TfNode, type TfRef } from './node.js';
import type { ListElements } from './tensor-lists.js';

/** The canonical op names the TF mapping emits (see the op set in src/ops/). */
export type CanonicalOp =
  | 'Abs' | 'Neg' | 'Reciprocal' | 'Floor' | 'Ceil' | 'Round' | 'Sqrt' | 'Exp' | 'Log' | 'Sin' | 'Cos'
  | 'Tan' | 'Asin' | 'Acos' | 'Atan' | 'Sinh' | 'Cosh' | 'Asinh' | 'Acosh' | 'Atanh' | 'Erf' | 'Sign'
  | 'Not' | 'IsNaN' | 'IsInf' | 'Relu' | 'LeakyRelu' | 'PRelu' | 'Elu' | 'Selu' | 'Sigmoid' | 'Tanh'
  | 'Softplus' | 'Softsign' | 'Clip' | 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Mod' | 'Max' | 'Min'
  | 'Sum' | 'Equal' | 'Less' | 'LessOrEqual' | 'Greater' | 'GreaterOrEqual' | 'And' | 'Or' | 'Xor'
  | 'Where' | 'Atan2' | 'Cast' | 'BitwiseAnd' | 'BitwiseOr' | 'BitwiseXor' | 'BitwiseNot'
  | 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd' | 'ArgMax' | 'ArgMin'
  | 'Softmax' | 'LogSoftmax' | 'CumSum'
  | 'Conv' | 'ConvTranspose' | 'MatMul' | 'Gemm' | 'BatchNormalization' | 'LRN' | 'MaxPool' | 'AveragePool'
  | 'Identity' | 'Shape' | 'Size' | 'Reshape' | 'Squeeze' | 'Unsqueeze' | 'Expand' | 'Range'
  | 'Transpose' | 'Concat' | 'Split' | 'Slice' | 'Pad' | 'Tile' | 'DepthToSpace' | 'SpaceToDepth'
  | 'Gather' | 'GatherND' | 'ScatterND' | 'OneHot' | 'NonZero' | 'Resize' | 'TopK' | 'NonMaxSuppression';

/** An op form or attribute value Kiln does not map; the walk collects these per op type. */
export class UnsupportedVariant extends UnsupportedError {
  constructor(readonly detail: string, where: string) {
    super(`${where}: ${detail} is not supported`);
  }
}

/** State shared by every node's conversion. */
export class TfGraphState {
  /** Value bound to each TF output ('name' or 'name:k'). */
  private readonly bound = new Map<string, string>();
  /** TF constants not yet added to the graph: only those read as values become graph constants. */
  private readonly pending = new Map<string, Tensor>();
  private infos = new Map<string, ValueInfo>();

  /** Tensor arrays and lists, by the marker bound in place of a value (see tensor-lists.ts). */
  private readonly lists = new Map<string, ListElements>();

  constructor(readonly builder: GraphBuilder, readonly int64As: DType) {}

  /** A marker standing for a new list with these elements; converters of list ops look it up. */
  newList(elements: ListElements): string {
    const marker = `tensor-list:${this.lists.size}`;
    this.lists.set(marker, elements);
    return marker;
  }

  list(marker: string): ListElements | undefined {
    return this.lists.get(marker);
  }

  bind(ref: TfRef, value: string): void {
    this.bound.set(refName(ref), value);
  }

  bindConstant(ref: TfRef, t: Tensor): void {
    this.pending.set(refName(ref), t);
  }

  isBound(ref: TfRef): boolean {
    const r = refName(ref);
    return this.bound.has(r) || this.pending.has(r);
  }

  /** The canonical value of a TF output, adding a pending constant to the graph on first use. */
  value(ref: TfRef, where: string): string {
    const r = refName(ref);
    const v = this.bound.get(r);
    if (v !== undefined) return v;
    const t = this.pending.get(r);
    if (!t) throw new FormatError(`${where}: input '${r}' is not produced by any supported node`);
    const name = this.builder.addConstant(this.builder.fresh(r), t);
    this.bound.set(r, name);
    return name;
  }

  /** The tensor of a TF output when it is a constant. */
  constantOf(ref: TfRef): Tensor | undefined {
    const r = refName(ref);
    const v = this.bound.get(r);
    return v === undefined ? this.pending.get(r) : this.builder.constantOf(v);
  }

  /** The value of `value` when the graph built so far computes it from constants alone. */
  foldedValue(value: string): Tensor | undefined {
    const known = this.builder.constantOf(value);
    if (known) return known;
    const g = this.builder.build();
    // only the nodes `value` depends on, with it as the output (folding drops constants nobody reads)
    const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    const needed = new Set<Node>();
    const stack = [value];
    while (stack.length) {
      const n = producer.get(stack.pop()!);
      if (!n || needed.has(n)) continue;
      needed.add(n);
      stack.push(...n.inputs.filter((v) => v));
    }
    const sub = { ...g, nodes: g.nodes.filter((n) => needed.has(n)), outputs: [value] };
    try {
      return foldConstants(inferShapes(sub)).constants.get(value);
    } catch (e) {
      if (e instanceof KilnError) return undefined; // a kernel rejects these constants: the value is not known here
      throw e;
    }
  }

  /** Inferred type of a value; infers the graph built so far when the value is new. */
  info(value: string): ValueInfo {
    let i = this.infos.get(value);
    if (!i) {
      this.infos = new Map(inferShapes(this.builder.build()).values);
      i = this.infos.get(value);
      if (!i) throw new FormatError(`value '${value}' has no type`);
    }
    return i;
  }
}

/** Runs a canonical kernel on constant inputs: import-time transforms of weights. */
export function foldConstant(op: CanonicalOp, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor {
  const def = opDef(op);
  if (!def?.run) throw new UnsupportedError(`canonical op ${op} is not available to fold a constant`);
  const node = { name: op, op, inputs: [], outputs: [], attrs };
  return def.run({ node, attrs: resolveAttrs(def.attrs, attrs), inputs })[0];
}

const NHWC_TO_NCHW = (rank: number) => [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
const NCHW_TO_NHWC = (rank: number) => [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];

/** One node's view: its inputs as canonical values or constants, and emitters named after it. */
export class NodeContext {
  constructor(readonly state: TfGraphState, readonly node: TfNode) {}

  get attrs() { return this.node.attrs; }
  get inputCount(): number { return this.node.inputs.length; }

  input(i: number): string {
    const ref = this.node.inputs[i];
    if (!ref) throw new FormatError(`${this.node.where} has ${this.inputCount} inputs, needs at least ${i + 1}`);
    return this.state.value(ref, this.node.where);
  }

  inputs(from = 0, to = this.inputCount): string[] {
    return Array.from({ length: to - from }, (_, k) => this.input(from + k));
  }

  constant(i: number): Tensor | undefined {
    const ref = this.node.inputs[i];
    return ref && this.state.constantOf(ref);
  }

  /**
   * The values of an input converters need at import time (axes, perms, sizes): a constant, or a
   * value the graph computes from constants and static shapes (padding arithmetic on Shape).
   */
  constInts(i: number, what: string): number[] {
    const t = this.constant(i) ?? this.state.foldedValue(this.input(i));
    if (!t) throw this.unsupported(`a computed (non-constant) ${what}`);
    return t.toArray();
  }

  /**
   * The elements of a small integer input known at import: constants, and shape arithmetic on
   * static dims (a Shape/StridedSlice/Pack chain); undefined where an element depends on a symbol.
   */
  knownInts(i: number): Elements | undefined {
    const t = this.constant(i) ?? this.state.foldedValue(this.input(i));
    if (t) return t.toArray();
    return knownElements(inferShapes(this.state.builder.build()), this.input(i));
  }

  unsupported(detail: string): UnsupportedVariant {
    return new UnsupportedVariant(detail, this.node.where);
  }

  emit(op: CanonicalOp, inputs: readonly string[], attrs: Attrs = {}, outputs = 1): string[] {
    return this.state.builder.addNode(op, inputs, attrs, { name: `${this.node.name}/${op}`, outputs });
  }

  emit1(op: CanonicalOp, inputs: readonly string[], attrs: Attrs = {}): string {
    return this.emit(op, inputs, attrs)[0];
  }

  constantValue(t: Tensor, hint: string): string {
    return this.state.builder.constant(`${this.node.name}/${hint}`, t);
  }

  int64s(values: readonly number[], hint = 'axes'): string {
    return this.constantValue(Tensor.from('int64', [values.length], values), hint);
  }

  scalar(dtype: DType, v: number, hint = 'scalar'): string {
    return this.constantValue(Tensor.scalar(dtype, v), hint);
  }

  info(value: string): ValueInfo { return this.state.info(value); }
  rank(value: string): number { return this.info(value).shape.length; }

  /** Input `i` transformed by `op`: folded into a new constant when the input is one (weights). */
  derived(i: number, op: CanonicalOp, attrs: Attrs, hint: string): string {
    const t = this.constant(i);
    return t ? this.constantValue(foldConstant(op, [t], attrs), hint) : this.emit1(op, [this.input(i)], attrs);
  }

  transpose(value: string, perm: readonly number[]): string {
    return this.emit1('Transpose', [value], { perm });
  }
  toChannelsFirst(value: string, rank = 4): string { return this.transpose(value, NHWC_TO_NCHW(rank)); }
  toChannelsLast(value: string, rank = 4): string { return this.transpose(value, NCHW_TO_NHWC(rank)); }

  cast(value: string, to: DType): string {
    return this.emit1('Cast', [value], { to });
  }
}
