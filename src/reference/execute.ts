// The reference executor: runs a graph node by node with the plain-TypeScript kernels, and the
// subgraphs of If, Loop and Scan the same way, on the values their op binds to the subgraph's
// inputs. It is the oracle every compiled kernel is checked against, so it favours clarity.
import { GraphError, InputError, KilnError, UnsupportedError, withContext } from '../errors.js';
import type { Graph, Node } from '../ir/graph.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { containersOf, describeValue, fmtType, type RunValue } from '../ir/value.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

export type Feeds = Readonly<Record<string, Tensor>>;
/** Feeds of models whose inputs may be sequences or optionals. */
export type ValueFeeds = Readonly<Record<string, RunValue>>;

/** Checks feeds against the graph's inputs: every input given, kind, dtype and shape agree. */
export function checkFeeds(g: Graph, feeds: ValueFeeds): void {
  const bound = new Map<string, number>();
  for (const name of g.inputs) {
    const v = feeds[name];
    const want = g.values.get(name)!;
    if (!v) throw new InputError(`missing input '${name}' (${fmtType(want)}); give it, or use --random`);
    if (containersOf(v).join('<') !== (want.containers ?? []).join('<')) {
      throw new InputError(`input '${name}' must be ${fmtType(want)}, got ${describeValue(v)}`);
    }
    if (!(v instanceof Tensor)) continue;
    if (v.dtype !== want.dtype) {
      throw new InputError(`input '${name}' must be ${want.dtype}, got ${v.dtype}`);
    }
    const bad = () => new InputError(
      `input '${name}' has shape ${fmtShape(v.shape)} but the model expects ${fmtShape(want.shape)}`);
    if (v.shape.length !== want.shape.length) throw bad();
    want.shape.forEach((d: Dim, i) => {
      const got = v.shape[i];
      if (typeof d === 'number') { if (d !== got) throw bad(); return; }
      const prev = bound.get(d);
      if (prev !== undefined && prev !== got) throw bad();
      bound.set(d, got);
    });
  }
  for (const name of Object.keys(feeds)) {
    if (!g.inputs.includes(name)) {
      throw new InputError(`'${name}' is not an input of the model; its inputs are ${g.inputs.map((s) => `'${s}'`).join(', ')}`);
    }
  }
}

export interface ExecuteOptions {
  /** Called after each node with its outputs (debugging, tracing intermediate values). */
  readonly onNode?: (node: Graph['nodes'][number], outputs: readonly RunValue[]) => void;
}

/** Runs a graph whose outputs are tensors; returns them in graph order, keyed by value name. */
export function execute(g: Graph, feeds: Feeds, opts: ExecuteOptions = {}): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  for (const [name, v] of executeValues(g, feeds, opts)) {
    if (!(v instanceof Tensor)) throw new UnsupportedError(`output '${name}' is ${describeValue(v)}; only tensor outputs are returned here`);
    result.set(name, v);
  }
  return result;
}

/** Runs the graph on feeds of any kind; returns its outputs (tensors, sequences, optionals) by name. */
export function executeValues(g: Graph, feeds: ValueFeeds, opts: ExecuteOptions = {}): Map<string, RunValue> {
  checkFeeds(g, feeds);
  const outs = runGraph(g, g.inputs.map((name) => feeds[name]), opts);
  return new Map(g.outputs.map((o, i) => [o, outs[i]]));
}

/** Runs `g` on `inputs` bound to its inputs in order (the subgraphs of control flow); its outputs in order. */
function runGraph(g: Graph, inputs: readonly RunValue[], opts: ExecuteOptions): RunValue[] {
  const env = new Map<string, RunValue>(g.constants);
  g.inputs.forEach((name, i) => env.set(name, inputs[i]));

  // free each intermediate after its last reader so big models fit in memory
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((v) => v && lastUse.set(v, i)));
  const keep = new Set([...g.outputs, ...g.constants.keys(), ...g.inputs]);

  g.nodes.forEach((node, i) => {
    const ins = node.inputs.map((v) => {
      if (!v) return undefined;
      const t = env.get(v);
      if (!t) throw new GraphError(`node '${node.name}' (${node.op}) reads '${v}', which has no value`);
      return t;
    });
    const outs = runNode(node, ins, opts);
    node.outputs.forEach((o, k) => { if (o) env.set(o, outs[k]); });
    opts.onNode?.(node, outs);
    for (const v of node.inputs) if (v && lastUse.get(v) === i && !keep.has(v)) env.delete(v);
  });

  return g.outputs.map((o) => {
    const v = env.get(o);
    if (!v) throw new GraphError(`graph output '${o}' was not computed`);
    return v;
  });
}

/** One node's outputs: its op's tensor kernel, or `evaluate` for ops over any value and subgraphs. */
function runNode(node: Node, inputs: readonly (RunValue | undefined)[], opts: ExecuteOptions): readonly RunValue[] {
  const def = opDef(node.op);
  if (!def) throw new GraphError(`node '${node.name}': unknown canonical op ${node.op}`);
  const attrs = resolveAttrs(def.attrs, node.attrs);
  try {
    const tensors = inputs.every((v) => v === undefined || v instanceof Tensor);
    if (def.run && (tensors || !def.evaluate)) {
      if (!tensors) {
        const k = inputs.findIndex((v) => v !== undefined && !(v instanceof Tensor));
        throw new GraphError(`input '${node.inputs[k]}' is ${describeValue(inputs[k]!)}; ${node.op} takes tensors`);
      }
      return def.run({ node, attrs, inputs: inputs as readonly (Tensor | undefined)[] });
    }
    if (!def.evaluate) throw new GraphError(`canonical op ${node.op} has no reference kernel`);
    return def.evaluate({ node, attrs, inputs, runGraph: (sub, values) => runGraph(sub, values, opts) });
  } catch (e) {
    if (!(e instanceof KilnError)) {
      const msg = e instanceof Error ? e.message : String(e);
      const wrapped = new KilnError('E_INTERNAL', `kernel failed: ${msg}`);
      wrapped.stack = e instanceof Error ? e.stack : wrapped.stack;
      e = wrapped;
    }
    throw withContext(e, `node '${node.name}' (${node.op})`);
  }
}
