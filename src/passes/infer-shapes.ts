// Type and shape inference over a whole graph. Values that can be computed at compile
// time (constants, shapes of static tensors and small arithmetic on them) are evaluated
// with the reference kernels so shapes fed through Shape->Gather->Concat->Reshape stay static.
// Subgraphs (If's branches, Loop's body) are typed for the types their op binds to their inputs;
// an If whose condition is known here (a test of a static rank or shape) is replaced by its branch,
// since the other may not even type (exporters branch on the input's rank).
import { GraphError, KilnError, UnsupportedError, withContext } from '../errors.js';
import { isTensorType, type AttrValue, type Graph, type Node, type ValueInfo } from '../ir/graph.js';
import { isStatic, numel, type Dim } from '../ir/shape.js';
import { nodeSchemaProblem } from '../ir/verify.js';
import type { Tensor } from '../ir/tensor.js';
import { resolveAttrs } from '../ops/op.js';
import { opDef } from '../ops/index.js';
import { chosenSubgraph, spliceSubgraph } from './inline-subgraphs.js';

/** Largest tensor inference evaluates to learn a value (bigger ones are left to run time). */
const MAX_FOLD_ELEMENTS = 1 << 16;

export function inferShapes(g: Graph): Graph {
  const values = new Map<string, ValueInfo>();
  const nodes: Node[] = [];
  for (const name of g.inputs) values.set(name, g.values.get(name)!);
  for (const [name, t] of g.constants) values.set(name, { dtype: t.dtype, shape: t.shape });
  const known = new Map<string, Tensor>(g.constants);
  const constants = new Map(g.constants);
  const names = { values: new Set([...g.values.keys(), ...g.nodes.flatMap((n) => n.outputs)]), nodes: new Set(g.nodes.map((n) => n.name)) };
  let symbols = 0;

  const queue = [...g.nodes].reverse();
  while (queue.length) {
    const node = queue.pop()!;
    const chosen = chosenSubgraph(node, (v) => known.get(v));
    if (chosen) {
      const spliced = spliceSubgraph(node, chosen, names, constants, new Map());
      for (const [name, t] of constants) {
        if (!known.has(name)) { known.set(name, t); values.set(name, { dtype: t.dtype, shape: t.shape }); }
      }
      queue.push(...spliced.reverse());
      continue;
    }
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
    const typed = new Map<Graph, Graph>();
    const ctx = {
      node, attrs, inputs,
      constant: (i: number) => (node.inputs[i] ? known.get(node.inputs[i]) : undefined),
      symbol: (hint: string): Dim => `${hint}_${++symbols}`,
      subgraph: (sub: Graph, types: readonly ValueInfo[]) => {
        const done = inferSubgraph(sub, types);
        typed.set(sub, done);
        return done.outputs.map((o) => done.values.get(o)!);
      },
    };
    try {
      const sequenceInput = inputs.findIndex((t) => t && !isTensorType(t));
      if (sequenceInput >= 0 && !def.evaluate) {
        throw new UnsupportedError(`input '${node.inputs[sequenceInput]}' is a ${inputs[sequenceInput]!.containers![0]}; ${node.op} takes tensors only`);
      }
      const outs = def.infer(ctx);
      if (outs.length < node.outputs.length) {
        throw new GraphError(`inferred ${outs.length} outputs, node has ${node.outputs.length}`);
      }
      node.outputs.forEach((o, i) => { if (o) values.set(o, outs[i]); });
      nodes.push(typed.size ? withTypedSubgraphs(node, typed) : node);
      const folded = def.value?.(ctx) ?? tryEvaluate(def, ctx, node.inputs, known, outs);
      folded?.forEach((t, i) => { if (node.outputs[i]) known.set(node.outputs[i], t); });
    } catch (e) {
      throw withContext(e, `node '${node.name}' (${node.op})`);
    }
  }
  for (const o of g.outputs) {
    if (!values.has(o)) throw new GraphError(`graph output '${o}' is never produced`);
  }
  return constants.size === g.constants.size ? { ...g, nodes, values } : { ...g, nodes, values, constants };
}

/** `sub` with its inputs typed as given and every value inside typed from them. */
function inferSubgraph(sub: Graph, types: readonly ValueInfo[]): Graph {
  if (types.length !== sub.inputs.length) {
    throw new GraphError(`subgraph '${sub.name}' takes ${sub.inputs.length} inputs, the op binds ${types.length}`);
  }
  const values = new Map(sub.values);
  sub.inputs.forEach((v, i) => values.set(v, types[i]));
  try {
    return inferShapes({ ...sub, values });
  } catch (e) {
    throw withContext(e, `subgraph '${sub.name}'`);
  }
}

function withTypedSubgraphs(node: Node, typed: ReadonlyMap<Graph, Graph>): Node {
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(node.attrs)) {
    attrs[k] = Array.isArray(v) ? v.map((x) => typed.get(x as Graph) ?? x) as AttrValue : typed.get(v as Graph) ?? v;
  }
  return { ...node, attrs };
}

function tryEvaluate(
  def: NonNullable<ReturnType<typeof opDef>>,
  ctx: { node: Graph["nodes"][number]; attrs: ReturnType<typeof resolveAttrs> },
  inputNames: readonly string[], known: ReadonlyMap<string, Tensor>, outs: readonly ValueInfo[],
): readonly Tensor[] | undefined {
  if (!def.run || (inputNames.length === 0 && def.inputs[0] > 0)) return undefined;
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
