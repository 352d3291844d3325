// Lowers a fused group (src/compile/fuse.ts) to one kernel: the anchor's compute under the anchor's
// schedule, with the group's elementwise ops composed into its reads and onto its result. A
// reduction anchor (conv, matmul, pool) applies the ops after it to the accumulators before the one store.
import type { Attrs } from '../ir/graph.js';
import { sameShape } from '../ir/shape.js';
import { computeType, load, v, type Expr } from '../loop/ir.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind, resolveAttrs } from '../ops/op.js';
import { defaultSchedule } from '../schedule/defaults.js';
import { DEFAULT_FACTS } from '../target/wasm/facts.js';
import { substitute } from './expr.js';
import { lowerKernel, type KernelOptions } from './lower.js';
import { asOutput, inputBinder, staticShape, type LoweredNode, type NodeValue } from './op.js';
import { compute, elemOf, isReduction, rowMajor, type ComputeTensor, type Placeholder, type TeTensor } from './te.js';

export interface GroupNode {
  readonly op: string;
  readonly attrs: Attrs;
  /** undefined for an omitted optional input. */
  readonly inputs: readonly (NodeValue | undefined)[];
  readonly outputs: readonly NodeValue[];
}

/** Stands for the anchor's reduced value inside the epilogue; loop-IR names never contain '#'. */
const ACCUMULATOR = 'fused#acc';

/**
 * One kernel for the group: elementwise producers, then its anchor (the first node that is not
 * elementwise: a conv, matmul, reduction or movement; else the first node), then elementwise
 * consumers, each reading the anchor's value at the element it writes. Producers inline into the
 * anchor's reads. Undefined when the nodes cannot be one kernel this way (an op materialises an
 * intermediate a reduction's epilogue would read, an input cannot be read in the anchor's
 * iteration shape): the caller then lowers the nodes one by one.
 */
export function lowerGroup(nodes: readonly GroupNode[], opts: KernelOptions = {}): LoweredNode | undefined {
  const at = Math.max(0, nodes.findIndex((n) => !isElementwiseKind(opDef(n.op)!.fusion)));
  const anchor = nodes[at], last = nodes[nodes.length - 1];
  if (anchor.outputs.length !== 1 || last.outputs.length !== 1) return undefined;
  const out = (o: NodeValue) => ({ name: o.name, shape: staticShape(o), elem: elemOf(o.info.dtype) });
  const anchorShape = staticShape(anchor.outputs[0]);
  const steps = defaultSchedule(anchor.op, opDef(anchor.op)!.fusion, anchor.inputs, [anchorShape], anchor.attrs, undefined, opts.target ?? DEFAULT_FACTS);
  const binder = inputBinder(anchor.op, steps);
  const produced = new Map<string, TeTensor>();
  // consumers run in the shape the anchor computes in (a pointwise conv: H*W as one axis)
  let computed: readonly number[] = anchorShape;
  const run = (node: GroupNode, consumer: boolean): TeTensor | undefined => {
    const def = opDef(node.op)!;
    const inputs = node.inputs.map((input) => input &&
      (produced.get(input.name) ?? (consumer ? inShape(binder.bind(input), anchorShape, computed) : binder.bind(input))));
    if (inputs.some((t) => t === null)) return undefined;
    const results = def.compute!({
      attrs: resolveAttrs(def.attrs, node.attrs),
      inputs: inputs as (TeTensor | undefined)[],
      inputTypes: node.inputs.map((i, k) => i && { dtype: i.info.dtype, shape: inputs[k]!.shape }),
      constant: (i) => node.inputs[i]?.constant,
      outputs: node.outputs.map((o) => ({ ...out(o), shape: consumer ? [...computed] : out(o).shape })),
    });
    return results[0];
  };

  for (const node of nodes.slice(0, at)) produced.set(node.outputs[0].name, run(node, false)!);
  const anchorResult = run(anchor, false)!;
  const reduced = anchorResult.kind === 'compute' && isReduction(anchorResult.fn(anchorResult.axes.map((a) => v(a))))
    ? anchorResult : undefined;
  if (reduced) computed = reduced.shape;
  else if (!sameShape(anchorResult.shape, computed)) return undefined;
  // consumers of a reduction read a variable the epilogue binds to the accumulated value
  const anchorOut = anchor.outputs[0].name;
  produced.set(anchorOut, reduced
    ? compute(`${anchorOut}#value`, reduced.shape, () => v(ACCUMULATOR, { scalar: computeType(reduced.elem), lanes: 1 }), { elem: reduced.elem })
    : anchorResult);
  let tail: TeTensor = anchorResult;
  for (const node of nodes.slice(at + 1)) {
    const result = run(node, true);
    if (!result || (reduced && (result.kind !== 'compute' || !result.inline))) return undefined;
    tail = result;
    produced.set(node.outputs[0].name, tail);
  }
  binder.checkPacks();
  const lastOut = out(last.outputs[0]);
  const final = reduced && tail !== anchorResult ? withEpilogue(reduced, tail as ComputeTensor, lastOut.name) : asOutput(tail, lastOut);
  const kernel = lowerKernel({ name: lastOut.name, inputs: [...binder.byName.values()], outputs: [final], schedule: steps, ...opts });
  return { kernel, packed: binder.packed };
}

/** The reduction writing `out`, with the elementwise tail applied to each accumulated value. */
function withEpilogue(reduced: ComputeTensor, tail: ComputeTensor, name: string): ComputeTensor {
  return compute(name, reduced.shape, (idx) => {
    const body = reduced.fn(idx);
    if (!isReduction(body)) throw new TypeError(`fused group ${name}: the anchor is not a reduction`);
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
