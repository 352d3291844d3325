// Shape ops: ops that compute or change shapes without moving data, and ops that build
// tensors from shapes (ConstantOfShape, Range, EyeLike).
import { ShapeError } from '../errors.js';
import { allocData, castNumber, type DType, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { broadcastShapes, broadcastStrides, fmtShape, isStatic, normAxis, numel, type Dim, type Shape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { filled, fillValue, intsOf, productDim, staticLength, stridedCopy, type Symbolize } from './data-util.js';
import { sameTypePassesInput0 } from './facets.js';
import { attr, opaqueElements, defineOp, type OpTable } from './op.js';
import { expandCompute, viewCompute } from './movement-compute.js';
import { eyeCompute, fillCompute, rangeCompute, shapeCompute, sizeCompute } from './shape-compute.js';

const MAX_RANK = 64;

/** n fresh symbols: the dims of an output whose shape depends on unknown values. */
function unknownDims(n: number, symbol: Symbolize, hint: string): Dim[] {
  // a shape input is a handful of dims: one this long is a corrupt model, not a tensor to build
  if (n > MAX_RANK) throw new ShapeError(`a ${hint} result of rank ${n}; Kiln holds tensors of rank up to ${MAX_RANK}`);
  return Array.from({ length: n }, () => symbol(hint));
}

function shapeRange(rank: number, start: number, end: number | undefined): [number, number] {
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const s = clamp(start), e = clamp(end ?? rank);
  return [s, Math.max(s, e)];
}

/**
 * Reshape's target dims: 0 copies the input dim (unless allowzero), -1 is inferred. With
 * symbolic input dims, -1 resolves when the unknowns cancel between input and target.
 */
export function reshapeDims(input: Shape, target: readonly number[], allowzero: boolean, symbol: Symbolize): Dim[] {
  const out: Dim[] = target.map((t, i) => {
    if (t === 0 && !allowzero) {
      if (i >= input.length) throw new ShapeError(`Reshape target ${fmtShape(target)} copies dim ${i} of rank-${input.length} input`);
      return input[i];
    }
    if (t < -1) throw new ShapeError(`Reshape target ${fmtShape(target)} has invalid dim ${t}`);
    return t;
  });
  const infer = out.indexOf(-1);
  if (infer !== out.lastIndexOf(-1)) throw new ShapeError(`Reshape target ${fmtShape(target)} has more than one -1`);
  let inKnown = 1, outKnown = 1;
  const inSyms: Dim[] = [];
  for (const d of input) { if (typeof d === 'number') inKnown *= d; else inSyms.push(d); }
  const outSyms: Dim[] = [];
  out.forEach((d, i) => {
    if (i === infer) return;
    if (typeof d === 'number') outKnown *= d;
    else { const k = inSyms.indexOf(d); if (k >= 0) inSyms.splice(k, 1); else outSyms.push(d); }
  });
  if (infer < 0) {
    if (!inSyms.length && !outSyms.length && inKnown !== outKnown) {
      throw new ShapeError(`cannot reshape ${fmtShape(input)} to ${fmtShape(target)}`);
    }
    return out;
  }
  if (!inSyms.length && !outSyms.length) {
    if (outKnown === 0 || inKnown % outKnown !== 0) {
      throw new ShapeError(`cannot reshape ${fmtShape(input)} to ${fmtShape(target)}`);
    }
    out[infer] = inKnown / outKnown;
  } else if (inSyms.length === 1 && !outSyms.length && inKnown === outKnown) {
    out[infer] = inSyms[0];
  } else {
    out[infer] = symbol('reshape');
  }
  return out;
}

/** Squeeze's axes: the given ones (each must be 1), or every dim known to be 1. */
function squeezeAxes(shape: Shape, axes: readonly number[] | undefined): Set<number> {
  if (axes === undefined) return new Set(shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  const set = new Set(axes.map((a) => normAxis(a, shape.length, 'Squeeze axis')));
  for (const a of set) {
    if (typeof shape[a] === 'number' && shape[a] !== 1) {
      throw new ShapeError(`Squeeze axis ${a} has size ${shape[a]}, not 1 (shape ${fmtShape(shape)})`);
    }
  }
  return set;
}

function unsqueezeDims(shape: Shape, axes: readonly number[]): Dim[] {
  const rank = shape.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, rank, 'Unsqueeze axis')));
  if (set.size !== axes.length) throw new ShapeError(`Unsqueeze axes ${fmtShape(axes)} repeat an axis`);
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(set.has(i) ? 1 : shape[k++]);
  return out;
}

/** Expand's output when the target shape is unknown: known dims > 1 survive, others are symbols. */
function expandUnknown(shape: Shape, targetRank: number, symbol: Symbolize): Dim[] {
  const rank = Math.max(shape.length, targetRank);
  return Array.from({ length: rank }, (_, i) => {
    const d = shape[i - (rank - shape.length)];
    return typeof d === 'number' && d !== 1 ? d : symbol('expand');
  });
}

function rangeLength(start: number, limit: number, delta: number): number {
  if (delta === 0) throw new ShapeError('Range delta is 0');
  return Math.max(0, Math.ceil((limit - start) / delta));
}

const scalarOf = (t: Tensor) => t.numbers[0];

/** Flatten's split point: an axis in [-rank, rank], negative counted from the end. */
function flattenAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a <= rank)) throw new ShapeError(`Flatten axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export const shapeOps = {
  Identity: defineOp({
    attrs: {},
    inputs: [1, 1],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs }) => [inputs[0]!],
    view: () => true,
    compute: viewCompute,
    passThrough: sameTypePassesInput0,
    run: ({ inputs }) => [inputs[0]!],
    // sequences and optionals pass through as they are
    evaluate: ({ inputs }) => [inputs[0]!],
  }),

  Shape: defineOp({
    attrs: { start: attr.int(0), end: attr.int() },
    inputs: [1, 1],
    fusion: 'opaque',
    handlesStrings: opaqueElements, // reads the type, never an element
    infer: ({ inputs, attrs }) => {
      const [s, e] = shapeRange(inputs[0]!.shape.length, attrs.start, attrs.end);
      return [{ dtype: 'int64', shape: [e - s] }];
    },
    compute: (ctx) => shapeCompute(ctx, shapeRange(ctx.inputs[0]!.shape.length, ctx.attrs.start, ctx.attrs.end)),
    value: ({ inputs, attrs }) => {
      const shape = inputs[0]!.shape;
      const [s, e] = shapeRange(shape.length, attrs.start, attrs.end);
      const dims = shape.slice(s, e);
      return isStatic(dims) ? [Tensor.from('int64', [dims.length], dims)] : undefined;
    },
    run: ({ inputs, attrs }) => {
      const shape = inputs[0]!.shape;
      const [s, e] = shapeRange(shape.length, attrs.start, attrs.end);
      return [Tensor.from('int64', [e - s], shape.slice(s, e))];
    },
  }),

  Size: defineOp({
    attrs: {},
    inputs: [1, 1],
    fusion: 'opaque',
    handlesStrings: opaqueElements, // reads the type, never an element
    infer: () => [{ dtype: 'int64', shape: [] }],
    compute: sizeCompute,
    value: ({ inputs }) => {
      const shape = inputs[0]!.shape;
      return isStatic(shape) ? [Tensor.scalar('int64', numel(shape))] : undefined;
    },
    run: ({ inputs }) => [Tensor.scalar('int64', inputs[0]!.size)],
  }),

  Reshape: defineOp({
    attrs: { allowzero: attr.int(0) },
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs, constant, symbol }) => {
      const x = inputs[0]!;
      const target = intsOf(constant(1));
      const shape = target ? reshapeDims(x.shape, target, attrs.allowzero !== 0, symbol)
        : unknownDims(staticLength(inputs[1], 'Reshape shape'), symbol, 'reshape');
      return [{ dtype: x.dtype, shape }];
    },
    view: () => true,
    compute: viewCompute,
    passThrough: sameTypePassesInput0,
    reshapes: true,
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      // static input dims never need a symbol, and a size mismatch throws inside
      const dims = reshapeDims(x.shape, inputs[1]!.toArray(), attrs.allowzero !== 0, () => -1) as number[];
      return [x.reshape(dims)];
    },
  }),

  Flatten: defineOp({
    attrs: { axis: attr.int(1) },
    inputs: [1, 1],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs, symbol }) => {
      const x = inputs[0]!;
      const axis = flattenAxis(attrs.axis, x.shape.length);
      return [{
        dtype: x.dtype,
        shape: [productDim(x.shape.slice(0, axis), symbol, 'flatten'), productDim(x.shape.slice(axis), symbol, 'flatten')],
      }];
    },
    view: () => true,
    compute: viewCompute,
    passThrough: sameTypePassesInput0,
    reshapes: true,
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const axis = flattenAxis(attrs.axis, x.rank);
      const outer = numel(x.shape.slice(0, axis));
      return [x.reshape([outer, outer ? x.size / outer : numel(x.shape.slice(axis))])];
    },
  }),

  Squeeze: defineOp({
    attrs: {},
    inputs: [1, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, constant, symbol }) => {
      const x = inputs[0]!;
      if (inputs[1] && !constant(1)) {
        const rank = x.shape.length - staticLength(inputs[1], 'Squeeze axes');
        return [{ dtype: x.dtype, shape: unknownDims(rank, symbol, 'squeeze') }];
      }
      const drop = squeezeAxes(x.shape, intsOf(constant(1)));
      return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }];
    },
    view: () => true,
    compute: viewCompute,
    passThrough: sameTypePassesInput0,
    reshapes: true,
    run: ({ inputs }) => {
      const x = inputs[0]!;
      const drop = squeezeAxes(x.shape, intsOf(inputs[1]));
      return [x.reshape(x.shape.filter((_, i) => !drop.has(i)))];
    },
  }),

  Unsqueeze: defineOp({
    attrs: {},
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, constant, symbol }) => {
      const x = inputs[0]!;
      const axes = intsOf(constant(1));
      const shape = axes ? unsqueezeDims(x.shape, axes)
        : unknownDims(x.shape.length + staticLength(inputs[1], 'Unsqueeze axes'), symbol, 'unsqueeze');
      return [{ dtype: x.dtype, shape }];
    },
    view: () => true,
    compute: viewCompute,
    passThrough: sameTypePassesInput0,
    reshapes: true,
    run: ({ inputs }) => [inputs[0]!.reshape(unsqueezeDims(inputs[0]!.shape, inputs[1]!.toArray()) as number[])],
  }),

  Expand: defineOp({
    attrs: {},
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, constant, symbol }) => {
      const x = inputs[0]!;
      const target = intsOf(constant(1));
      const shape = target ? broadcastShapes(x.shape, target)
        : expandUnknown(x.shape, staticLength(inputs[1], 'Expand shape'), symbol);
      return [{ dtype: x.dtype, shape }];
    },
    compute: expandCompute,
    passThrough: sameTypePassesInput0,
    run: ({ inputs }) => {
      const x = inputs[0]!;
      const shape = broadcastShapes(x.shape, inputs[1]!.toArray()) as number[];
      return [new Tensor(x.dtype, shape, stridedCopy(x.data, x.dtype, 0, broadcastStrides(x.shape, shape), shape))];
    },
  }),

  ConstantOfShape: defineOp({
    attrs: { value: attr.tensor() },
    inputs: [1, 1],
    fusion: 'injective',
    infer: ({ inputs, attrs, constant, symbol }) => {
      const dtype: DType = attrs.value?.dtype ?? 'float32';
      const dims = intsOf(constant(0));
      return [{ dtype, shape: dims ?? unknownDims(staticLength(inputs[0], 'ConstantOfShape shape'), symbol, 'const') }];
    },
    compute: (ctx) => fillCompute(ctx, Number(fillValue(ctx.attrs.value, ctx.attrs.value?.dtype ?? 'float32'))),
    run: ({ inputs, attrs }) => {
      const dtype: DType = attrs.value?.dtype ?? 'float32';
      const shape = inputs[0]!.toArray();
      return [new Tensor(dtype, shape, filled(dtype, numel(shape), fillValue(attrs.value, dtype)))];
    },
  }),

  Range: defineOp({
    attrs: {},
    inputs: [3, 3],
    fusion: 'injective',
    infer: ({ inputs, constant, symbol }) => {
      const [s, l, d] = [constant(0), constant(1), constant(2)];
      const n = s && l && d ? rangeLength(scalarOf(s), scalarOf(l), scalarOf(d)) : symbol('range');
      return [{ dtype: inputs[0]!.dtype, shape: [n] }];
    },
    compute: rangeCompute,
    run: ({ inputs }) => {
      const [s, l, d] = inputs.map((t) => scalarOf(t!));
      const dtype = inputs[0]!.dtype;
      const n = rangeLength(s, l, d);
      const data = allocData(dtype, n) as NumericData;
      for (let i = 0; i < n; i++) data[i] = castNumber(dtype, s + i * d);
      return [new Tensor(dtype, [n], data)];
    },
  }),

  EyeLike: defineOp({
    attrs: { k: attr.int(0), dtype: attr.string() },
    inputs: [1, 1],
    fusion: 'injective',
    infer: ({ inputs, attrs }): ValueInfo[] => {
      const x = inputs[0]!;
      if (x.shape.length !== 2) throw new ShapeError(`EyeLike needs a 2-D input, got ${fmtShape(x.shape)}`);
      return [{ dtype: (attrs.dtype ?? x.dtype) as DType, shape: x.shape }];
    },
    compute: (ctx) => eyeCompute(ctx, ctx.attrs.k),
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const dtype = (attrs.dtype ?? x.dtype) as DType;
      const [rows, cols] = x.shape;
      const data = allocData(dtype, rows * cols) as NumericData;
      for (let i = Math.max(0, -attrs.k); i < rows && i + attrs.k < cols; i++) data[i * cols + i + attrs.k] = 1;
      return [new Tensor(dtype, x.shape, data)];
    },
  }),
} satisfies OpTable;
