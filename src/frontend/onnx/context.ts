// What an ONNX op converter sees: the node (attributes converted), the opset, the graph
// builder, and helpers that emit canonical nodes and constants for the node's outputs.
import { FormatError, UnsupportedError } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import type { AttrValue, Attrs, Graph, GraphBuilder, ValueInfo } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { attrKindMatches, attrKindProblem } from '../../ir/verify.js';
import { opDef } from '../../ops/index.js';
import type { AttrKind, JsOf } from '../../ops/op.js';
import { dtypeAttribute } from './attrs.js';
import type { GraphProto, TypeProto } from './schema.js';

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** '' marks an omitted optional input or output. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
  /** Subgraph attributes (If's branches, Loop's body), converted when the converter asks. */
  readonly graphs: ReadonlyMap<string, GraphProto>;
  /** Type attributes (Optional's). */
  readonly types: ReadonlyMap<string, TypeProto>;
}

/** A converted subgraph and the outer values it reads, which became its last inputs in this order. */
export interface SubgraphImport {
  readonly graph: Graph;
  readonly captured: readonly string[];
}

/** What the importer lends a converter for subgraphs. */
export interface SubgraphHost {
  /** Converts a subgraph whose declared inputs take `formal` types (undefined: as declared). */
  importSubgraph(g: GraphProto, formal: readonly (ValueInfo | undefined)[]): SubgraphImport;
  /** Makes an outer value readable in the graph being built (captured from the graphs around it). */
  reach(value: string): void;
}

/** How a node's attributes carry over to a canonical op. */
export interface AttrPlan {
  /** ONNX attributes with no canonical meaning at inference (consumed_inputs, is_test, ...). */
  readonly drop?: readonly string[];
  /** Attributes holding an element type, converted to dtype names. */
  readonly dtypes?: readonly string[];
  /** Attributes to set (override or add). */
  readonly set?: Attrs;
}

export class ConvertContext {
  constructor(
    readonly b: GraphBuilder,
    readonly opset: number,
    readonly node: OnnxNode,
    /** The type of a value defined so far (inferred over the graph built up to this node). */
    readonly typeOf: (value: string) => ValueInfo | undefined,
    private readonly host?: SubgraphHost,
  ) {}

  /** Converts subgraph attribute `name` with its inputs typed `formal`; refuses the node when it is missing. */
  subgraph(name: string, formal: readonly (ValueInfo | undefined)[] = []): SubgraphImport {
    const g = this.node.graphs.get(name);
    if (!g) return this.unsupported(`missing subgraph attribute '${name}'`);
    if (!this.host) return this.unsupported('subgraphs are not converted here');
    const done = this.host.importSubgraph(g, formal);
    done.captured.forEach((v) => this.host!.reach(v));
    return done;
  }

  /** Refuses this node; the importer lists it among the unsupported ops with `why`. */
  unsupported(why: string): never {
    throw new UnsupportedError(why);
  }

  attr(name: string): AttrValue | undefined {
    return this.node.attrs.get(name);
  }
  /** Attribute `name` if the node has it, checked to be of `kind` (a FormatError naming it otherwise). */
  typed<K extends AttrKind>(name: string, kind: K): JsOf<K> | undefined {
    const v = this.attr(name);
    if (v === undefined || attrKindMatches(kind, v)) return v as JsOf<K> | undefined;
    throw new FormatError(attrKindProblem(name, kind, v));
  }
  int(name: string, dflt: number): number {
    return this.typed(name, 'int') ?? dflt;
  }
  ints(name: string): readonly number[] | undefined {
    return this.typed(name, 'ints');
  }

  /** Input `i` or '' when omitted. */
  input(i: number): string {
    return this.node.inputs[i] ?? '';
  }

  dtypeOf(value: string): DType | undefined {
    return this.typeOf(value)?.dtype;
  }
  rankOf(value: string): number | undefined {
    return this.typeOf(value)?.shape.length;
  }

  /** A constant holding int64 `values` (1-D, or a scalar when `scalar`). */
  int64Const(hint: string, values: readonly number[], scalar = false): string {
    return this.b.constant(`${this.node.name}/${hint}`, Tensor.from('int64', scalar ? [] : [values.length], values));
  }
  scalarConst(hint: string, dtype: DType, value: number): string {
    return this.b.constant(`${this.node.name}/${hint}`, Tensor.scalar(dtype, value));
  }

  /**
   * The node's attributes carried to canonical op `op`: every attribute must be in the
   * op's schema unless the plan drops it, so a semantic the kernel would ignore is refused.
   */
  attrsFor(op: string, plan: AttrPlan = {}): Attrs {
    const def = opDef(op);
    if (!def) return this.unsupported('no Kiln kernel yet');
    const schema = def.attrs;
    const out: Record<string, AttrValue> = {};
    for (const [k, v] of this.node.attrs) {
      if (plan.drop?.includes(k)) continue;
      if (!(k in schema)) this.unsupported(`attribute '${k}'`);
      if (plan.dtypes?.includes(k)) { out[k] = dtypeAttribute(v, `attribute '${k}'`); continue; }
      // an ONNX FLOAT attribute may arrive as an INT in hand-made files: a number serves either
      if (!attrKindMatches(schema[k].kind, v) && !(schema[k].kind === 'float' && typeof v === 'number')) {
        throw new FormatError(attrKindProblem(k, schema[k].kind, v));
      }
      out[k] = v;
    }
    return { ...out, ...plan.set };
  }

  /** Emits canonical `op` writing the node's own outputs (or `outputs`). */
  emit(op: string, inputs: readonly string[], attrs: Attrs, outputs: readonly string[] = this.node.outputs): string[] {
    const def = opDef(op);
    if (!def) this.unsupported('no Kiln kernel yet');
    const ins = trimTrailing(inputs), outs = trimTrailing(outputs);
    const [minIn, maxIn] = def.inputs;
    if (ins.length > maxIn || ins.length < minIn) this.unsupported(`${ins.length} inputs (Kiln's ${op} takes ${minIn}..${maxIn})`);
    if (outs.length > (def.outputs ?? [1, 1])[1]) this.unsupported(`output ${outs.length - 1} is not produced by Kiln's ${op}`);
    return this.b.addNode(op, ins, attrs, { name: this.node.name, outputs: outs });
  }

  /** Emits a helper node with fresh outputs (part of a rewrite); returns its first output. */
  helper(op: string, inputs: readonly string[], attrs: Attrs = {}): string {
    if (!opDef(op)) this.unsupported(`needs ${op}, which has no Kiln kernel yet`);
    return this.b.add1(op, inputs, attrs, `${this.node.name}/${op}`);
  }
}

/** Drops trailing '' entries: an omitted optional input or output at the end is the same as absent. */
function trimTrailing(names: readonly string[]): string[] {
  let n = names.length;
  while (n > 0 && !names[n - 1]) n--;
  return names.slice(0, n);
}
