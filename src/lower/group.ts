// Lowers a fused group (src/compile/fuse.ts) to one kernel: the root's compute under the root's
// schedule, with the group's elementwise ops composed onto its result. A reduction root (conv,
// matmul, pool) takes them as its epilogue, applied to the accumulators before the one store.
import type { Attrs } from '../ir/graph.js';
import { sameShape } from '../ir/shape.js';
import { computeType, load, v, type Expr } from '../loop/ir.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { defaultSchedule } from '../schedule/defaults.js';
import { substitute } from './expr.js';
import { lowerKernel } from './lower.js';
import { asOutput, inputBinder, staticShape, type LoweredNode, type NodeValue } from './op.js';
import { compute, elemOf, isReduction, rowMajor, type ComputeTensor, type Placeholder, type TeTensor } from './te.js';

export interface GroupNode {
  readonly op: string;
  readonly attrs: Attrs;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly (NodeValue | undefined)[];
  readonly outputs: readonly NodeValue[];
}

/** Stands for the root's reduced value inside the epilogue; loop-IR names never contain '#'. */
const ACCUMULATOR = 'fused#acc';

/**
 * One kernel for nodes[0] followed by nodes[1..], each reading the previous node's one output at
 * the element it writes. Undefined when the group cannot be one kernel (an op materialises an
 * intermediate, or the root has several outputs): the caller then lowers the nodes one by one.
 */
export function lowerGroup(nodes: readonly GroupNode[]): LoweredNode | undefined {
  const [root] = nodes;
  const last = nodes[nodes.length - 1];
  if (root.outputs.length !== 1 || last.outputs.length !== 1) return undefined;
  const rootDef = opDef(root.op)!;
  const out = (o: NodeValue) => ({ name: o.name, shape: staticShape(o), elem: elemOf(o.info.dtype) });
  const steps = defaultSchedule(root.op, rootDef.fusion, root.inputs, [staticShape(root.outputs[0])], root.attrs);
  const binder = inputBinder(root.op, steps);
  const produced = new Map<string, TeTensor>();
  // the shape the root computes in (a pointwise conv runs over H*W as one axis), so the tail runs in it too
  const rootShape = staticShape(root.outputs[0]);
  let computed: { readonly name: string; readonly shape: readonly number[] } = { name: root.outputs[0].name, shape: rootShape };
  const run = (node: GroupNode): TeTensor | undefined => {
    const def = opDef(node.op)!;
    const inputs = node.inputs.map((input) => input && (produced.get(input.name) ?? inShape(binder.bind(input), rootShape, computed.shape)));
    if (inputs.some((t) => t === null)) return undefined;
    const results = def.compute!({
      attrs: resolveAttrs(def.attrs, node.attrs),
      inputs: inputs as (TeTensor | undefined)[],
      inputTypes: node.inputs.map((i, k) => i && { dtype: i.info.dtype, shape: inputs[k]!.shape }),
      constant: (i) => node.inputs[i]?.constant,
      outputs: node.outputs.map((o) => ({ ...out(o), shape: node === root ? out(o).shape : [...computed.shape] })),
    });
    return results[0];
  };

  const rootResult = run(root)!;
  const reduced = rootResult.kind === 'compute' && isReduction(rootResult.fn(rootResult.axes.map((a) => v(a))))
    ? rootResult : undefined;
  if (reduced) computed = { name: computed.name, shape: reduced.shape };
  else if (!sameShape(rootResult.shape, computed.shape)) return undefined;
  // consumers of a reduction read a variable the epilogue binds to the accumulated value
  produced.set(computed.name, reduced
    ? compute(`${computed.name}#value`, reduced.shape, () => v(ACCUMULATOR, { scalar: computeType(reduced.elem), lanes: 1 }), { elem: reduced.elem })
    : rootResult);
  let tail: TeTensor = rootResult;
  for (const node of nodes.slice(1)) {
    const result = run(node);
    if (!result || (reduced && (result.kind !== 'compute' || !result.inline))) return undefined;
    tail = result;
    produced.set(node.outputs[0].name, tail);
  }
  binder.checkPacks();
  const lastOut = out(last.outputs[0]);
  const final = reduced ? withEpilogue(reduced, tail as ComputeTensor, lastOut.name) : asOutput(tail, lastOut);
  const kernel = lowerKernel({ name: lastOut.name, inputs: [...binder.byName.values()], outputs: [final], schedule: steps });
  return { kernel, packed: binder.packed };
}

/** The reduction writing `out`, with the elementwise tail applied to each accumulated value. */
function withEpilogue(reduced: ComputeTensor, tail: ComputeTensor, name: string): ComputeTensor {
  return compute(name, reduced.shape, (idx) => {
    const body = reduced.fn(idx);
    if (!isReduction(body)) throw new TypeError(`fused group ${name}: the root is not a reduction`);
    const value = tail.fn(idx) as Expr;
    return body.then((acc) => substitute(value, new Map([[ACCUMULATOR, acc]])));
  }, { axes: reduced.axes, elem: tail.elem });
}


/**
 * Placeholder p, broadcast in the graph to `from`, read in `to`: the same elements with runs of
 * from's dims merged (a pointwise conv computes H*W as one axis). Null when p varies along part of a
 * merged run only, or is packed: no row-major reshape of it then lines up.
 */
function inShape(p: Placeholder, from: readonly number[], to: readonly number[]): Placeholder | null {
  if (sameShape(from, to)) return p;
  if (p.packed || p.shape.length > from.length) return null;
  const own = [...Array<number>(from.length - p.shape.length).fill(1), ...p.shape];
  const shape: number[] = [];
  let i = 0;
  for (const extent of to) {
    let size = 1;
    const start = i;
    while (i < from.length && size * from[i] <= extent && (size < extent || from[i] === 1)) size *= from[i++];
    if (size !== extent) return null;
    const run = own.slice(start, i);
    if (run.every((d) => d === 1)) shape.push(1);
    else if (run.every((d, k) => d === from[start + k])) shape.push(extent);
    else return null;
  }
  if (i !== from.length) return null;
  return { ...p, shape, at: (idx) => load(p.buffer, rowMajor(idx, shape)) };
}
