// Layout planning: TF models imported as channels-first ops wrap every conv in NHWC<->NCHW
// transposes. A transpose moves down past any op that can run in its input's layout
// (layout-ops.ts), when that costs no more transposes than it saves; transposes that meet
// compose into one, and what composes to the identity permutation disappears.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { isStatic, numel } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { transposeTensor } from '../ops/movement.js';
import { layoutMove } from './layout-ops.js';
import { layoutConversions } from './layout-report.js';
import { claim, consumers, producers, withAliases } from './rewrite.js';

/**
 * Runs the motion twice: cautiously (a transpose moves only when the transposes it adds, also
 * after the op, are no more than those it frees) and eagerly (outputs' transposes are not
 * counted, as they may move on and cancel further down), and keeps the graph with fewer layout
 * conversions. The eager run crosses a residual branch point that the cautious one stops at.
 */
export function cancelTransposes(g: Graph): Graph {
  const cautious = moveTransposes(g, false), eager = moveTransposes(g, true);
  const cost = (x: Graph) => { const r = layoutConversions(x); return [r.count, x.nodes.length]; };
  const [a, b] = [cost(cautious), cost(eager)];
  return b[0] < a[0] || (b[0] === a[0] && b[1] < a[1]) ? eager : cautious;
}

function moveTransposes(g: Graph, eager: boolean): Graph {
  let nodes = [...g.nodes];
  const values = new Map(g.values);
  const constants = new Map(g.constants);
  const outputs = new Set(g.outputs);
  const valueNames = new Set(values.keys()), nodeNames = new Set(nodes.map((n) => n.name));
  const type = (v: string) => values.get(v);
  const permOf = (n: Node): readonly number[] => {
    const rank = type(n.inputs[0])!.shape.length;
    return (n.attrs.perm as readonly number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  };
  const define = (name: string, info: ValueInfo) => { values.set(name, info); return name; };
  const transpose = (base: string, input: string, perm: readonly number[], output: string): Node =>
    ({ name: claim(nodeNames, base), op: 'Transpose', inputs: [input], outputs: [output], attrs: { perm } });

  const rewriteOnce = (): boolean => {
    const made = producers(nodes), readers = consumers(nodes);
    currentReaders = readers;
    const readOnlyBy = (v: string, n: Node) => !outputs.has(v) && (readers.get(v) ?? []).every((r) => r === n);
    for (const [k, n] of nodes.entries()) {
      if (n.op === 'Transpose') {
        const [x] = n.inputs, [y] = n.outputs;
        const src = made.get(x);
        if (!readers.has(y) && !outputs.has(y)) {
          nodes = nodes.filter((m) => m !== n);
          return true;
        }
        if (isIdentity(permOf(n)) && !outputs.has(y)) {
          nodes = nodes.filter((m) => m !== n).map((m) => (m.inputs.includes(y) ? { ...m, inputs: m.inputs.map((i) => (i === y ? x : i)) } : m));
          return true;
        }
        if (src?.op === 'Transpose') {
          nodes[k] = { ...n, inputs: [src.inputs[0]], attrs: { perm: compose(permOf(src), permOf(n)) } };
          return true;
        }
        continue;
      }
      const perms = n.inputs.map((v) => made.get(v)).filter((t) => t?.op === 'Transpose').map((t) => permOf(t!));
      for (const p of uniquePerms(perms)) {
        if (isIdentity(p)) continue;
        const plan = planMove(n, p, made, readOnlyBy);
        if (!plan) continue;
        nodes.splice(k, 1, ...plan);
        return true;
      }
    }
    return false;
  };

  /** The nodes replacing `n` when transposes by `p` move past it, if that does not add transposes. */
  const planMove = (n: Node, p: readonly number[], made: ReadonlyMap<string, Node>, readOnlyBy: (v: string, n: Node) => boolean): Node[] | undefined => {
    const move = layoutMove({ node: n, perm: p, type, constant: (v) => constants.get(v) });
    if (!move) return undefined;
    const inverse = invert(p), rank = p.length;
    let removed = 0, added = 0, movesFromTransposed = false;
    const before: Node[] = [], after: Node[] = [];
    const pending: (() => string)[] = [];
    const freed = new Set<string>();
    for (const [i, role] of move.inputs.entries()) {
      const v = n.inputs[i] ?? '';
      if (role.kind === 'keep') { pending.push(() => v); continue; }
      if (role.kind === 'replace') {
        const t = role.tensor;
        pending.push(() => (t ? addConstant(`${n.name}/moved`, t) : ''));
        continue;
      }
      if (!v) { pending.push(() => v); continue; }
      const t = made.get(v), info = type(v)!, c = constants.get(v);
      if (t?.op === 'Transpose' && samePerm(permOf(t), p)) {
        movesFromTransposed = true;
        if (!freed.has(v) && readOnlyBy(v, n)) { freed.add(v); removed++; }
        pending.push(() => t.inputs[0]);
      } else if (c && c.dtype !== 'string' && c.rank <= rank) {
        const moved = transposeTensor(c.reshape([...new Array<number>(rank - c.rank).fill(1), ...c.shape]), inverse);
        pending.push(() => addConstant(`${v}/moved`, moved));
      } else if (isStatic(info.shape) && numel(info.shape) === 1) {
        pending.push(() => v);
      } else if (info.shape.length === rank) {
        added++;
        pending.push(() => {
          const out = define(claim(valueNames, `${v}/moved`), { dtype: info.dtype, shape: inverse.map((a) => info.shape[a]) });
          before.push(transpose(`${n.name}/input_transpose`, v, inverse, out));
          return out;
        });
      } else {
        return undefined;
      }
    }
    if (!movesFromTransposed) return undefined;
    const insertsAbove = added > 0, addedAbove = added;
    const needsTranspose = n.outputs.map((o, i) => {
      const q = move.outPerms[i];
      if (!o || isIdentity(q)) return false;
      const rs = consumersOf(o);
      if (!outputs.has(o) && rs.length > 0 && rs.every((r) => r.op === 'Transpose' && isIdentity(compose(q, permOf(r))))) return true;
      added++;
      return true;
    });
    const worth = eager ? addedAbove < removed || !insertsAbove : added < removed || (added === removed && !insertsAbove);
    if (!worth) return undefined;
    const inputs = pending.map((f) => f());
    while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
    const outs = n.outputs.map((o, i) => {
      if (!needsTranspose[i]) return o;
      const q = move.outPerms[i], info = type(o)!;
      const shape = new Array<ValueInfo['shape'][number]>(q.length);
      q.forEach((a, j) => { shape[a] = info.shape[j]; });
      const inner = define(claim(valueNames, `${o}/moved`), { dtype: info.dtype, shape });
      after.push(transpose(`${n.name}/output_transpose`, inner, q, o));
      return inner;
    });
    return [...before, { ...n, attrs: move.attrs, inputs, outputs: outs }, ...after];
  };
  let currentReaders = consumers(nodes);
  const consumersOf = (v: string) => currentReaders.get(v) ?? [];
  const addConstant = (base: string, t: Tensor) => {
    const name = claim(valueNames, base);
    constants.set(name, t);
    values.set(name, { dtype: t.dtype, shape: t.shape });
    return name;
  };

  // each move takes a transpose further down or removes one, so this ends; the bound guards against a cycle all the same
  for (let budget = 8 * nodes.length + 16; budget > 0; budget--) {
    if (!rewriteOnce()) break;
  }
  nodes = hoistAbovePads(nodes, outputs, type, (v) => constants.get(v), addConstant, (base, info) => define(claim(valueNames, base), info));
  // identity transposes left are graph outputs: the value's producer gives the output name instead
  const alias = new Map<string, string>();
  const kept = nodes.filter((n) => {
    if (n.op !== 'Transpose' || !isIdentity(permOf(n))) return true;
    alias.set(n.outputs[0], n.inputs[0]);
    return false;
  });
  return withAliases({ ...g, constants, values }, kept, alias);
}

/**
 * A transpose between a Pad and the ops reading it that can take a Pad into their own padding
 * (absorbPad: convolutions, pools) moves above the Pad (at the model input, where nothing cancels
 * it), so fold-pad can merge the padding into them.
 */
function hoistAbovePads(nodes: readonly Node[], outputs: ReadonlySet<string>, type: (v: string) => ValueInfo | undefined,
  constant: (v: string) => Tensor | undefined, addConstant: (base: string, t: Tensor) => string,
  newValue: (base: string, info: ValueInfo) => string): Node[] {
  const made = producers(nodes), readers = consumers(nodes);
  const hoisted = new Map<Node, Node[]>();
  const dropped = new Set<Node>();
  for (const t of nodes) {
    const pad = t.op === 'Transpose' ? made.get(t.inputs[0]) : undefined;
    const [y] = t.outputs;
    if (pad?.op !== 'Pad' || outputs.has(pad.outputs[0]) || readers.get(pad.outputs[0])!.length !== 1 || outputs.has(y)
      || !(readers.get(y) ?? []).every((r) => opDef(r.op)?.absorbPad && r.inputs[0] === y)) continue;
    const q = (t.attrs.perm as readonly number[] | undefined) ?? [];
    const move = layoutMove({ node: pad, perm: invert(q), type, constant });
    const info = type(pad.inputs[0]);
    if (!move || !info || q.length !== info.shape.length) continue;
    const w = newValue(`${pad.inputs[0]}/moved`, { dtype: info.dtype, shape: q.map((a) => info.shape[a]) });
    const inputs = move.inputs.map((role, i) => (role.kind === 'layout' ? w : role.kind === 'keep' ? pad.inputs[i] ?? '' : role.tensor ? addConstant(`${pad.name}/moved`, role.tensor) : ''));
    while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
    hoisted.set(pad, [{ ...t, inputs: [pad.inputs[0]], outputs: [w] }, { ...pad, attrs: move.attrs, inputs, outputs: [y] }]);
    dropped.add(t);
  }
  return nodes.filter((n) => !dropped.has(n)).flatMap((n) => hoisted.get(n) ?? [n]);
}

/** Transpose by `first` then by `then` as one transpose. */
function compose(first: readonly number[], then: readonly number[]): number[] {
  return then.map((axis) => first[axis]);
}

function invert(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((a, k) => { inv[a] = k; });
  return inv;
}

const isIdentity = (p: readonly number[]) => p.every((a, i) => a === i);
const samePerm = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function uniquePerms(perms: readonly (readonly number[])[]): (readonly number[])[] {
  const out: (readonly number[])[] = [];
  for (const p of perms) if (!out.some((q) => samePerm(p, q))) out.push(p);
  return out;
}
