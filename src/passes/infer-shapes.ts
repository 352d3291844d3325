// Type and shape inference over a whole graph. Values that can be computed at compile
// time (constants, shapes of static tensors and small arithmetic on them) are evaluated
// with the reference kernels so shapes fed through Shape->Gather->Concat->Reshape stay static.
import { GraphError, KilnError, UnsupportedError, withContext } from '../errors.js';
import type { Graph, ValueInfo } from '../ir/graph.js';
import { isStatic, numel, type Dim } from '../ir/shape.js';
import { nodeSchemaProblem } from '../ir/verify.js';
import type { Tensor } from '../ir/tensor.js';
import { resolveAttrs } from '../ops/op.js';
import { opDef } from '../ops/index.js';

/** Largest tensor inference evaluates to learn a value (bigger ones are left to run time). */
const MAX_FOLD_ELEMENTS = 1 << 16;

export function inferShapes(g: Graph): Graph {
  const values = new Map<string, ValueInfo>();
  for (const name of g.inputs) values.set(name, g.values.get(name)!);
  for (const [name, t] of g.constants) values.set(name, { dtype: t.dtype, shape: t.shape });
  const known = new Map<string, Tensor>(g.constants);
  let symbols = 0;

  for (const node of g.nodes) {
    const def = opDef(node.op);
    if (!def) throw new UnsupportedError(`node '${node.name}': unknown canonical op ${node.op}`);
    // the op's code trusts its schema: check the node against it before inference reads anything
    const problem = nodeSchemaProblem(node, def, true);
    if (problem) throw new GraphError(`node '${node.name}' (${node.op}): ${problem}`);
    const inputs = node.inputs.map((v) => {
      if (!v) return undefined;
      const info = values.get(v);
      if (!info) throw new GraphError(`node '${node.name}' (${node.op}) reads '${v}', which is not defined before it`);
      return info;
    });
    const attrs = resolveAttrs(def.attrs, node.attrs);
    const ctx = {
      node, attrs, inputs,
      constant: (i: number) => (node.inputs[i] ? known.get(node.inputs[i]) : undefined),
      symbol: (hint: string): Dim => `${hint}_${++symbols}`,
    };
    try {
      const outs = def.infer(ctx);
      if (outs.length < node.outputs.length) {
        throw new GraphError(`inferred ${outs.length} outputs, node has ${node.outputs.length}`);
      }
      node.outputs.forEach((o, i) => { if (o) values.set(o, outs[i]); });
      const folded = def.value?.(ctx) ?? tryEvaluate(def, ctx, node.inputs, known, outs);
      folded?.forEach((t, i) => { if (node.outputs[i]) known.set(node.outputs[i], t); });
    } catch (e) {
      throw withContext(e, `node '${node.name}' (${node.op})`);
    }
  }
  for (const o of g.outputs) {
    if (!values.has(o)) throw new GraphError(`graph output '${o}' is never produced`);
  }
  return { ...g, values };
}

function tryEvaluate(
  def: NonNullable<ReturnType<typeof opDef>>,
  ctx: { node: Graph["nodes"][number]; attrs: ReturnType<typeof resolveAttrs> },
  inputNames: readonly string[], known: ReadonlyMap<string, Tensor>, outs: readonly ValueInfo[],
): readonly Tensor[] | undefined {
  if (inputNames.length === 0 && def.inputs[0] > 0) return undefined;
  const ins: (Tensor | undefined)[] = [];
  for (const v of inputNames) {
    if (!v) { ins.push(undefined); continue; }
    const t = known.get(v);
    if (!t) return undefined;
    ins.push(t);
  }
  // only small, fully static results: big constant subgraphs are the folding pass's job
  if (!outs.every((o) => isStatic(o.shape) && numel(o.shape) <= MAX_FOLD_ELEMENTS)) return undefined;
  try {
    return def.run({ node: ctx.node, attrs: ctx.attrs, inputs: ins });
  } catch (e) {
    if (e instanceof KilnError) throw e;
    return undefined;
  }
}
