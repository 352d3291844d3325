// Structural checks on a graph: every read defined before it, single assignment, types
// present, and each node's arity and attribute kinds as its op declares them; subgraphs alike,
// each on its own (a subgraph reads only its inputs, constants and its own nodes' outputs).
import { GraphError } from '../errors.js';
import { isGraph, subgraphsOf, type Graph, type Node } from './graph.js';
import { Tensor } from './tensor.js';

/** What the verifier needs to know of an op (an OpDef satisfies it). */
export interface OpSignature {
  readonly inputs: readonly [number, number];
  /** Positions below the minimum that may still be omitted (''). */
  readonly omittable?: readonly number[];
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
    const problem = nodeSchemaProblem(n, sig!);
    if (problem) fail(`${where}: ${problem}`);
    for (const v of n.inputs) if (v && !defined.has(v)) fail(`${where}: reads '${v}' before it is defined`);
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

/**
 * What is wrong with node `n` against its op's signature (arity, required inputs present, attribute
 * kinds, required attributes), in words naming the attribute and what was expected; undefined if nothing.
 * Inference allows attributes the op does not know (it never reads them); the verifier does not.
 */
export function nodeSchemaProblem(n: Node, sig: OpSignature, allowUnknownAttributes = false): string | undefined {
  const [minIn, maxIn] = sig.inputs;
  if (n.inputs.length < minIn || n.inputs.length > maxIn) {
    return `has ${n.inputs.length} inputs, the op takes ${maxIn === Infinity ? `${minIn} or more` : minIn === maxIn ? minIn : `${minIn} to ${maxIn}`}`;
  }
  const empty = n.inputs.findIndex((v, i) => i < minIn && !v && !sig.omittable?.includes(i));
  if (empty >= 0) return `input ${empty} is empty, but the op needs its first ${minIn} input${minIn > 1 ? 's' : ''}`;
  const [minOut, maxOut] = sig.outputs ?? [1, 1];
  if (n.outputs.length < minOut || n.outputs.length > maxOut) {
    return `has ${n.outputs.length} outputs, the op gives ${minOut === maxOut ? minOut : `${minOut} to ${maxOut}`}`;
  }
  for (const [k, v] of Object.entries(n.attrs)) {
    const spec = sig.attrs[k];
    if (!spec) {
      if (allowUnknownAttributes) continue;
      return `unknown attribute '${k}'`;
    }
    if (v !== undefined && !attrKindMatches(spec.kind, v)) return attrKindProblem(k, spec.kind, v);
  }
  for (const [k, s] of Object.entries(sig.attrs)) {
    if (s.required && n.attrs[k] === undefined) return `missing required attribute '${k}' (${KIND_WORDS[s.kind] ?? s.kind})`;
  }
  return undefined;
}

const KIND_WORDS: Readonly<Record<string, string>> = {
  int: 'an integer', float: 'a number', string: 'a string', ints: 'a list of integers',
  floats: 'a list of numbers', strings: 'a list of strings', tensor: 'a tensor', graph: 'a graph', graphs: 'a list of graphs',
};

/** A value as words for a message (never the raw text of NaN or an object). */
function describeValue(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : Number.isNaN(v) ? 'a not-a-number value' : 'an infinite number';
  if (typeof v === 'string') return 'a string';
  if (v instanceof Tensor) return 'a tensor';
  if (Array.isArray(v)) {
    const bad = v.find((x) => typeof x !== 'number' || !Number.isInteger(x));
    if (bad === undefined) return 'a list of integers';
    return `a list holding ${typeof bad === 'number' ? describeValue(bad) : typeof bad === 'string' ? 'a string' : 'a non-number'}`;
  }
  return v === null ? 'null' : `a value of type ${typeof v}`;
}

/** The message for attribute `name` holding `v` where `kind` is expected. */
export function attrKindProblem(name: string, kind: string, v: unknown): string {
  return `attribute '${name}' should be ${KIND_WORDS[kind] ?? kind}, the model gives ${describeValue(v)}`;
}

/** True when `v` is a value of attribute kind `kind` (integers whole or infinite; no NaN in integer lists). */
export function attrKindMatches(kind: string, v: unknown): boolean {
  const integer = (x: unknown) => Number.isInteger(x) || x === Infinity || x === -Infinity;
  switch (kind) {
    case 'int': return integer(v);
    case 'float': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'ints': return Array.isArray(v) && v.every(integer);
    case 'floats': return Array.isArray(v) && v.every((x) => typeof x === 'number');
    case 'strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'tensor': return v instanceof Tensor;
    case 'graph': return isGraph(v as Graph);
    case 'graphs': return Array.isArray(v) && v.every((x) => isGraph(x));
    default: return false;
  }
}
