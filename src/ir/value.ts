// The values a graph computes besides tensors: sequences of tensors and optionals (ONNX's
// sequence<T> and optional<T>), what the reference executor keeps for them, and their types.
import { GraphError } from '../errors.js';
import type { DType } from './dtype.js';
import type { Container, ValueInfo } from './graph.js';
import { fmtShape } from './shape.js';
import { Tensor } from './tensor.js';

/** An ordered list of tensors of one dtype (shapes may differ). */
export class TensorSequence {
  constructor(readonly dtype: DType, readonly items: readonly Tensor[]) {}
  get length(): number { return this.items.length; }
}

/** A value that may be absent; `type` says what it would hold, so an empty one still has a type. */
export class OptionalValue {
  constructor(readonly type: ValueInfo, readonly value: Tensor | TensorSequence | undefined) {}
}

export type RunValue = Tensor | TensorSequence | OptionalValue;

/** The containers around a run-time value's tensors, outermost first (what ValueInfo.containers says). */
export function containersOf(v: RunValue): Container[] {
  if (v instanceof Tensor) return [];
  if (v instanceof TensorSequence) return ['sequence'];
  return ['optional', ...(v.type.containers?.slice(1) ?? [])];
}

export function fmtType(info: ValueInfo): string {
  const inner = `${info.dtype}${info.anyShape ? '[*]' : fmtShape(info.shape)}`;
  return (info.containers ?? []).reduceRight((s, c) => `${c}<${s}>`, inner);
}

/** One line naming a run-time value's kind and type, for messages. */
export function describeValue(v: RunValue): string {
  if (v instanceof Tensor) return `${v.dtype}${fmtShape(v.shape)}`;
  if (v instanceof TensorSequence) return `sequence<${v.dtype}> of ${v.length}`;
  return v.value === undefined ? `empty optional<${fmtType({ ...v.type, containers: v.type.containers?.slice(1) })}>` : `optional holding ${describeValue(v.value)}`;
}

/** `v` as a tensor, or a GraphError naming what it is instead. */
export function expectTensor(v: RunValue | undefined, what: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new GraphError(`${what} must be a tensor, got ${v === undefined ? 'nothing' : describeValue(v)}`);
}

export function expectSequence(v: RunValue | undefined, what: string): TensorSequence {
  if (v instanceof TensorSequence) return v;
  throw new GraphError(`${what} must be a sequence, got ${v === undefined ? 'nothing' : describeValue(v)}`);
}
