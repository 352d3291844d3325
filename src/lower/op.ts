// Lowers one graph node: binds its inputs as placeholders (packing constants the schedule asks
// for), builds its compute definition and lowers it with the schedule into one kernel.
import { UnsupportedError } from '../errors.js';
import type { Attrs, ValueInfo } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import type { Kernel } from '../loop/ir.js';
import { directKernel } from '../ops/direct-kernel.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { defaultSchedule } from '../schedule/defaults.js';
import { DEFAULT_FACTS } from '../target/wasm/facts.js';
import { packConstant } from '../schedule/pack.js';
import { IllegalScheduleError, type Schedule } from '../schedule/schedule.js';
import { lowerKernel, type KernelOptions } from './lower.js';
import { compute, elemOf, placeholder, type ComputeTensor, type Placeholder, type TeTensor } from './te.js';

export interface NodeValue {
  readonly name: string;
  readonly info: ValueInfo;
  /** Set when the value is a compile-time constant. */
  readonly constant?: Tensor;
}

export interface LoweredNode {
  readonly kernel: Kernel;
  /** Constants the schedule packed, by parameter name: pass these instead of the originals. */
  readonly packed: ReadonlyMap<string, Tensor>;
}

export const staticShape = (v: NodeValue): number[] => {
  if (!isStatic(v.info.shape)) throw new UnsupportedError(`${v.name} has a symbolic shape; compile with all input shapes fixed`);
  return [...v.info.shape];
};

/**
 * Lowers node `op` with inputs (undefined for omitted optional ones) and outputs for `target`; the
 * default schedule unless given.
 */
export function lowerNode(op: string, attrs: Attrs, inputs: readonly (NodeValue | undefined)[], outputs: readonly NodeValue[],
  schedule?: Schedule, opts: KernelOptions = {}): LoweredNode {
  const def = opDef(op);
  const direct = def?.kernel && directKernel(def, attrs, inputs, outputs);
  if (direct) return { kernel: direct, packed: new Map() };
  if (!def?.compute) throw new UnsupportedError(`${op} has no compute definition yet, so it cannot be compiled`);
  const outs = outputs.map((o) => ({ name: o.name, shape: staticShape(o), elem: elemOf(o.info.dtype) }));
  const steps = schedule ?? defaultSchedule(op, def.fusion, inputs, outs.map((o) => o.shape), attrs, outs.map((o) => o.name), opts.target ?? DEFAULT_FACTS);
  const binder = inputBinder(op, steps);
  const bound = inputs.map((input) => input && binder.bind(input));
  binder.checkPacks();
  const { packed, byName } = binder;
  const results = def.compute({
    attrs: resolveAttrs(def.attrs, attrs),
    inputs: bound,
    inputTypes: inputs.map((i) => i?.info),
    constant: (i) => inputs[i]?.constant,
    outputs: outs,
  });
  const finals = results.map((t, i) => asOutput(t, outs[i]));
  const params = [...byName.values()];
  return { kernel: lowerKernel({ name: outputs[0].name, inputs: params, outputs: finals, schedule: steps, ...opts }), packed };
}

/** Binds a kernel's inputs to placeholders, one per value, packing the constants a `pack` step names. */
export function inputBinder(op: string, steps: Schedule) {
  const packed = new Map<string, Tensor>();
  const byName = new Map<string, Placeholder>();
  const bind = (input: NodeValue): Placeholder => {
    const seen = byName.get(input.name);
    if (seen) return seen;
    const shape = staticShape(input), elem = elemOf(input.info.dtype);
    const step = steps.find((s): s is typeof s & { s: 'pack' } => s.s === 'pack' && s.input === input.name);
    const packing = step && packConstant(step, input.constant);
    if (packing) packed.set(input.name, packing.tensor);
    const p = placeholder(input.name, shape, elem, packing?.layout);
    byName.set(input.name, p);
    return p;
  };
  const checkPacks = () => {
    for (const step of steps) {
      if (step.s === 'pack' && !byName.has(step.input)) throw new IllegalScheduleError(step, `${op} has no input ${step.input}`);
    }
  };
  return { packed: packed as ReadonlyMap<string, Tensor>, byName: byName as ReadonlyMap<string, Placeholder>, bind, checkPacks };
}

/** The compute that writes output `out`: the result itself when it already is one, else a copy (Identity, Reshape of an input). */
export function asOutput(t: TeTensor, out: { name: string; shape: readonly number[] }): ComputeTensor {
  if (t.kind === 'compute' && t.name === out.name) return t;
  return compute(out.name, out.shape, (idx) => t.at(idx), { elem: t.elem });
}
