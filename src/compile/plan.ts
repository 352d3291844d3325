// Static memory for a lowered graph: one plan step per kernel, packed constants in place of the
// originals they replace, each kernel's scratch allocs as values live only during its step;
// views (Reshape, Squeeze, ...) share their input's storage and run no kernel.
import type { DType } from '../ir/dtype.js';
import type { Graph, Node } from '../ir/graph.js';
import { numel } from '../ir/shape.js';
import { byteWidth } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { graphPlanRequest, planMemory, type MemoryPlan, type PlanValue } from '../passes/memory-plan.js';
import { kernelScratch, scratchBytes, type KernelCall } from '../target/wasm/codegen.js';
import type { LoweredGraph } from './kernels.js';

export interface KernelPlan {
  readonly plan: MemoryPlan;
  /** The kernels `run` calls in order with the byte addresses of their params then scratch buffers. */
  readonly calls: readonly (KernelCall & { readonly node: Node })[];
}

const scratchName = (step: string, i: number) => `${step}#scratch${i}`;

export function planKernels(g: Graph, lowered: LoweredGraph): KernelPlan {
  const base = graphPlanRequest(g);
  const values = new Map<string, PlanValue>(base.values);
  const tensorValue = (t: Tensor): PlanValue => ({ dtype: t.dtype, bytes: numel(t.shape) * byteWidth(t.dtype) });
  for (const [name, t] of lowered.packed) values.set(name, tensorValue(t));
  const steps = lowered.steps.map(({ node, kernel, params }, i) => {
    const scratch = kernelScratch(kernel).map((buf, k) => {
      const name = scratchName(node.name, k);
      values.set(name, { dtype: 'uint8' satisfies DType, bytes: scratchBytes(buf) });
      return name;
    });
    const inputs = params.slice(0, kernel.params.length - node.outputs.length);
    return {
      name: node.name,
      reads: inputs,
      writes: [...node.outputs, ...scratch],
      // an output may take a dying input's storage only when nothing else is written meanwhile
      elementwise: (base.steps[i].elementwise ?? false) && scratch.length === 0,
      view: base.steps[i].view ?? false,
    };
  });
  const plan = planMemory({
    ...base, values, steps, constants: new Set([...base.constants, ...lowered.packed.keys()]),
  });
  const calls = lowered.steps.filter(({ node }) => !node.outputs.some((o) => plan.placements.get(o)?.viewOf !== undefined))
    .map(({ node, kernel, params }) => ({
      node, kernel,
      addresses: [...params, ...kernelScratch(kernel).map((_, k) => scratchName(node.name, k))].map((name) => plan.placements.get(name)!.offset),
    }));
  return { plan, calls };
}
