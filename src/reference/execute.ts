// The reference executor: runs a graph node by node with the plain-TypeScript kernels.
// It is the oracle every compiled kernel is checked against, so it favours clarity.
import { GraphError, InputError, KilnError, withContext } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

export type Feeds = Readonly<Record<string, Tensor>>;

/** Checks feeds against the graph's inputs: every input given, dtype and shape agree. */
export function checkFeeds(g: Graph, feeds: Feeds): void {
  const bound = new Map<string, number>();
  for (const name of g.inputs) {
    const t = feeds[name];
    const want = g.values.get(name)!;
    if (!t) throw new InputError(`missing input '${name}' (${want.dtype} ${fmtShape(want.shape)}); give it, or use --random`);
    if (t.dtype !== want.dtype) {
      throw new InputError(`input '${name}' must be ${want.dtype}, got ${t.dtype}`);
    }
    const bad = () => new InputError(
      `input '${name}' has shape ${fmtShape(t.shape)} but the model expects ${fmtShape(want.shape)}`);
    if (t.shape.length !== want.shape.length) throw bad();
    want.shape.forEach((d: Dim, i) => {
      const got = t.shape[i];
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
  readonly onNode?: (node: Graph['nodes'][number], outputs: readonly Tensor[]) => void;
}

/** Runs the graph; returns the outputs in graph order, keyed by value name. */
export function execute(g: Graph, feeds: Feeds, opts: ExecuteOptions = {}): Map<string, Tensor> {
  checkFeeds(g, feeds);
  const env = new Map<string, Tensor>(g.constants);
  for (const name of g.inputs) env.set(name, feeds[name]);

  // free each intermediate after its last reader so big models fit in memory
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((v) => v && lastUse.set(v, i)));
  const keep = new Set([...g.outputs, ...g.constants.keys(), ...g.inputs]);

  g.nodes.forEach((node, i) => {
    const def = opDef(node.op);
    if (!def) throw new GraphError(`node '${node.name}': unknown canonical op ${node.op}`);
    const inputs = node.inputs.map((v) => {
      if (!v) return undefined;
      const t = env.get(v);
      if (!t) throw new GraphError(`node '${node.name}' (${node.op}) reads '${v}', which has no value`);
      return t;
    });
    let outs: readonly Tensor[];
    try {
      outs = def.run({ node, attrs: resolveAttrs(def.attrs, node.attrs), inputs });
    } catch (e) {
      if (!(e instanceof KilnError)) {
        const msg = e instanceof Error ? e.message : String(e);
        const wrapped = new KilnError('E_INTERNAL', `kernel failed: ${msg}`);
        wrapped.stack = e instanceof Error ? e.stack : wrapped.stack;
        e = wrapped;
      }
      throw withContext(e, `node '${node.name}' (${node.op})`);
    }
    node.outputs.forEach((o, k) => { if (o) env.set(o, outs[k]); });
    opts.onNode?.(node, outs);
    for (const v of node.inputs) if (v && lastUse.get(v) === i && !keep.has(v)) env.delete(v);
  });

  const result = new Map<string, Tensor>();
  for (const o of g.outputs) {
    const t = env.get(o);
    if (!t) throw new GraphError(`graph output '${o}' was not computed`);
    result.set(o, t);
  }
  return result;
}
