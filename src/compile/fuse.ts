// Operator fusion: partitions a graph into kernel groups, each lowered to one kernel. As in TVM,
// the ops' fusion kinds decide: elementwise and broadcast ops join the kernel that produces their
// input (a conv's or matmul's epilogue, a reduction's, or a chain of elementwise ops).
import type { Graph, Node } from '../ir/graph.js';
import { sameShape } from '../ir/shape.js';
import { opDef } from '../ops/index.js';

/** Nodes that run as one kernel: the root first, then the elementwise ops applied to its result in order. */
export interface KernelGroup {
  /** The root node's name, unique in the graph. */
  readonly name: string;
  readonly nodes: readonly Node[];
  /** Values the group reads that it does not compute, in first-use order. */
  readonly inputs: readonly string[];
  /** The last node's outputs: no value computed earlier in the group is read outside it. */
  readonly outputs: readonly string[];
}

/** Ops that a group takes on as an epilogue. */
const EPILOGUE_KINDS = new Set(['elemwise', 'broadcast']);

/** A longer chain only grows the kernel: each op is already a few instructions per element. */
const MAX_GROUP_NODES = 8;

/** One group per node, in graph order: the unfused plan (opt levels below 2). */
export function singletonGroups(g: Graph): KernelGroup[] {
  return g.nodes.map((n) => groupOf([n]));
}

/**
 * Greedy in graph order: a one-output elementwise or broadcast node joins the group that computes
 * one of its inputs when that group's output is read by this node alone, is not a graph output,
 * and has the node's output shape (so the node reads it at the element it writes: the epilogue
 * runs on the accumulator before the store). Groups are returned in the order of their last nodes,
 * which is a valid execution order: only a group's last value is read outside it.
 */
export function fuseGraph(g: Graph): KernelGroup[] {
  const readers = new Map<string, Set<Node>>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) (readers.get(i) ?? readers.set(i, new Set()).get(i)!).add(n);
  const graphOutputs = new Set(g.outputs);
  const groupOfValue = new Map<string, Node[]>();
  const lastIndex = new Map<Node[], number>();
  g.nodes.forEach((node, index) => {
    const joined = EPILOGUE_KINDS.has(opDef(node.op)?.fusion ?? '') && node.outputs.length === 1
      ? node.inputs.map((v) => (v ? groupOfValue.get(v) : undefined)).find((group, k) =>
        group && canJoin(g, group, node.inputs[k], node, readers, graphOutputs))
      : undefined;
    const group = joined ?? [];
    group.push(node);
    lastIndex.set(group, index);
    for (const o of node.outputs) if (o) groupOfValue.set(o, group);
  });
  return [...lastIndex].sort((a, b) => a[1] - b[1]).map(([nodes]) => groupOf(nodes));
}

function canJoin(g: Graph, group: readonly Node[], value: string, node: Node,
  readers: ReadonlyMap<string, ReadonlySet<Node>>, graphOutputs: ReadonlySet<string>): boolean {
  const last = group[group.length - 1];
  const root = opDef(group[0].op);
  if (group.length >= MAX_GROUP_NODES || !root?.compute || root.fusion === 'opaque') return false;
  if (last.outputs.length !== 1 || last.outputs[0] !== value) return false;
  if (graphOutputs.has(value) || readers.get(value)?.size !== 1) return false;
  const produced = g.values.get(value), written = g.values.get(node.outputs[0]);
  return produced !== undefined && written !== undefined && sameShape(produced.shape, written.shape);
}

/** The group of `nodes` (in execution order) with the values it reads and writes. */
export function groupOf(nodes: readonly Node[]): KernelGroup {
  const computed = new Set(nodes.flatMap((n) => n.outputs));
  const inputs = [...new Set(nodes.flatMap((n) => n.inputs.filter((i) => i && !computed.has(i))))];
  return { name: nodes[0].name, nodes, inputs, outputs: nodes[nodes.length - 1].outputs };
}
