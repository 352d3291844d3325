// The manifest's `profile` list of a profiling build: each kernel call of the entry with the
// export that runs it, its addresses, its ops and its multiply-accumulates, so a profiler can
// call the kernels one by one exactly as `run` does (src/runtime/profile.ts).
import { countMacs } from '../compile/macs.js';
import type { KernelGroup } from '../compile/fuse.js';
import type { Graph } from '../ir/graph.js';
import type { ProfiledCall } from '../runtime/manifest.js';

interface Call {
  readonly kernel: { readonly name: string };
  readonly addresses: readonly number[];
  readonly group: KernelGroup;
}

export function profiledCalls(g: Graph, calls: readonly Call[]): ProfiledCall[] {
  return calls.map(({ kernel, addresses, group }) => ({
    export: kernel.name,
    addresses: [...addresses],
    ops: group.nodes.map((n) => n.op),
    node: group.nodes[0]?.name ?? kernel.name,
    macs: countMacs({ ...g, nodes: group.nodes }) ?? 0,
  }));
}

/** Multiply-accumulates of one run of the graph (0 when a shape is unknown). */
export const graphMacs = (g: Graph): number => countMacs(g) ?? 0;
