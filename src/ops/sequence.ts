// Sequences of tensors and optionals (ONNX's sequence and optional ops), and SequenceMap, which
// runs its body per element. Their kernels work on run-time values (`evaluate`); a sequence's type
// is its tensors' dtype and shape, symbolic where they differ, under containers ['sequence'].
import { GraphError, ShapeError, UnsupportedError } from '../errors.js';
import { isDType, type DType } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { normAxis, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { expectSequence, expectTensor, OptionalValue, TensorSequence, type RunValue } from '../ir/value.js';
import { joinTypes } from './control-flow.js';
import { attr, defineOp, type InferContext } from './op.js';
import { joinAlong, sliceAlong } from './sequence-tensors.js';

const SEQUENCE = ['sequence'] as const;
const INT64_SCALAR: ValueInfo = { dtype: 'int64', shape: [] };

function sequenceOf(t: ValueInfo): ValueInfo {
  if (t.containers?.length) throw new UnsupportedError(`a sequence of ${t.containers[0]}s; Kiln's sequences hold tensors`);
  return { dtype: t.dtype, shape: t.shape, containers: SEQUENCE };
}

function elementOf(s: ValueInfo | undefined, what: string): ValueInfo {
  if (!s || s.containers?.[0] !== 'sequence') throw new GraphError(`${what} must be a sequence`);
  if (s.anyShape) throw new UnsupportedError(`${what}: the shape of its tensors is unknown here (an empty sequence's), even their rank`);
  return { dtype: s.dtype, shape: s.shape };
}

/** A position in a sequence of `length` (negative counts from the back); `insert` allows `length`. */
function position(t: RunValue | undefined, length: number, dflt: number, insert = false): number {
  if (t === undefined) return dflt;
  const p = Number(expectTensor(t, 'sequence position').data[0]);
  const q = p < 0 ? p + length : p;
  if (!(q >= 0 && q < length + (insert ? 1 : 0))) throw new ShapeError(`sequence position ${p} is out of range for length ${length}`);
  return q;
}

/** One type for all the tensors of a new sequence. */
function joinAll(types: readonly ValueInfo[], ctx: InferContext<unknown>): ValueInfo {
  if (!types.length) throw new GraphError('a sequence needs at least one tensor to give it a type');
  return types.map(sequenceOf).reduce((a, b) => joinTypes(a, b, ctx.symbol, 'sequence element'));
}

/** Sizes along the axis SplitToSequence cuts: one per entry, a fixed size (the last part shorter), or the sizes given. */
function splitSizes(dim: number, split: Tensor | undefined): number[] {
  if (!split) return new Array<number>(dim).fill(1);
  const v = split.toArray();
  if (split.rank === 0) {
    if (!(v[0] > 0)) throw new ShapeError(`SplitToSequence split ${v[0]} must be positive`);
    return Array.from({ length: Math.ceil(dim / v[0]) }, (_, i) => Math.min(v[0], dim - i * v[0]));
  }
  if (v.reduce((a, b) => a + b, 0) !== dim || v.some((x) => x < 0)) throw new ShapeError(`SplitToSequence sizes [${v.join(',')}] do not add up to ${dim}`);
  return v;
}

/** The dtype named by an attribute (SequenceEmpty's, Optional's). */
function dtypeAttr(name: string): DType {
  if (!isDType(name)) throw new GraphError(`'${name}' is not a dtype`);
  return name;
}

export const sequenceOps = {
  SequenceEmpty: defineOp({
    attrs: { dtype: attr.string('float32') },
    inputs: [0, 0],
    fusion: 'opaque',
    infer: ({ attrs }) => [{ dtype: dtypeAttr(attrs.dtype), shape: [], containers: SEQUENCE, anyShape: true }],
    evaluate: ({ attrs }) => [new TensorSequence(dtypeAttr(attrs.dtype), [])],
  }),

  SequenceConstruct: defineOp({
    attrs: {},
    inputs: [1, Infinity],
    fusion: 'opaque',
    infer: (ctx) => [joinAll(ctx.inputs.map((t) => t!), ctx)],
    evaluate: ({ inputs }) => {
      const items = inputs.map((v, i) => expectTensor(v, `SequenceConstruct input ${i}`));
      if (items.some((t) => t.dtype !== items[0].dtype)) throw new ShapeError('SequenceConstruct inputs differ in dtype');
      return [new TensorSequence(items[0].dtype, items)];
    },
  }),

  SequenceInsert: defineOp({
    attrs: {},
    inputs: [2, 3],
    fusion: 'opaque',
    infer: (ctx) => [ctx.inputs[0]!.anyShape ? sequenceOf(ctx.inputs[1]!) : joinAll([elementOf(ctx.inputs[0], 'SequenceInsert input 0'), ctx.inputs[1]!], ctx)],
    evaluate: ({ inputs }) => {
      const s = expectSequence(inputs[0], 'SequenceInsert input 0'), t = expectTensor(inputs[1], 'SequenceInsert tensor');
      if (t.dtype !== s.dtype) throw new ShapeError(`cannot insert ${t.dtype} into a sequence of ${s.dtype}`);
      const at = position(inputs[2], s.length, s.length, true);
      return [new TensorSequence(s.dtype, [...s.items.slice(0, at), t, ...s.items.slice(at)])];
    },
  }),

  SequenceAt: defineOp({
    attrs: {},
    inputs: [2, 2],
    fusion: 'opaque',
    infer: ({ inputs }) => [elementOf(inputs[0], 'SequenceAt input 0')],
    evaluate: ({ inputs }) => {
      const s = expectSequence(inputs[0], 'SequenceAt input 0');
      return [s.items[position(inputs[1], s.length, 0)]];
    },
  }),

  SequenceErase: defineOp({
    attrs: {},
    inputs: [1, 2],
    fusion: 'opaque',
    infer: ({ inputs }) => [inputs[0]!],
    evaluate: ({ inputs }) => {
      const s = expectSequence(inputs[0], 'SequenceErase input 0');
      const at = position(inputs[1], s.length, s.length - 1);
      return [new TensorSequence(s.dtype, s.items.filter((_, i) => i !== at))];
    },
  }),

  SequenceLength: defineOp({
    attrs: {},
    inputs: [1, 1],
    fusion: 'opaque',
    infer: () => [INT64_SCALAR],
    evaluate: ({ inputs }) => [Tensor.scalar('int64', expectSequence(inputs[0], 'SequenceLength input').length)],
  }),

  SplitToSequence: defineOp({
    attrs: { axis: attr.int(0), keepdims: attr.int(1) },
    inputs: [1, 2],
    fusion: 'opaque',
    infer: ({ attrs, inputs, constant, symbol }) => {
      const x = inputs[0]!, a = normAxis(attrs.axis, x.shape.length, 'SplitToSequence axis');
      const split = inputs[1];
      const drop = !split && !attrs.keepdims;
      const part: Dim = !split ? 1 : constant(1)?.rank === 0 && x.shape[a] === constant(1)!.toArray()[0] ? x.shape[a] : symbol('split');
      const shape = drop ? x.shape.filter((_, i) => i !== a) : x.shape.map((d, i) => (i === a ? part : d));
      return [{ dtype: x.dtype, shape, containers: SEQUENCE }];
    },
    evaluate: ({ attrs, inputs }) => {
      const x = expectTensor(inputs[0], 'SplitToSequence input'), a = normAxis(attrs.axis, x.rank, 'SplitToSequence axis');
      const split = inputs[1] === undefined ? undefined : expectTensor(inputs[1], 'SplitToSequence split');
      const drop = !split && !attrs.keepdims;
      let start = 0;
      const items = splitSizes(x.shape[a], split).map((len) => {
        const part = sliceAlong(x, a, start, len, !drop);
        start += len;
        return part;
      });
      return [new TensorSequence(x.dtype, items)];
    },
  }),

  ConcatFromSequence: defineOp({
    attrs: { axis: attr.required('int'), new_axis: attr.int(0) },
    inputs: [1, 1],
    fusion: 'opaque',
    infer: ({ attrs, inputs, symbol }) => {
      const e = elementOf(inputs[0], 'ConcatFromSequence input');
      const rank = e.shape.length + (attrs.new_axis ? 1 : 0);
      const a = normAxis(attrs.axis, rank, 'ConcatFromSequence axis');
      const shape = attrs.new_axis ? [...e.shape.slice(0, a), symbol('sequence_length'), ...e.shape.slice(a)]
        : e.shape.map((d, i) => (i === a ? symbol('concat') : d));
      return [{ dtype: e.dtype, shape }];
    },
    evaluate: ({ attrs, inputs }) => {
      const s = expectSequence(inputs[0], 'ConcatFromSequence input');
      if (!s.length) throw new ShapeError('ConcatFromSequence of an empty sequence');
      return [joinAlong(s.items, attrs.axis, attrs.new_axis !== 0, { dtype: s.dtype, shape: [] })];
    },
  }),

  // inputs: the sequence, more sequences or tensors, then `captures` outer values; one body run per element
  SequenceMap: defineOp({
    attrs: { body: attr.required('graph'), captures: attr.int(0) },
    inputs: [1, Infinity],
    outputs: [1, Infinity],
    fusion: 'opaque',
    infer: (ctx) => {
      if (!ctx.subgraph) throw new GraphError('SequenceMap needs shape inference to type its body');
      const bound = ctx.inputs.map((t, i) => {
        if (!t) throw new GraphError(`SequenceMap input ${i} is omitted`);
        const mapped = i < ctx.inputs.length - ctx.attrs.captures && t.containers?.[0] === 'sequence';
        return mapped ? elementOf(t, `SequenceMap input ${i}`) : t;
      });
      return ctx.subgraph(ctx.attrs.body, bound).map((t) => sequenceOf({ ...t, shape: t.shape.map((d, i) => (typeof d === 'number' ? d : ctx.symbol(`map_dim${i}`))) }));
    },
    evaluate: ({ attrs, inputs, runGraph }) => {
      const mapped = inputs.length - attrs.captures;
      const length = expectSequence(inputs[0], 'SequenceMap input 0').length;
      const outs: Tensor[][] = attrs.body.outputs.map(() => []);
      for (let i = 0; i < length; i++) {
        const bound = inputs.map((v, k) => {
          if (k >= mapped || !(v instanceof TensorSequence)) return v!;
          if (v.length !== length) throw new ShapeError(`SequenceMap sequences have lengths ${length} and ${v.length}`);
          return v.items[i];
        });
        runGraph(attrs.body, bound).forEach((v, k) => outs[k].push(expectTensor(v, `SequenceMap body output ${k}`)));
      }
      return outs.map((items, k) => new TensorSequence(items[0]?.dtype ?? attrs.body.values.get(attrs.body.outputs[k])!.dtype, items));
    },
  }),

  // the type an empty optional holds: `dtype` of a tensor, or of a sequence's tensors when `sequence` is 1
  Optional: defineOp({
    attrs: { dtype: attr.string(), sequence: attr.int(0) },
    inputs: [0, 1],
    fusion: 'opaque',
    infer: ({ attrs, inputs }) => [optionalType(inputs[0], attrs)],
    evaluate: ({ attrs, inputs, node }) => {
      const v = inputs[0];
      if (v instanceof OptionalValue) throw new GraphError(`Optional '${node.name}' wraps an optional`);
      return [new OptionalValue(optionalType(undefined, attrs.dtype ? attrs : { dtype: v?.dtype, sequence: v instanceof TensorSequence ? 1 : 0 }), v)];
    },
  }),

  OptionalHasElement: defineOp({
    attrs: {},
    inputs: [0, 1],
    fusion: 'opaque',
    infer: () => [{ dtype: 'bool', shape: [] }],
    evaluate: ({ inputs }) => {
      const v = inputs[0];
      return [Tensor.scalar('bool', v !== undefined && !(v instanceof OptionalValue && v.value === undefined) ? 1 : 0)];
    },
  }),

  OptionalGetElement: defineOp({
    attrs: {},
    inputs: [1, 1],
    fusion: 'opaque',
    infer: ({ inputs }) => {
      const t = inputs[0]!;
      return [t.containers?.[0] === 'optional' ? { ...t, containers: t.containers.slice(1) } : t];
    },
    evaluate: ({ inputs, node }) => {
      const v = inputs[0];
      if (!(v instanceof OptionalValue)) return [v!];
      if (v.value === undefined) throw new GraphError(`OptionalGetElement '${node.name}': the optional is empty`);
      return [v.value];
    },
  }),
} as const;

/** optional<T>: T the input's type, or the one the attributes name (shape unknown). */
function optionalType(input: ValueInfo | undefined, attrs: { dtype?: string; sequence: number }): ValueInfo {
  if (input) {
    if (input.containers?.[0] === 'optional') throw new GraphError('Optional of an optional');
    return { ...input, containers: ['optional', ...(input.containers ?? [])] };
  }
  if (!attrs.dtype) throw new GraphError('an Optional without an input needs the type it would hold (dtype)');
  return { dtype: dtypeAttr(attrs.dtype), shape: [], anyShape: true, containers: attrs.sequence ? ['optional', 'sequence'] : ['optional'] };
}
