// Ops of no larger family: CumProd (CumSum's product twin), CenterCropPad (crop or zero-pad
// around the centre), Compress (slices where a condition holds, its length data-dependent)
// and Dropout (the identity in inference; in training it drops by a hash of element index and seed).
import { ShapeError } from '../errors.js';
import { allocData, castNumber, isFloat, type DType, type NumericData } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { fmtShape, isStatic, normAxis, numel, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { dropoutUniform } from './dropout-random.js';
import { checkDType } from './elementwise-build.js';
import { cumulativeCompute } from './axis-compute.js';
import { centerCropPadCompute, compressKernel, dropoutCompute } from './misc-compute.js';
import { attr, defineOp, type OpTable } from './op.js';
import { forEachLine } from './reduce-axis.js';

// the executor and shape inference prefix the node's name
const where = (node: Node) => node.op;

/** Product of x and acc as `dtype` holds it; int32 multiplies exactly and wraps. */
const times = (dtype: DType, acc: number, x: number) => (dtype === 'int32' ? Math.imul(acc, x) : castNumber(dtype, acc * x));

function cumProd(x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Tensor {
  const n = x.shape[axis], src = x.numbers;
  const out = allocData(x.dtype, x.size) as NumericData;
  forEachLine(x.shape, axis, (base, stride) => {
    let acc = 1;
    for (let j = 0; j < n; j++) {
      const at = base + (reverse ? n - 1 - j : j) * stride;
      if (!exclusive) acc = times(x.dtype, acc, src[at]);
      out[at] = acc;
      if (exclusive) acc = times(x.dtype, acc, src[at]);
    }
  });
  return new Tensor(x.dtype, x.shape, out);
}

/** The target length per axis of CenterCropPad: the shape input's entries on `axes`, the input's elsewhere. */
function cropTargets(node: Node, xShape: readonly Dim[], shape: readonly number[] | undefined, axes: readonly number[] | undefined): (Dim | undefined)[] {
  const rank = xShape.length;
  const on = (axes ?? xShape.map((_, i) => i)).map((a) => normAxis(a, rank, `${where(node)}: axes entry`));
  if (new Set(on).size !== on.length) throw new ShapeError(`${where(node)}: axes [${axes!.join(',')}] repeat an axis`);
  if (shape && shape.length !== on.length) {
    throw new ShapeError(`${where(node)}: shape has ${shape.length} entries but there are ${on.length} axes; give one size per axis`);
  }
  if (shape?.some((d) => !(Number.isInteger(d) && d >= 0))) throw new ShapeError(`${where(node)}: shape [${shape.join(',')}] must hold sizes >= 0`);
  return xShape.map((d, i) => (on.includes(i) ? shape?.[on.indexOf(i)] : d));
}

/** Where the input's corner lands in the output per axis: the pad before (>= 0) or minus the crop before. */
export const cropOffsets = (inShape: readonly number[], outShape: readonly number[]) =>
  inShape.map((d, i) => (outShape[i] >= d ? Math.floor((outShape[i] - d) / 2) : -Math.floor((d - outShape[i]) / 2)));

function centerCropPad(x: Tensor, outShape: readonly number[]): Tensor {
  const begin = cropOffsets(x.shape, outShape);
  const out = allocData(x.dtype, numel(outShape));
  const src = x.data;
  const inStrides = x.shape.map((_, d) => numel(x.shape.slice(d + 1)));
  for (let i = 0; i < out.length; i++) {
    let rest = i, at = 0, inside = true;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const c = rest % outShape[d] - begin[d];
      rest = Math.floor(rest / outShape[d]);
      if (c < 0 || c >= x.shape[d]) { inside = false; break; }
      at += c * inStrides[d];
    }
    if (inside) (out as unknown as { [i: number]: unknown })[i] = (src as ArrayLike<unknown>)[at];
  }
  return new Tensor(x.dtype, outShape, out);
}

/** Compress's view of x: the selected axis and the lengths before, along and after it (flattened without axis). */
export function compressAxis(xShape: readonly number[], axisAttr: number | undefined) {
  if (axisAttr === undefined) return { axis: 0, outer: 1, len: numel(xShape), inner: 1 };
  const axis = normAxis(axisAttr, xShape.length);
  return { axis, outer: numel(xShape.slice(0, axis)), len: xShape[axis], inner: numel(xShape.slice(axis + 1)) };
}

function compress(node: Node, x: Tensor, cond: Tensor, axisAttr: number | undefined): Tensor {
  if (cond.rank !== 1) throw new ShapeError(`${where(node)}: condition ${fmtShape(cond.shape)} must be 1-D`);
  const { axis, outer, len, inner } = compressAxis(x.shape, axisAttr);
  const picked: number[] = [];
  for (let c = 0; c < Math.min(len, cond.size); c++) if (cond.numbers[c] !== 0) picked.push(c);
  const out = allocData(x.dtype, outer * picked.length * inner);
  const src = x.data as ArrayLike<unknown>, dst = out as unknown as { [i: number]: unknown };
  let k = 0;
  for (let o = 0; o < outer; o++) for (const c of picked) for (let i = 0; i < inner; i++) dst[k++] = src[(o * len + c) * inner + i];
  const shape = axisAttr === undefined ? [picked.length] : x.shape.map((d, i) => (i === axis ? picked.length : d));
  return new Tensor(x.dtype, shape, out);
}

/** Dropout in training mode: elements whose hash uniform falls below the ratio are 0, the rest scaled. */
function dropout(x: Tensor, ratio: number, seed: number): [Tensor, Tensor] {
  const src = x.numbers, y = allocData(x.dtype, x.size) as NumericData, mask = new Uint8Array(x.size);
  const scale = 1 / (1 - ratio);
  for (let i = 0; i < x.size; i++) {
    mask[i] = dropoutUniform(i, seed) < ratio ? 0 : 1;
    y[i] = mask[i] ? src[i] * scale : 0;
  }
  return [new Tensor(x.dtype, x.shape, y), Tensor.from('bool', x.shape, mask)];
}

export const miscOps = {
  CumProd: defineOp({
    attrs: { exclusive: attr.int(0), reverse: attr.int(0) }, inputs: [2, 2], fusion: 'opaque',
    infer: ({ node, inputs: [x, axis] }) => {
      checkDType(node.op, 'numeric', x!.dtype);
      if (axis!.shape.length > 1 || (isStatic(axis!.shape) && numel(axis!.shape as number[]) !== 1)) {
        throw new ShapeError(`${where(node)}: axis ${fmtShape(axis!.shape)} must be one value`);
      }
      return [x!];
    },
    run: ({ node, attrs, inputs: [x, axis] }) => {
      if (axis!.size !== 1) throw new ShapeError(`${where(node)}: axis must be a scalar, got ${axis!.size} values`);
      return [cumProd(x!, normAxis(axis!.numbers[0], x!.rank, `${where(node)}: axis`), attrs.exclusive !== 0, attrs.reverse !== 0)];
    },
    compute: (ctx) => cumulativeCompute(ctx, 'prod'),
  }),

  CenterCropPad: defineOp({
    attrs: { axes: attr.ints() }, inputs: [2, 2], fusion: 'injective',
    infer: ({ node, attrs, inputs: [x, shape], constant, symbol }) => {
      if (shape!.dtype !== 'int64' && shape!.dtype !== 'int32') throw new ShapeError(`${where(node)}: shape is ${shape!.dtype}; it must be int64 or int32`);
      const targets = cropTargets(node, x!.shape, constant(1)?.toArray(), attrs.axes);
      return [{ dtype: x!.dtype, shape: targets.map((d) => d ?? symbol('crop')) }];
    },
    run: ({ node, attrs, inputs: [x, shape] }) =>
      [centerCropPad(x!, cropTargets(node, x!.shape, shape!.toArray(), attrs.axes) as number[])],
    compute: centerCropPadCompute,
  }),

  Compress: defineOp({
    attrs: { axis: attr.int() }, inputs: [2, 2], fusion: 'opaque',
    infer: ({ node, attrs, inputs: [x, cond], constant, symbol }) => {
      if (x!.shape.length < 1) throw new ShapeError(`${where(node)}: input must have rank >= 1, got a scalar`);
      if (cond!.dtype !== 'bool' || cond!.shape.length !== 1) throw new ShapeError(`${where(node)}: condition must be a 1-D bool tensor, got ${cond!.dtype} ${fmtShape(cond!.shape)}`);
      const axis = attrs.axis === undefined ? undefined : normAxis(attrs.axis, x!.shape.length, `${where(node)}: axis`);
      const c = constant(1);
      const len = axis === undefined ? (isStatic(x!.shape) ? numel(x!.shape as number[]) : undefined) : x!.shape[axis];
      const count = c && typeof len === 'number' ? c.toArray().slice(0, len).filter((v) => v !== 0).length : symbol('compress');
      return [{ dtype: x!.dtype, shape: axis === undefined ? [count] : x!.shape.map((d, i) => (i === axis ? count : d)) }];
    },
    // compiled for every slice selected; the kernel stores how many were
    dynamicOutputs: ({ attrs, inputs: [x, cond] }) => {
      if (!isStatic(x!.shape) || !isStatic(cond!.shape)) return [undefined];
      const { axis, len } = compressAxis(x!.shape as number[], attrs.axis);
      return [{ axis, max: Math.min(len, cond!.shape[0] as number) }];
    },
    kernel: compressKernel,
    run: ({ node, attrs, inputs: [x, cond] }) => [compress(node, x!, cond!, attrs.axis)],
  }),

  Dropout: defineOp({
    attrs: { seed: attr.int() }, inputs: [1, 3], outputs: [1, 2], fusion: 'opaque',
    infer: ({ node, inputs }) => {
      if (inputs[1] && !isFloat(inputs[1].dtype)) throw new ShapeError(`${where(node)}: ratio must be a float scalar, got ${inputs[1].dtype}`);
      if (inputs[2] && inputs[2].dtype !== 'bool') throw new ShapeError(`${where(node)}: training_mode must be a bool scalar, got ${inputs[2].dtype}`);
      return [inputs[0]!, { dtype: 'bool', shape: inputs[0]!.shape }];
    },
    run: ({ attrs, inputs: [x, ratio, training] }) => {
      const r = ratio?.numbers[0] ?? 0.5;
      if ((training?.numbers[0] ?? 0) !== 0 && r > 0) return dropout(x!, r, attrs.seed ?? 0);
      return [x!, Tensor.from('bool', x!.shape, new Uint8Array(x!.size).fill(1))];
    },
    compute: dropoutCompute,
  }),
} satisfies OpTable;
