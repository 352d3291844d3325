// Static memory for a lowered graph: one plan step per kernel (a node or a fused group), packed constants in place of the
// originals they replace, each kernel's scratch allocs as values live only during its step;
// views (Reshape, Squeeze, ...) share their input's storage and run no kernel.
import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { numel } from '../ir/shape.js';
import { byteWidth } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { graphPlanRequest, planMemory, type MemoryPlan, type PlanValue } from '../passes/memory-plan.js';
import { kernelScratch, scratchBytes, type KernelCall } from '../target/wasm/codegen.js';
import type { KernelGroup } from './fuse.js';
import type { LoweredGraph } from './kernels.js';

export interface KernelPlan {
  readonly plan: MemoryPlan;
  /** The kernels `run` calls in order with the byte addresses of their params then scratch buffers. */
  readonly calls: readonly (KernelCall & { readonly group: KernelGroup })[];
}

const scratchName = (step: string, i: number) => `${step}#scratch${i}`;

/** The plan of `lowered`, every placement on the target's `alignment` boundary. */
export function planKernels(g: Graph, lowered: LoweredGraph, alignment: number): KernelPlan {
  const base = graphPlanRequest(g);
  const values = new Map<string, PlanValue>(base.values);
  const tensorValue = (t: Tensor): PlanValue => ({ dtype: t.dtype, bytes: numel(t.shape) * byteWidth(t.dtype) });
  for (const [name, t] of lowered.packed) values.set(name, tensorValue(t));
  const nodeSteps = new Map(g.nodes.map((n, i) => [n, base.steps[i]]));
  const steps = lowered.steps.map(({ group, kernel, params }) => {
    const scratch = kernelScratch(kernel).map((buf, k) => {
      const name = scratchName(group.name, k);
      values.set(name, { dtype: 'uint8' satisfies DType, bytes: scratchBytes(buf) });
      return name;
    });
    const only = group.nodes.length === 1 ? nodeSteps.get(group.nodes[0]) : undefined;
    return {
      name: group.name,
      reads: params.slice(0, kernel.params.length - group.outputs.length),
      writes: [...group.outputs, ...scratch],
      // an output may take a dying input's storage only when nothing else is written meanwhile
      elementwise: group.nodes.every((n) => nodeSteps.get(n)?.elementwise) && scratch.length === 0,
      view: only?.view ?? false,
    };
  });
  const plan = planMemory({
    ...base, values, steps, constants: new Set([...base.constants, ...lowered.packed.keys()]),
  }, { alignment });
  const calls = lowered.steps.filter(({ group }) => !group.outputs.some((o) => plan.placements.get(o)?.viewOf !== undefined))
    .map(({ group, kernel, params }) => ({
      group, kernel, ops: group.nodes.map((n) => n.op),
      addresses: [...params, ...kernelScratch(kernel).map((_, k) => scratchName(group.name, k))].map((name) => plan.placements.get(name)!.offset),
    }));
  return { plan, calls };
}
