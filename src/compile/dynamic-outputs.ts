// Outputs whose length input values decide (NonZero, NonMaxSuppression): the graph gets their
// bound shape and one i32 count value per such output, which the kernel writes and the runtime
// trims the output to. Any other shape that depends on input values cannot be compiled.
import { ShapeError } from '../errors.js';
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { fmtShape, isStatic } from '../ir/shape.js';
import { countOf } from '../ops/direct-kernel.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

export interface DynamicOutput {
  /** The graph output, and the axis of it the count gives. */
  readonly output: string;
  readonly axis: number;
  /** The value (i32 [1]) holding the count. */
  readonly count: string;
}

/** `g` with every data-dependent output bounded (and its count added), or a ShapeError naming the first shape that cannot be. */
export function boundDynamicOutputs(g: Graph): { graph: Graph; dynamic: DynamicOutput[] } {
  const values = new Map(g.values);
  const dynamic: DynamicOutput[] = [];
  const nodes = g.nodes.map((n): Node => {
    const symbolic = n.outputs.filter((o) => o && !isStatic(g.values.get(o)!.shape));
    if (!symbolic.length) return n;
    const def = opDef(n.op);
    const extents = def?.dynamicOutputs?.({
      node: n,
      attrs: resolveAttrs(def.attrs, n.attrs),
      inputs: n.inputs.map((i) => (i ? g.values.get(i) : undefined)),
      constant: (i) => (n.inputs[i] ? g.constants.get(n.inputs[i]) : undefined),
      symbol: () => { throw new ShapeError(`${n.op}: a bound cannot be symbolic`); },
    });
    const counts: string[] = [];
    for (const o of symbolic) {
      const info = g.values.get(o)!;
      const k = n.outputs.indexOf(o), extent = extents?.[k];
      const readers = g.nodes.filter((m) => m.inputs.includes(o));
      const others = info.shape.filter((_, d) => d !== extent?.axis);
      if (!extent || !g.outputs.includes(o) || readers.length || !isStatic(others)) throw unbounded(n, o, info, extent !== undefined && readers.length > 0);
      values.set(o, { ...info, shape: info.shape.map((d, a) => (a === extent.axis ? extent.max : d)) });
      values.set(countOf(o), { dtype: 'int32', shape: [1] });
      counts.push(countOf(o));
      dynamic.push({ output: o, axis: extent.axis, count: countOf(o) });
    }
    return { ...n, outputs: [...n.outputs, ...counts] };
  });
  if (!dynamic.length) return { graph: g, dynamic };
  return { graph: { ...g, nodes, values, outputs: [...g.outputs, ...dynamic.map((d) => d.count)] }, dynamic };
}

function unbounded(n: Node, o: string, info: ValueInfo, consumed: boolean): ShapeError {
  const why = consumed
    ? 'which depends on input values; compiled models give such a tensor only as a model output, not to other nodes'
    : 'which depends on input values; compile with the inputs that decide it fixed (--freeze NAME=FILE.npy)';
  return new ShapeError(`node '${n.name}' (${n.op}) gives '${o}' the shape ${fmtShape(info.shape)}, ${why}, or run it with --engine reference`);
}
