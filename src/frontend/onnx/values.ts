// Serialized ONNX values of any kind (TensorProto, SequenceProto, OptionalProto: the .pb files of
// test data) decoded into the executor's run-time values, by the type the model gives the value.
import { FormatError, UnsupportedError } from '../../errors.js';
import type { ValueInfo } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { OptionalValue, TensorSequence, type RunValue } from '../../ir/value.js';
import type { TensorProto } from './schema.js';
import { decodeMessage, tensorFromProto } from './tensor.js';

interface SequenceProto {
  readonly elemType: number;
  readonly tensorValues: readonly TensorProto[];
  readonly sequenceValues: readonly unknown[];
}
interface OptionalProto {
  readonly elemType: number;
  readonly tensorValue: TensorProto | null;
  readonly sequenceValue: SequenceProto | null;
}
// SequenceProto/OptionalProto.DataType
const UNDEFINED = 0, TENSOR = 1, SEQUENCE = 3;

function sequenceFrom(p: SequenceProto, type: ValueInfo, source: string): TensorSequence {
  if (p.elemType !== TENSOR && p.elemType !== UNDEFINED) throw new UnsupportedError(`${source}: a sequence of non-tensors`);
  const items: Tensor[] = p.tensorValues.map((t) => tensorFromProto(t, source));
  const dtype = items[0]?.dtype ?? type.dtype;
  if (items.some((t) => t.dtype !== dtype)) throw new FormatError(`${source}: a sequence mixes dtypes`);
  return new TensorSequence(dtype, items);
}

/** Decodes `bytes` as the message the type `type` is serialized as. */
export function decodeValueProto(bytes: Uint8Array, type: ValueInfo, source: string): RunValue {
  const [outer, ...inner] = type.containers ?? [];
  if (outer === 'sequence') return sequenceFrom(decodeMessage<SequenceProto>('SequenceProto', bytes, source), type, source);
  if (outer !== 'optional') return tensorFromProto(decodeMessage<TensorProto>('TensorProto', bytes, source), source);
  const p = decodeMessage<OptionalProto>('OptionalProto', bytes, source);
  const held = { ...type, containers: inner };
  if (p.elemType === TENSOR && p.tensorValue) return new OptionalValue(type, tensorFromProto(p.tensorValue, source));
  if (p.elemType === SEQUENCE && p.sequenceValue) return new OptionalValue(type, sequenceFrom(p.sequenceValue, held, source));
  if (p.elemType !== UNDEFINED && p.elemType !== TENSOR && p.elemType !== SEQUENCE) {
    throw new UnsupportedError(`${source}: an optional of element kind ${p.elemType}`);
  }
  return new OptionalValue(type, undefined);
}
