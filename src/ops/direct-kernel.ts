// Lowering of ops that give their kernel as loop IR (the `kernel` facet): buffers named after the
// graph values (inputs, then outputs, then the counts of dynamic outputs) around the op's body.
import { UnsupportedError } from '../errors.js';
import type { Attrs, ValueInfo } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import type { Buffer, Kernel } from '../loop/ir.js';
import { elemOf } from '../lower/te.js';
import { resolveAttrs, type AnyOpDef, type KernelBuffer } from './op.js';

/** The suffix of the value holding a dynamic output's run-time extent (an i32 [1] kernel output). */
export const COUNT_SUFFIX = '#count';
export const countOf = (output: string) => `${output}${COUNT_SUFFIX}`;

interface Value { readonly name: string; readonly info: ValueInfo; readonly constant?: Tensor }

function bufferOf(v: Value): KernelBuffer {
  if (!isStatic(v.info.shape)) throw new UnsupportedError(`${v.name} has a symbolic shape; compile with all input shapes fixed`);
  const shape = v.info.shape as readonly number[];
  return { buffer: { name: v.name, elem: elemOf(v.info.dtype), size: shape.reduce((n, d) => n * d, 1) }, shape };
}

/**
 * The kernel of a node whose op has a `kernel` facet; outputs named `<output>#count` are the counts.
 * Undefined when the facet leaves this node to the op's compute.
 */
export function directKernel(def: AnyOpDef, attrs: Attrs, inputs: readonly (Value | undefined)[], outputs: readonly Value[]): Kernel | undefined {
  const bound = inputs.map((v) => v && bufferOf(v));
  const real = outputs.filter((o) => !o.name.endsWith(COUNT_SUFFIX));
  const buffers = new Map(outputs.map((o) => [o.name, bufferOf(o)] as const));
  const counts = new Map<number, Buffer>();
  real.forEach((r, i) => { const c = buffers.get(countOf(r.name)); if (c) counts.set(i, c.buffer); });
  const body = def.kernel!({
    attrs: resolveAttrs(def.attrs, attrs),
    inputs: bound,
    constant: (i) => inputs[i]?.constant,
    outputs: real.map((r) => buffers.get(r.name)!),
    counts,
  });
  if (!body) return undefined;
  // one param per distinct input value, in order, then every output (counts included) as the node lists them
  const params: Buffer[] = [];
  for (const b of bound) if (b && !params.some((p) => p.name === b.buffer.name)) params.push(b.buffer);
  for (const o of outputs) params.push(buffers.get(o.name)!.buffer);
  return { name: outputs[0].name, params, body };
}
