// The layout conversions a graph still makes: transposes that move data (not those that only move
// unit dims, which are views), with the ops they sit between, for `kiln inspect` and the benches.
import type { Graph } from '../ir/graph.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { consumers, producers } from './rewrite.js';

export interface LayoutConversion {
  readonly node: string;
  readonly perm: readonly number[];
  /** The producing op, or 'input' / 'constant'. */
  readonly from: string;
  /** The reading ops, plus 'output' when it is a graph output. */
  readonly to: readonly string[];
}

export interface LayoutReport {
  readonly count: number;
  readonly conversions: readonly LayoutConversion[];
  /** "from -> to" -> how many conversions sit there, most frequent first. */
  readonly between: Readonly<Record<string, number>>;
}

export function layoutConversions(g: Graph): LayoutReport {
  const made = producers(g.nodes), readers = consumers(g.nodes);
  const outputs = new Set(g.outputs);
  const transpose = opDef('Transpose')!;
  const conversions: LayoutConversion[] = [];
  for (const n of g.nodes) {
    if (n.op !== 'Transpose') continue;
    const x = g.values.get(n.inputs[0]);
    const attrs = resolveAttrs(transpose.attrs, n.attrs);
    if (x && transpose.view?.({ attrs, inputs: [x] })) continue;
    const rank = x?.shape.length ?? 0;
    const perm = (n.attrs.perm as readonly number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const from = made.get(n.inputs[0])?.op ?? (g.constants.has(n.inputs[0]) ? 'constant' : 'input');
    const to = [...(readers.get(n.outputs[0]) ?? []).map((r) => r.op), ...(outputs.has(n.outputs[0]) ? ['output'] : [])];
    conversions.push({ node: n.name, perm, from, to });
  }
  const between = new Map<string, number>();
  for (const c of conversions) {
    const key = `${c.from} -> ${[...new Set(c.to)].join('|') || 'nothing'}`;
    between.set(key, (between.get(key) ?? 0) + 1);
  }
  return {
    count: conversions.length, conversions,
    between: Object.fromEntries([...between].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
  };
}
