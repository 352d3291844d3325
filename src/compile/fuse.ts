// Operator fusion: partitions a graph into kernel groups, each lowered to one kernel. As in TVM,
// the ops' fusion kinds decide: elementwise and broadcast ops join the kernel that produces their
// input (a conv's or matmul's epilogue, a reduction's, or a chain of elementwise ops).
import type { Graph, Node } from '../ir/graph.js';
import { sameShape, type Shape } from '../ir/shape.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind } from '../ops/op.js';

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

/** A longer chain only grows the kernel: each op is already a few instructions per element. */
const MAX_GROUP_NODES = 12;

/** One group per node, in graph order: the unfused plan (opt levels below 2). */
export function singletonGroups(g: Graph): KernelGroup[] {
  return g.nodes.map((n) => groupOf([n]));
}

/**
 * Greedy in graph order: a one-output elementwise or broadcast node joins a group that computes one
 * of its inputs, when that value has the node's output shape (the node reads it at the element it
 * writes, so a reduction root applies the node to its accumulators before the one store), preferring
 * a value only elementwise ops read, which can stay inside the group. Then a
 * group whose earlier value is read outside it, or is a graph output, is cut after that value's
 * node (the nodes cut off run alone). Groups are returned in the order of their last nodes, a valid
 * execution order: only a group's last value is read outside it.
 */
export function fuseGraph(g: Graph): KernelGroup[] {
  const reads = readersOf(g);
  const outputs = new Set(g.outputs);
  // a value that only epilogue ops read can stay inside a group; prefer joining through one
  const containable = (v: string) => !outputs.has(v) && reads.get(v)!.every(isEpilogue);
  const groupOfValue = new Map<string, Node[]>();
  const groups: Node[][] = [];
  // the shape a group iterates over: its anchor's output (a reduction's, or the first node's)
  const shapeOf = new Map<Node[], Shape>();
  for (const node of g.nodes) {
    const candidates = node.outputs.length === 1
      ? node.inputs.filter((v) => v && groupOfValue.has(v) && canJoin(g, groupOfValue.get(v)!, v, node, shapeOf.get(groupOfValue.get(v)!)!)) : [];
    const via = candidates.find(containable) ?? candidates[0];
    const joined = via === undefined ? undefined : groupOfValue.get(via);
    const group = joined ?? [];
    if (!joined) groups.push(group);
    if (!joined || !isEpilogue(node)) shapeOf.set(group, g.values.get(node.outputs[0])?.shape ?? []);
    group.push(node);
    for (const o of node.outputs) if (o) groupOfValue.set(o, group);
  }
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const valid = cutLeaks(groups, reads, outputs);
  return valid.sort((a, b) => index.get(a[a.length - 1])! - index.get(b[b.length - 1])!).map(groupOf);
}

/** Ops that a group takes on as producers or as an epilogue. */
const isEpilogue = (n: Node) => isElementwiseKind(opDef(n.op)?.fusion) && n.outputs.length === 1;

function readersOf(g: Graph): Map<string, Node[]> {
  const reads = new Map<string, Node[]>();
  for (const v of g.values.keys()) reads.set(v, []);
  for (const n of g.nodes) for (const i of n.inputs) if (i) (reads.get(i) ?? reads.set(i, []).get(i)!).push(n);
  return reads;
}

/**
 * An epilogue op joins through a value of the group's iteration shape that it reads at the element it
 * writes; a reduction or a movement op (transpose, concat, slice, ...) joins a group of elementwise
 * ops only, through its last value, and becomes the group's anchor (its producers inline into its reads).
 */
function canJoin(g: Graph, group: readonly Node[], value: string, node: Node, shape: Shape): boolean {
  const root = opDef(group[0].op);
  if (group.length >= MAX_GROUP_NODES || !root?.compute || root.fusion === 'opaque' || group[0].outputs.length !== 1) return false;
  const produced = g.values.get(value), written = g.values.get(node.outputs[0]);
  if (!produced || !written) return false;
  if (isEpilogue(node)) return sameShape(produced.shape, written.shape) && sameShape(written.shape, shape);
  const kind = opDef(node.op)?.fusion;
  return (kind === 'reduce' || kind === 'injective') && group.every(isEpilogue) && group[group.length - 1].outputs[0] === value;
}

/** Groups cut until no value but a group's last is read outside it or is a graph output. */
function cutLeaks(groups: readonly Node[][], reads: ReadonlyMap<string, readonly Node[]>, outputs: ReadonlySet<string>): Node[][] {
  const done: Node[][] = [];
  const work = [...groups];
  for (let group = work.pop(); group; group = work.pop()) {
    const members = new Set(group);
    const leak = group.findIndex((n, k) => k < group.length - 1 &&
      n.outputs.some((o) => outputs.has(o) || (reads.get(o) ?? []).some((r) => !members.has(r))));
    if (leak < 0) { done.push(group); continue; }
    // the nodes after the leaking one may themselves leak now: check the kept part again
    work.push(group.slice(0, leak + 1), ...group.slice(leak + 1).map((n) => [n]));
  }
  return done;
}

/** The group of `nodes` (in execution order) with the values it reads and writes. */
export function groupOf(nodes: readonly Node[]): KernelGroup {
  const computed = new Set(nodes.flatMap((n) => n.outputs));
  const inputs = [...new Set(nodes.flatMap((n) => n.inputs.filter((i) => i && !computed.has(i))))];
  return { name: nodes[0].name, nodes, inputs, outputs: nodes[nodes.length - 1].outputs };
}
