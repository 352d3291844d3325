// Strings in compiled code: each distinct string of a run is an int32 handle into a table the
// runtime keeps, so ops that only move elements or test them for equality run on the handles.
import type { Graph, ValueInfo } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

export interface StringHandles {
  /** The graph with every string value an int32 tensor of handles. */
  readonly graph: Graph;
  /**
   * The table the constants' handles index, which the runtime extends with each run's input
   * strings. Handle 0 is '', the fill of a Pad with no value, so zero-filled memory reads as ''.
   */
  readonly strings: readonly string[];
  /** Graph inputs and outputs that hold strings (their manifest dtype is 'string'). */
  readonly values: ReadonlySet<string>;
  /** Nodes that compute with string contents, which handles cannot stand for: node name -> why. */
  readonly refused: ReadonlyMap<string, string>;
}

/** Rewrites string values to handles; nodes that read or make string contents are listed as refused. */
export function stringsToHandles(g: Graph): StringHandles {
  const isString = (v: string) => v !== '' && g.values.get(v)?.dtype === 'string';
  const strings = [''];
  if (![...g.values.values()].some((v) => v.dtype === 'string')) return { graph: g, strings, values: new Set(), refused: new Map() };
  const refused = new Map<string, string>();
  for (const n of g.nodes) {
    const touched = [...n.inputs, ...n.outputs].find(isString);
    const def = opDef(n.op);
    if (touched === undefined || (def?.handlesStrings?.(resolveAttrs(def.attrs, n.attrs)) ?? false)) continue;
    refused.set(n.name, `it computes with the contents of string value '${touched}', which compiled models hold as opaque handles`);
  }
  const handleOf = new Map(strings.map((s, i) => [s, i]));
  const intern = (s: string) => {
    let h = handleOf.get(s);
    if (h === undefined) handleOf.set(s, (h = strings.push(s) - 1));
    return h;
  };
  const constants = new Map([...g.constants].map(([name, t]) => [name,
    t.dtype === 'string' ? Tensor.from('int32', t.shape, (t.data as readonly string[]).map(intern)) : t]));
  const values = new Map<string, ValueInfo>([...g.values].map(([name, v]) => [name, v.dtype === 'string' ? { ...v, dtype: 'int32' } : v]));
  return {
    graph: { ...g, constants, values },
    strings,
    values: new Set([...g.inputs, ...g.outputs].filter(isString)),
    refused,
  };
}
