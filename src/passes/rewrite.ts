// What the graph passes share: who produces and reads each value, renaming reads after a node
// is found redundant (keeping graph output names), and dropping types and constants nobody needs.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

/** The node producing each value. */
export function producers(nodes: readonly Node[]): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/** The nodes reading each value, once per read. */
export function consumers(nodes: readonly Node[]): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of nodes) for (const i of n.inputs) if (i) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

/** Follows `alias` to the value a name finally stands for. */
export function resolve(alias: ReadonlyMap<string, string>, v: string): string {
  let r = v;
  for (let seen = 0; alias.has(r) && seen <= alias.size; seen++) r = alias.get(r)!;
  return r;
}

/**
 * The graph with `nodes`, where each read of a key of `alias` reads its value instead. A graph
 * output that is aliased keeps its name: the node producing the value it stands for is renamed
 * to give it, or, when that value is an input, a constant or another output, an Identity does.
 */
export function withAliases(g: Graph, nodes: readonly Node[], alias: ReadonlyMap<string, string>): Graph {
  if (!alias.size) return pruned({ ...g, nodes });
  const rename = new Map<string, string>();
  const identities: Node[] = [];
  const kept = new Set(g.outputs.filter((o) => !alias.has(o)));
  const produced = producers(nodes);
  const nodeNames = new Set(nodes.map((n) => n.name));
  for (const o of g.outputs) {
    if (!alias.has(o)) continue;
    const v = resolve(alias, o);
    if (produced.has(v) && !kept.has(v) && !rename.has(v)) rename.set(v, o);
    else identities.push({ name: claim(nodeNames, `${o}/identity`), op: 'Identity', inputs: [rename.get(v) ?? v], outputs: [o], attrs: {} });
  }
  const read = (v: string) => { const r = v ? resolve(alias, v) : v; return rename.get(r) ?? r; };
  const renamed = nodes.map((n) => ({
    ...n,
    inputs: n.inputs.map(read),
    outputs: n.outputs.map((o) => rename.get(o) ?? o),
  }));
  const values = new Map(g.values);
  for (const [from, to] of rename) values.set(to, g.values.get(from)!);
  return pruned({ ...g, nodes: [...renamed, ...identities], values });
}

/** Drops constants nothing reads and the types of values no longer defined. */
export function pruned(g: Graph): Graph {
  const read = new Set<string>(g.outputs);
  for (const n of g.nodes) for (const i of n.inputs) if (i) read.add(i);
  const constants = new Map<string, Tensor>([...g.constants].filter(([name]) => read.has(name)));
  const defined = new Set<string>([...g.inputs, ...constants.keys()]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) defined.add(o);
  const values = new Map<string, ValueInfo>([...g.values].filter(([name]) => defined.has(name)));
  return { ...g, constants, values };
}

/** A value name not taken in `g` yet, derived from `base`. */
export function freshName(taken: { has(name: string): boolean }, base: string): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  return name;
}

/** freshName, recorded as taken. */
export function claim(taken: Set<string>, base: string): string {
  const name = freshName(taken, base);
  taken.add(name);
  return name;
}
