// Graph simplification: nodes whose op's passThrough facet says they pass an input through
// unchanged (Identity, a Cast to the same dtype, a Reshape/Transpose/Pad/Slice that changes
// nothing, x+0, x*1, ...) vanish; chains of `reshapes` ops or of transposes become one node.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { isStatic, sameShape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { eliminateDeadCode } from './dce.js';
import { claim, withAliases } from './rewrite.js';

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
    const passes = passThrough(n, typeOf, sameType, constant);
    if (passes !== undefined && n.outputs.length === 1) { alias.set(y, passes); continue; }
    const src = x ? made.get(x) : undefined;
    let node: Node = n;
    if (n.op === 'Transpose' && src?.op === 'Transpose') {
      const rank = typeOf(x)!.shape.length;
      const composed = permOf(n, rank).map((a) => permOf(src, rank)[a]);
      if (composed.every((a, i) => a === i) && sameType(y, src.inputs[0])) { alias.set(y, src.inputs[0]); continue; }
      node = { ...n, inputs: [src.inputs[0]], attrs: { perm: composed } };
    } else if (opDef(n.op)?.reshapes && src && opDef(src.op)?.reshapes && isStatic(typeOf(y)!.shape)) {
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

/** The input `n` passes through unchanged, if it does: its op's passThrough facet decides. */
function passThrough(n: Node, typeOf: (v: string) => ValueInfo | undefined, sameType: (a: string, b: string) => boolean,
  constant: (v: string | undefined) => Tensor | undefined): string | undefined {
  const def = opDef(n.op);
  if (!def?.passThrough) return undefined;
  const [y] = n.outputs;
  const k = def.passThrough({
    node: n, attrs: resolveAttrs(def.attrs, n.attrs), inputs: n.inputs.map((v) => (v ? typeOf(v) : undefined)),
    constant: (i) => constant(n.inputs[i]), sameTypeAsOutput: (i) => !!n.inputs[i] && sameType(n.inputs[i], y),
  });
  return k === undefined ? undefined : n.inputs[k];
}

function permOf(n: Node, rank: number): readonly number[] {
  return (n.attrs.perm as readonly number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}
