// Transposes that cancel: TF models imported as NCHW ops wrap every conv and batch-norm in
// NHWC<->NCHW transposes. Consecutive transposes compose into one, a transpose moves up through
// an elementwise op whose other inputs are scalars or transposed the same way, and what composes
// to the identity permutation disappears.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { numel } from '../ir/shape.js';
import { opDef } from '../ops/index.js';

export function cancelTransposes(g: Graph): Graph {
  let nodes = [...g.nodes];
  const values = new Map(g.values);
  const outputs = new Set(g.outputs);
  const rank = (v: string) => values.get(v)!.shape.length;
  const permOf = (n: Node): readonly number[] =>
    (n.attrs.perm as readonly number[] | undefined) ?? Array.from({ length: rank(n.inputs[0]) }, (_, i) => rank(n.inputs[0]) - 1 - i);

  const rewriteOnce = (): boolean => {
    const producer = new Map<string, Node>();
    const uses = new Map<string, number>();
    for (const n of nodes) {
      for (const o of n.outputs) producer.set(o, n);
      for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
    }
    const onlyFeeds = (v: string) => uses.get(v) === 1 && !outputs.has(v);
    for (const t of nodes) {
      if (t.op !== 'Transpose') continue;
      const perm = permOf(t), [out] = t.outputs;
      if (perm.every((axis, i) => axis === i) && !outputs.has(out)) {
        nodes = nodes.filter((n) => n !== t).map((n) => (n.inputs.includes(out)
          ? { ...n, inputs: n.inputs.map((i) => (i === out ? t.inputs[0] : i)) } : n));
        return true;
      }
      const src = producer.get(t.inputs[0]);
      if (src?.op === 'Transpose') {
        replace(t, { ...t, inputs: [src.inputs[0]], attrs: { ...t.attrs, perm: compose(permOf(src), perm) } });
        return true;
      }
      if (!src || !onlyFeeds(src.outputs[0])) continue;
      const sunk = sinkThrough(src, producer, onlyFeeds);
      if (!sunk) continue;
      replace(src, sunk.node);
      values.set(src.outputs[0], { ...values.get(src.outputs[0])!, shape: values.get(sunk.node.inputs[sunk.shapeFrom])!.shape });
      replace(t, { ...t, attrs: { ...t.attrs, perm: compose(sunk.perm, perm) } });
      return true;
    }
    return false;
  };
  const replace = (old: Node, by: Node) => { nodes = nodes.map((n) => (n === old ? by : n)); };

  /** `src` reading the transposes' inputs instead, when all its non-scalar inputs are one perm's transposes used only there. */
  const sinkThrough = (src: Node, producer: ReadonlyMap<string, Node>, onlyFeeds: (v: string) => boolean) => {
    const fusion = opDef(src.op)?.fusion;
    if ((fusion !== 'elemwise' && fusion !== 'broadcast') || src.outputs.length !== 1) return undefined;
    const outShape = values.get(src.outputs[0])!.shape;
    let perm: readonly number[] | undefined;
    let shapeFrom = -1;
    const inputs: string[] = [];
    for (const [k, v] of src.inputs.entries()) {
      const info = v ? values.get(v) : undefined;
      if (!v || !info || isScalar(info)) { inputs.push(v); continue; }
      const t = producer.get(v);
      if (t?.op !== 'Transpose' || !onlyFeeds(v) || !sameShape(info.shape, outShape)) return undefined;
      const p = permOf(t);
      if (perm && !sameShape(perm, p)) return undefined;
      perm = p;
      shapeFrom = k;
      inputs.push(t.inputs[0]);
    }
    return perm ? { node: { ...src, inputs }, perm, shapeFrom } : undefined;
  };

  while (rewriteOnce());
  nodes = withoutDeadTransposes(nodes, outputs);
  const defined = new Set([...g.inputs, ...g.constants.keys(), ...nodes.flatMap((n) => n.outputs)]);
  return { ...g, nodes, values: new Map([...values].filter(([name]) => defined.has(name))) };
}

/** Transposes whose output nothing reads any more (their consumers now read past them). */
function withoutDeadTransposes(nodes: readonly Node[], outputs: ReadonlySet<string>): Node[] {
  const read = new Set(outputs);
  const kept: Node[] = [];
  for (const n of [...nodes].reverse()) {
    if (n.op === 'Transpose' && !read.has(n.outputs[0])) continue;
    kept.push(n);
    for (const i of n.inputs) read.add(i);
  }
  return kept.reverse();
}

/** Transpose by `first` then by `then` as one transpose. */
function compose(first: readonly number[], then: readonly number[]): number[] {
  return then.map((axis) => first[axis]);
}

function isScalar(info: ValueInfo): boolean {
  return info.shape.every((d) => typeof d === 'number') && numel(info.shape as number[]) === 1;
}

function sameShape(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
