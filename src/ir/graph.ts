// The graph IR: values with dtype and shape, nodes with typed attributes, constants,
// graph inputs and outputs. Plain readonly data; passes build new graphs. A node's subgraphs
// (If's branches, Loop's body) are graphs in its attributes, closed over nothing: every outer
// value a subgraph reads is one of the node's inputs and one of the subgraph's (see subgraphsOf).
import { GraphError } from '../errors.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

export type AttrValue = number | string | readonly number[] | readonly string[] | Tensor | Graph | readonly Graph[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/** What holds a value's tensors when it is not a plain tensor. */
export type Container = 'sequence' | 'optional';

export interface ValueInfo {
  /** The element type of the tensor, or of every tensor a container holds. */
  readonly dtype: DType;
  /** The tensor's shape, or the shape of the tensors a container holds (symbolic where they differ). */
  readonly shape: Shape;
  /** Absent for a tensor; else the containers around the tensors, outermost first (optional<sequence<T>>). */
  readonly containers?: readonly Container[];
  /** Set on a container whose tensors' shapes are unknown, rank included (an empty sequence's); `shape` is then []. */
  readonly anyShape?: true;
}

export interface Node {
  /** Unique within the graph; the framework's node name where it had one. */
  readonly name: string;
  /** A canonical op name (a key of the table in src/ops/index.ts). */
  readonly op: string;
  /** Value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

export interface ModelMeta {
  /** 'onnx' | 'tfjs-graph' | 'tfjs-layers' | 'graphdef' */
  readonly format: string;
  readonly producer?: string;
  readonly opset?: number;
}

export interface Graph {
  readonly name: string;
  readonly meta: ModelMeta;
  /** Names of the values fed by the caller, in the model's order. */
  readonly inputs: readonly string[];
  /** Names of the values returned, in the model's order. */
  readonly outputs: readonly string[];
  /** In topological order. */
  readonly nodes: readonly Node[];
  /** Weights and other constants, by value name. */
  readonly constants: ReadonlyMap<string, Tensor>;
  /** The type of every value: inputs, constants and node outputs. */
  readonly values: ReadonlyMap<string, ValueInfo>;
}

/**
 * Accumulates a graph while a frontend walks a model. Value types other than inputs and
 * constants are filled later by shape inference (src/passes/infer-shapes.ts).
 */
export class GraphBuilder {
  private readonly inputs: string[] = [];
  private outputs: string[] = [];
  private readonly nodes: Node[] = [];
  private readonly constants = new Map<string, Tensor>();
  private readonly values = new Map<string, ValueInfo>();
  /** Every value name in use (inputs, constants, node outputs, names handed out by fresh). */
  private readonly valueNames = new Set<string>();
  private readonly nodeNames = new Set<string>();
  /** Values that exist: inputs, constants, node outputs. */
  private readonly defined = new Set<string>();
  private counter = 0;

  constructor(readonly name: string, readonly meta: ModelMeta) {}

  /** A value name not used yet, derived from `base`, reserved for the caller. */
  fresh(base: string): string {
    const n = this.unused(base, this.valueNames);
    this.valueNames.add(n);
    return n;
  }

  /** True when `value` names an input, a constant or a node output. */
  has(value: string): boolean {
    return this.defined.has(value);
  }

  addInput(name: string, info: ValueInfo): string {
    this.define(name);
    this.inputs.push(name);
    this.values.set(name, info);
    return name;
  }

  addConstant(name: string, t: Tensor): string {
    this.define(name);
    this.constants.set(name, t);
    this.values.set(name, { dtype: t.dtype, shape: t.shape });
    return name;
  }

  /** Adds a constant under a fresh name derived from `base`. */
  constant(base: string, t: Tensor): string {
    return this.addConstant(this.fresh(base), t);
  }

  constantOf(name: string): Tensor | undefined {
    return this.constants.get(name);
  }

  /**
   * Appends a node. `outputs` are value names; pass a number to get that many fresh
   * names derived from the node name. Returns the output names.
   */
  addNode(op: string, inputs: readonly string[], attrs: Attrs = {},
    opts: { name?: string; outputs?: readonly string[] | number } = {}): string[] {
    const name = this.unused(opts.name ?? op, this.nodeNames);
    this.nodeNames.add(name);
    const outs = typeof opts.outputs === 'object' ? [...opts.outputs]
      : Array.from({ length: opts.outputs ?? 1 }, (_, i) => this.fresh(i ? `${name}:${i}` : name));
    for (const o of outs) if (o) this.define(o);
    this.nodes.push({ name, op, inputs: [...inputs], outputs: outs, attrs });
    return outs;
  }

  /** addNode for a single-output node. */
  add1(op: string, inputs: readonly string[], attrs: Attrs = {}, name?: string): string {
    return this.addNode(op, inputs, attrs, { name })[0];
  }

  /** Turns inputs into constants holding `values` (a frozen input): the graph no longer takes them. */
  freeze(values: Readonly<Record<string, Tensor>>): void {
    for (const [name, t] of Object.entries(values)) {
      const at = this.inputs.indexOf(name);
      if (at < 0) throw new GraphError(`cannot freeze '${name}': it is not an input`);
      this.inputs.splice(at, 1);
      this.constants.set(name, t);
      this.values.set(name, { dtype: t.dtype, shape: t.shape });
    }
  }

  setOutputs(names: readonly string[]): void {
    this.outputs = [...names];
  }

  build(): Graph {
    return {
      name: this.name, meta: this.meta,
      inputs: [...this.inputs], outputs: [...this.outputs], nodes: [...this.nodes],
      constants: new Map(this.constants), values: new Map(this.values),
    };
  }

  private unused(base: string, taken: ReadonlySet<string>): string {
    let n = base;
    while (taken.has(n)) n = `${base}_${++this.counter}`;
    return n;
  }

  private define(name: string): void {
    if (this.defined.has(name)) throw new GraphError(`value '${name}' is defined twice`);
    this.defined.add(name);
    this.valueNames.add(name);
  }
}

/** Index of the node producing each value. */
export function producerIndex(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => m.set(o, i)));
  return m;
}

/** Number of times each value is read by a node or as a graph output. */
export function useCounts(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  const bump = (v: string) => { if (v) m.set(v, (m.get(v) ?? 0) + 1); };
  for (const n of g.nodes) n.inputs.forEach(bump);
  g.outputs.forEach(bump);
  return m;
}

/** True for the value of a graph or graphs attribute. */
export function isGraph(v: AttrValue | undefined): v is Graph {
  return typeof v === 'object' && v !== null && 'nodes' in v && Array.isArray((v as Graph).nodes);
}

/**
 * The subgraphs among a node's attributes, by attribute name. A subgraph reads no value of the
 * graph around it by name: its inputs are bound, in order, to values the node's op names (If's
 * branches to the node's inputs after the condition, Loop's body to the iteration, condition and
 * carried values, then the captured outer values at the end of the node's inputs). So a pass that
 * sees a node's inputs sees every outer value its subgraphs read, and renaming outer values never
 * reaches inside.
 */
export function subgraphsOf(n: Node): [string, Graph][] {
  const out: [string, Graph][] = [];
  for (const [k, v] of Object.entries(n.attrs)) {
    if (isGraph(v)) out.push([k, v]);
    else if (Array.isArray(v)) v.forEach((g, i) => { if (isGraph(g)) out.push([`${k}[${i}]`, g]); });
  }
  return out;
}

/** True when a value's type is a plain tensor (no sequence or optional around it). */
export const isTensorType = (info: ValueInfo | undefined): boolean => !info?.containers?.length;
