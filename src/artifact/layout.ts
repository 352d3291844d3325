// From a memory plan to the artifact's manifest fields and weights region: where each graph
// input and output sits, the memory size, and the constants' bytes at their planned offsets.
import type { Graph } from '../ir/graph.js';
import { numberToFloat16Bits } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import { InputError, UnsupportedError } from '../errors.js';
import type { MemoryPlan } from '../passes/memory-plan.js';
import { isDType as isRuntimeDType } from '../runtime/dtypes.js';
import { PAGE_BYTES, type Manifest, type TensorSlot } from '../runtime/manifest.js';

/** An output whose length along `axis` the kernel stores in the i32 value `count` (src/compile/dynamic-outputs.ts). */
export interface DynamicSlot { readonly output: string; readonly axis: number; readonly count: string }

/**
 * The manifest's memory, inputs and outputs for `plan` made from `g`; counts of dynamic outputs are not
 * outputs of their own, and `strings` names the int32 values that hold string handles. `memoryBytes`
 * covers anything placed after the plan (the sync block).
 */
export function manifestLayout(g: Graph, plan: MemoryPlan, dynamic: readonly DynamicSlot[] = [],
  strings: ReadonlySet<string> = new Set(), memoryBytes = plan.totalBytes): Pick<Manifest, 'memory' | 'inputs' | 'outputs'> {
  const slot = (name: string): TensorSlot => {
    const p = plan.placements.get(name);
    const info = g.values.get(name);
    if (!p || !info) throw new InputError(`artifact layout: '${name}' is not in the memory plan; plan the same graph`);
    if (!isRuntimeDType(info.dtype)) throw new UnsupportedError(`artifact layout: '${name}' is ${info.dtype}, which compiled models cannot exchange`);
    const extents = dynamic.filter((d) => d.output === name).map((d) => ({ axis: d.axis, countOffset: plan.placements.get(d.count)!.offset }));
    return { name, dtype: strings.has(name) ? 'string' : info.dtype, shape: info.shape as number[], offset: p.offset, ...(extents.length ? { dynamic: extents } : {}) };
  };
  const counts = new Set(dynamic.map((d) => d.count));
  return {
    memory: {
      bytes: memoryBytes,
      pages: Math.max(1, Math.ceil(memoryBytes / PAGE_BYTES)),
      weights: plan.weights,
      arena: plan.arena,
    },
    inputs: g.inputs.map(slot),
    outputs: g.outputs.filter((o) => !counts.has(o)).map(slot),
  };
}

/**
 * The weights region: each constant's bytes at its planned offset. `bytesOf` gives a
 * constant in the layout its kernel reads; the default is the tensor's own row-major bytes.
 */
export function weightsImage(plan: MemoryPlan, constants: ReadonlyMap<string, Tensor>,
  bytesOf: (name: string, t: Tensor) => Uint8Array = (_, t) => tensorBytes(t)): Uint8Array {
  const image = new Uint8Array(plan.weights.bytes);
  for (const [name, p] of plan.placements) {
    if (p.region !== 'weights') continue;
    const t = constants.get(name);
    if (!t) throw new InputError(`weights image: constant '${name}' of the memory plan has no tensor`);
    const bytes = bytesOf(name, t);
    if (bytes.length !== p.bytes) throw new InputError(`weights image: constant '${name}' has ${bytes.length} bytes, the plan gave it ${p.bytes}`);
    image.set(bytes, p.offset - plan.weights.offset);
  }
  return image;
}

/** A tensor's elements as the little-endian bytes of its real dtype (the IR widens some). */
export function tensorBytes(t: Tensor): Uint8Array {
  const d = t.numbers;
  switch (t.dtype) {
    case 'int64': return bytesOf(BigInt64Array.from(d, (v) => BigInt(v)));
    case 'uint64': return bytesOf(BigUint64Array.from(d, (v) => BigInt(v)));
    case 'float16': return bytesOf(Uint16Array.from(d, numberToFloat16Bits));
    default: return bytesOf(d);
  }
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
