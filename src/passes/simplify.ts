// Graph simplification: nodes that pass their input through unchanged (Identity, Dropout as the
// frontends import it, a Cast to the same dtype, a Reshape/Transpose/Pad/Slice that changes
// nothing, x+0, x*1, ...) vanish; chains of reshapes or of transposes become one node.
import type { Graph, Node } from '../ir/graph.js';
import { isStatic, sameShape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { eliminateDeadCode } from './dce.js';
import { claim, withAliases } from './rewrite.js';

/** Ops whose output is their input 0 laid out anew, so two in a row are one Reshape. */
const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);
/** Ops that are the identity when their output has the input's type (a shape change or conversion that does nothing). */
const SAME_TYPE_IS_IDENTITY = new Set(['Identity', 'Cast', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Expand', 'Tile', 'Concat']);
/** op -> [input that passes through, value of the other operand that leaves it unchanged]. */
const NEUTRAL: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  Add: [[0, 0], [1, 0]], Sub: [[0, 0]], Mul: [[0, 1], [1, 1]], Div: [[0, 1]], Pow: [[0, 1]],
};

export function simplify(g: Graph): Graph {
  const alias = new Map<string, string>();
  const constants = new Map(g.constants);
  const values = new Map(g.values);
  const taken = new Set<string>(values.keys());
  const made = new Map<string, Node>();
  const out: Node[] = [];
  const read = (v: string) => alias.get(v) ?? v;
  const typeOf = (v: string) => values.get(v);
  const sameType = (a: string, b: string) => {
    const x = typeOf(a), y = typeOf(b);
    return !!x && !!y && x.dtype === y.dtype && isStatic(x.shape) && isStatic(y.shape) && sameShape(x.shape, y.shape);
  };
  const constant = (v: string | undefined) => (v ? constants.get(v) : undefined);

  for (const original of g.nodes) {
    const n = { ...original, inputs: original.inputs.map((v) => (v ? read(v) : v)) };
    const [x] = n.inputs, [y] = n.outputs;
    const passes = passThrough(n, sameType, constant, (v) => typeOf(v)?.shape.length ?? 0);
    if (passes !== undefined && n.outputs.length === 1) { alias.set(y, passes); continue; }
    const src = x ? made.get(x) : undefined;
    let node: Node = n;
    if (n.op === 'Transpose' && src?.op === 'Transpose') {
      const rank = typeOf(x)!.shape.length;
      const composed = permOf(n, rank).map((a) => permOf(src, rank)[a]);
      if (composed.every((a, i) => a === i) && sameType(y, src.inputs[0])) { alias.set(y, src.inputs[0]); continue; }
      node = { ...n, inputs: [src.inputs[0]], attrs: { perm: composed } };
    } else if (RESHAPES.has(n.op) && src && RESHAPES.has(src.op) && isStatic(typeOf(y)!.shape)) {
      if (sameType(y, src.inputs[0])) { alias.set(y, src.inputs[0]); continue; }
      const shape = claim(taken, `${n.name}/shape`);
      const dims = typeOf(y)!.shape as readonly number[];
      constants.set(shape, Tensor.from('int64', [dims.length], dims));
      values.set(shape, { dtype: 'int64', shape: [dims.length] });
      node = { ...n, op: 'Reshape', inputs: [src.inputs[0], shape], attrs: {} };
    }
    out.push(node);
    for (const o of node.outputs) if (o) made.set(o, node);
  }
  return eliminateDeadCode(withAliases({ ...g, constants, values }, out, alias));
}

/** The input `n` passes through unchanged, if it does. */
function passThrough(n: Node, sameType: (a: string, b: string) => boolean,
  constant: (v: string | undefined) => Tensor | undefined, rank: (v: string) => number): string | undefined {
  const [x] = n.inputs, [y] = n.outputs;
  if (SAME_TYPE_IS_IDENTITY.has(n.op)) return (n.op !== 'Concat' || n.inputs.length === 1) && sameType(x, y) ? x : undefined;
  switch (n.op) {
    case 'Transpose': return permOf(n, rank(x)).every((a, i) => a === i) && sameType(x, y) ? x : undefined;
    case 'Pad': return constant(n.inputs[1])?.toArray().every((p) => p === 0) && sameType(x, y) ? x : undefined;
    case 'Slice': {
      const steps = constant(n.inputs[4]);
      return (!n.inputs[4] || steps?.toArray().every((s) => s > 0)) && sameType(x, y) ? x : undefined;
    }
  }
  for (const [k, neutral] of NEUTRAL[n.op] ?? []) {
    const other = constant(n.inputs[1 - k]);
    if (other && other.dtype !== 'string' && other.toArray().every((v) => v === neutral) && sameType(n.inputs[k], y)) return n.inputs[k];
  }
  return undefined;
}

function permOf(n: Node, rank: number): readonly number[] {
  return (n.attrs.perm as readonly number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}
