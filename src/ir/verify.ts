// Structural checks on a graph: every read defined before it, single assignment, types
// present, and each node's arity and attribute kinds as its op declares them; subgraphs alike,
// each on its own (a subgraph reads only its inputs, constants and its own nodes' outputs).
import { GraphError } from '../errors.js';
import { isGraph, subgraphsOf, type Graph } from './graph.js';
import { Tensor } from './tensor.js';

/** What the verifier needs to know of an op (an OpDef satisfies it). */
export interface OpSignature {
  readonly inputs: readonly [number, number];
  readonly outputs?: readonly [number, number];
  readonly attrs: Readonly<Record<string, { readonly kind: string; readonly required?: true }>>;
}

export function verifyGraph(g: Graph, lookup: (op: string) => OpSignature | undefined): void {
  const defined = new Set<string>([...g.inputs, ...g.constants.keys()]);
  const fail = (msg: string) => { throw new GraphError(`graph '${g.name}': ${msg}`); };
  for (const i of g.inputs) if (g.constants.has(i)) fail(`input '${i}' is also a constant`);
  const nodeNames = new Set<string>();
  for (const n of g.nodes) {
    const where = `node '${n.name}' (${n.op})`;
    if (nodeNames.has(n.name)) fail(`${where}: duplicate node name`);
    nodeNames.add(n.name);
    const sig = lookup(n.op);
    if (!sig) fail(`${where}: unknown op`);
    const [minIn, maxIn] = sig!.inputs;
    if (n.inputs.length < minIn || n.inputs.length > maxIn) {
      fail(`${where}: has ${n.inputs.length} inputs, op takes ${minIn}..${maxIn}`);
    }
    const [minOut, maxOut] = sig!.outputs ?? [1, 1];
    if (n.outputs.length < minOut || n.outputs.length > maxOut) {
      fail(`${where}: has ${n.outputs.length} outputs, op gives ${minOut}..${maxOut}`);
    }
    for (const v of n.inputs) if (v && !defined.has(v)) fail(`${where}: reads '${v}' before it is defined`);
    for (const [k, v] of Object.entries(n.attrs)) {
      const spec = sig!.attrs[k];
      if (!spec) fail(`${where}: unknown attribute '${k}'`);
      if (!attrMatches(spec!.kind, v)) fail(`${where}: attribute '${k}' should be ${spec!.kind}`);
    }
    for (const [k, s] of Object.entries(sig!.attrs)) {
      if (s.required && n.attrs[k] === undefined) fail(`${where}: missing required attribute '${k}'`);
    }
    for (const [attr, sub] of subgraphsOf(n)) {
      try {
        verifyGraph(sub, lookup);
      } catch (e) {
        fail(`${where}: subgraph '${attr}': ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const o of n.outputs) {
      if (!o) continue;
      if (defined.has(o)) fail(`${where}: value '${o}' is assigned twice`);
      defined.add(o);
    }
  }
  for (const o of g.outputs) if (!defined.has(o)) fail(`output '${o}' is never defined`);
  for (const v of defined) if (!g.values.has(v)) fail(`value '${v}' has no type`);
}

function attrMatches(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'int': return Number.isInteger(v) || v === Infinity || v === -Infinity;
    case 'float': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'ints': case 'floats': return Array.isArray(v) && v.every((x) => typeof x === 'number');
    case 'strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'tensor': return v instanceof Tensor;
    case 'graph': return isGraph(v as Graph);
    case 'graphs': return Array.isArray(v) && v.every((x) => isGraph(x));
    default: return false;
  }
}
