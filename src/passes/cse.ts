// Common-subexpression elimination: equal constants become one, and a node that applies the same
// op with the same attributes to the same inputs as an earlier one reads that one's outputs.
import { isGraph, type AttrValue, type Graph, type Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { withAliases } from './rewrite.js';

export function eliminateCommonSubexpressions(g: Graph): Graph {
  const alias = new Map<string, string>();
  const byContent = new Map<string, string[]>();
  for (const [name, t] of g.constants) {
    if (g.outputs.includes(name)) continue;
    const key = `${t.dtype}[${t.shape.join(',')}]#${contentHash(t)}`;
    const same = byContent.get(key) ?? [];
    const twin = same.find((other) => sameTensor(g.constants.get(other)!, t));
    if (twin) alias.set(name, twin);
    else byContent.set(key, [...same, name]);
  }
  const seen = new Map<string, Node>();
  const nodes: Node[] = [];
  for (const original of g.nodes) {
    const n = { ...original, inputs: original.inputs.map((v) => alias.get(v) ?? v) };
    const key = `${n.op}(${n.inputs.join(',')})/${n.outputs.length}${attrsKey(n.attrs)}`;
    const earlier = seen.get(key);
    if (earlier) { n.outputs.forEach((o, i) => { if (o) alias.set(o, earlier.outputs[i]); }); continue; }
    if (!earlier && n.outputs.every(Boolean)) seen.set(key, n);
    nodes.push(n);
  }
  return withAliases(g, nodes, alias);
}

function attrsKey(attrs: Readonly<Record<string, AttrValue>>): string {
  return Object.keys(attrs).sort().map((k) => {
    const v = attrs[k];
    return `|${k}=${v instanceof Tensor ? `${v.dtype}[${v.shape.join(',')}]#${contentHash(v)}` : JSON.stringify(v, graphsById)}`;
  }).join('');
}

/** Subgraphs compare by identity: two nodes share one only when a pass copied the node. */
const graphIds = new WeakMap<object, number>();
let graphCount = 0;
function graphsById(_key: string, v: unknown): unknown {
  if (!isGraph(v as AttrValue)) return v;
  const g = v as object;
  if (!graphIds.has(g)) graphIds.set(g, ++graphCount);
  return `graph#${graphIds.get(g)}`;
}

/** A cheap fingerprint of a tensor's values (equal tensors are then compared in full). */
function contentHash(t: Tensor): number {
  let h = 2166136261;
  const step = Math.max(1, Math.floor(t.size / 1024));
  if (t.dtype === 'string') {
    for (let i = 0; i < t.size; i += step) for (const c of String(t.data[i])) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    return h >>> 0;
  }
  const data = t.numbers;
  for (let i = 0; i < t.size; i += step) {
    BITS[0] = data[i];
    h = Math.imul(Math.imul(h ^ WORDS[0], 16777619) ^ WORDS[1], 16777619);
  }
  return h >>> 0;
}
const BITS = new Float64Array(1), WORDS = new Uint32Array(BITS.buffer);

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.size !== b.size || a.shape.some((d, i) => d !== b.shape[i])) return false;
  // Object.is keeps NaN equal to itself and -0 apart from 0
  for (let i = 0; i < a.size; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}
