// Kernel groups -> legal loop-IR kernels: each group lowered with its root's default schedule for the
// target, then the loop passes its code generator needs (the target's legalize),
// then unread inputs dropped and names made canonical so identical kernels share a function.
import { KilnError, withContext } from '../errors.js';
import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { Kernel } from '../loop/ir.js';
import { lowerGroup, type GroupNode } from '../lower/group.js';
import type { KernelOptions } from '../lower/lower.js';
import { lowerNode, type LoweredNode, type NodeValue } from '../lower/op.js';
import { opDef } from '../ops/index.js';
import type { Target } from '../target/target.js';
import { canonicalKernel, dropUnreadInputs } from './canonical.js';
import { groupOf, singletonGroups, type KernelGroup } from './fuse.js';
import { CompileUnsupportedError } from './unsupported.js';

/** One group as a kernel (canonical names, see canonical.ts), with the graph value behind each kernel parameter. */
export interface GroupKernel {
  readonly group: KernelGroup;
  readonly kernel: Kernel;
  /** Value names of kernel.params in order (a packed constant under its own name); inputs the kernel never reads are not params. */
  readonly params: readonly string[];
}

export interface LoweredGraph {
  readonly steps: readonly GroupKernel[];
  /** Constants in the layouts kernels read them in, under names of their own. */
  readonly packed: ReadonlyMap<string, Tensor>;
  /** 'vectorized' loops the vectorize pass left serial. */
  readonly vectorizeFallbacks: number;
}

export interface LowerOptions {
  /** Schedules and lowering ask its facts; its legalize prepares each kernel for its code generator. */
  readonly target: Target;
  /** Work below which a stage stays on one thread (src/schedule/parallel.ts). */
  readonly parallelMinWork?: number;
  /** Nodes found uncompilable before lowering, by name, with why (string-handles.ts). */
  readonly refused?: ReadonlyMap<string, string>;
  readonly trace?: (level: number, text: string) => void;
}

/**
 * Lowers every group (default: one per node); a group that cannot be one kernel is lowered node by
 * node. Every node that cannot be compiled is reported in one CompileUnsupportedError.
 */
export function lowerGraph(g: Graph, opts: LowerOptions, groups: readonly KernelGroup[] = singletonGroups(g)): LoweredGraph {
  const failures = new Map<string, { nodes: string[]; reason: string }>();
  const fail = (node: Node, reason: string) => {
    const f = failures.get(node.op) ?? { nodes: [], reason };
    f.nodes.push(node.name);
    failures.set(node.op, f);
  };
  const packed = new Map<string, Tensor>();
  const steps: GroupKernel[] = [];
  let vectorizeFallbacks = 0;
  const value = (name: string): NodeValue => ({ name, info: g.values.get(name)!, constant: g.constants.get(name) });
  const bound = (n: Node): GroupNode => ({ op: n.op, attrs: n.attrs, inputs: n.inputs.map((v) => (v ? value(v) : undefined)), outputs: n.outputs.map(value) });
  const push = (group: KernelGroup, { kernel, packed: packing }: LoweredNode) => {
    const legal = opts.target.legalize(kernel, (loopVar, why) => {
      vectorizeFallbacks++;
      opts.trace?.(1, `kernel ${kernel.name}: loop ${loopVar} stays scalar: ${why}`);
    });
    const { kernel: reading, kept } = dropUnreadInputs(legal, legal.params.length - group.outputs.length);
    const params = kept.map((i) => {
      const { name } = legal.params[i];
      const t = packing.get(name);
      return t ? packedName(packed, name, t) : name;
    });
    steps.push({ group, kernel: canonicalKernel(reading), params });
  };
  const lowerOne = (node: Node) => {
    const refused = opts.refused?.get(node.name);
    if (refused !== undefined) return fail(node, refused);
    if (!opDef(node.op)?.compute && !opDef(node.op)?.kernel) return fail(node, 'no compute definition');
    if (node.outputs.includes('')) return fail(node, 'an omitted output');
    try {
      const { op, attrs, inputs, outputs } = bound(node);
      push(groupOf([node]), lowerNode(op, attrs, inputs, outputs, undefined, { target: opts.target, parallelMinWork: opts.parallelMinWork }));
    } catch (e) {
      if (e instanceof KilnError && e.code === 'E_UNSUPPORTED') return fail(node, e.message);
      throw withContext(e, `compiling node '${node.name}' (${node.op})`);
    }
  };
  for (const group of groups) {
    const fused = group.nodes.length > 1 && !group.nodes.some((n) => opts.refused?.has(n.name))
      ? lowerFused(group, bound, { target: opts.target, parallelMinWork: opts.parallelMinWork }) : undefined;
    if (fused) push(group, fused);
    else group.nodes.forEach(lowerOne);
  }
  if (failures.size) throw new CompileUnsupportedError(failures);
  return { steps, packed, vectorizeFallbacks };
}

/** The group as one kernel; undefined when it cannot be (a node not compilable, or not fusable that way). */
function lowerFused(group: KernelGroup, bound: (n: Node) => GroupNode, opts: KernelOptions): LoweredNode | undefined {
  if (group.nodes.some((n) => !opDef(n.op)?.compute || n.outputs.includes(''))) return undefined;
  try {
    return lowerGroup(group.nodes.map(bound), opts);
  } catch (e) {
    if (e instanceof KilnError && e.code === 'E_UNSUPPORTED') return undefined;
    throw withContext(e, `compiling fused group '${group.name}' (${group.nodes.map((n) => n.op).join(' + ')})`);
  }
}

/** The name of packed constant `t` of `name`: shared by kernels that pack it the same way. */
function packedName(packed: Map<string, Tensor>, name: string, t: Tensor): string {
  for (let k = 0; ; k++) {
    const candidate = `${name}#packed${k || ''}`;
    const seen = packed.get(candidate);
    if (!seen) { packed.set(candidate, t); return candidate; }
    if (sameTensor(seen, t)) return candidate;
  }
}

function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.numbers, y = b.numbers;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}
