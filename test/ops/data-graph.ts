// Test helpers for the data-movement op families: one-node graphs whose inputs are graph
// inputs (unknown values) or constants (known values), to check inference and folding.
import type { Attrs, ValueInfo } from '../../src/ir/graph.js';
import { GraphBuilder } from '../../src/ir/graph.js';
import type { Dim } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';

/** An input slot: a type (graph input, value unknown), a Tensor (constant) or omitted. */
export type Slot = ValueInfo | Tensor | undefined;

/** Inferred output types of one node. */
export function inferTypes(op: string, inputs: readonly Slot[], attrs: Attrs = {}, outputs = 1): ValueInfo[] {
  const b = new GraphBuilder(op, { format: 'test' });
  const names = inputs.map((s, i) => (s === undefined ? '' : s instanceof Tensor ? b.constant(`c${i}`, s) : b.addInput(`x${i}`, s)));
  const outs = b.addNode(op, names, attrs, { outputs });
  b.setOutputs(outs);
  const g = inferShapes(b.build());
  verifyGraph(g, opDef);
  return outs.map((o) => g.values.get(o)!);
}

/** Inferred shape of a one-output node. */
export function inferShape(op: string, inputs: readonly Slot[], attrs: Attrs = {}): readonly Dim[] {
  return inferTypes(op, inputs, attrs)[0].shape;
}

/** An int64 constant. */
export const i64 = (values: readonly number[], shape: readonly number[] = [values.length]) => Tensor.from('int64', shape, values);

/** True when every dim is a fresh symbol (a string). */
export const allSymbolic = (shape: readonly Dim[]) => shape.every((d) => typeof d === 'string');

/** A float32 value type. */
export const f32 = (...shape: Dim[]): ValueInfo => ({ dtype: 'float32', shape });
