// Data movement ops: every output element is a copy of one input element (or a fill
// value), so they work for every dtype including strings. Kernels are strided copies.
import { elementZero } from '../lower/te.js';
import { ShapeError } from '../errors.js';
import { allocData, type TensorData } from '../ir/dtype.js';
import { fmtShape, isStatic, normAxis, numel, stridesOf, type Dim, type Shape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { copyRange, fillValue, intsOf, mappedCopy, padAmounts, staticLength, stridedCopy, type Store, type Symbolize } from './data-util.js';
import { checkSameDType } from './elementwise-build.js';
import { permuteAxisAttr, sameTypePassesInput0 } from './facets.js';
import { concatPassThrough, concatPermute, padPassThrough, padPermute, transposePassThrough } from './movement-facets.js';
import { attr, opaqueElements, defineOp, type OpTable } from './op.js';
import { sliceOps } from './data-slice.js';
import { splitCompute, triluCompute } from './index-compute.js';
import { UnsupportedError } from '../errors.js';
import {
  axisMapsCompute, concatCompute, depthToSpaceCompute, spaceToDepthCompute, tileCompute, transposeCompute,
} from './movement-compute.js';

export function transposePerm(rank: number, perm: readonly number[] | undefined): number[] {
  const p = perm ? [...perm] : Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const seen = new Set(p.map((a) => normAxis(a, rank, 'Transpose perm entry')));
  if (p.length !== rank || seen.size !== rank) throw new ShapeError(`Transpose perm [${p}] is not a permutation of rank ${rank}`);
  return p.map((a) => normAxis(a, rank));
}

export function transposeTensor(x: Tensor, perm: readonly number[]): Tensor {
  const st = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  return new Tensor(x.dtype, shape, stridedCopy(x.data, x.dtype, 0, perm.map((p) => st[p]), shape));
}

function concatShape(shapes: readonly Shape[], axis: number, symbol: Symbolize): Dim[] {
  const rank = shapes[0].length;
  const a = normAxis(axis, rank, 'Concat axis');
  const out: Dim[] = [...shapes[0]];
  let sum = 0, known = true;
  for (const s of shapes) {
    if (s.length !== rank) throw new ShapeError(`Concat inputs have ranks ${shapes.map((x) => x.length).join(', ')}`);
    s.forEach((d, i) => {
      if (i === a) { if (typeof d === 'number') sum += d; else known = false; return; }
      if (typeof d === 'number') {
        if (typeof out[i] === 'number' && out[i] !== d) {
          throw new ShapeError(`Concat inputs ${shapes.map(fmtShape).join(', ')} differ in dim ${i}`);
        }
        out[i] = d;
      }
    });
  }
  out[a] = known ? sum : symbol('concat');
  return out;
}

/** Number of Split outputs: the node's, which num_outputs (when given) must agree with. */
function splitCount(outputs: number, numOutputs: number | undefined): number {
  if (numOutputs !== undefined && numOutputs !== outputs) {
    throw new ShapeError(`Split num_outputs=${numOutputs} but the node has ${outputs} outputs`);
  }
  return outputs;
}

/** Split's chunk sizes: the `split` input, or equal chunks with a smaller last one. */
function splitSizes(dim: number, split: readonly number[] | undefined, count: number): number[] {
  if (split) {
    if (split.length !== count || split.reduce((a, b) => a + b, 0) !== dim) {
      throw new ShapeError(`Split sizes [${split}] do not cover dim ${dim} in ${count} outputs`);
    }
    return [...split];
  }
  const chunk = Math.ceil(dim / count);
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

/**
 * Index map of one padded axis: output position -> input position, -1 for the constant.
 * Negative pads crop first; the remaining positive pads then extend the cropped range.
 */
export function padMap(dim: number, before: number, after: number, mode: string): Int32Array {
  const lo = Math.max(0, -before);
  const len = Math.max(0, dim - lo - Math.max(0, -after));
  const pre = Math.max(0, before);
  const map = new Int32Array(len + pre + Math.max(0, after));
  const period = 2 * (len - 1);
  for (let o = 0; o < map.length; o++) {
    const i = o - pre;
    if (i >= 0 && i < len) { map[o] = lo + i; continue; }
    if (len === 0 && mode !== 'constant') throw new ShapeError(`Pad mode ${mode} cannot pad an empty axis`);
    switch (mode) {
      case 'constant': map[o] = -1; continue;
      case 'edge': map[o] = i < 0 ? 0 : len - 1; break;
      case 'wrap': map[o] = ((i % len) + len) % len; break;
      case 'reflect': {
        const m = len === 1 ? 0 : ((i % period) + period) % period;
        map[o] = m < len ? m : period - m;
        break;
      }
      default: throw new ShapeError(`Pad mode '${mode}' is not one of constant, reflect, edge, wrap`);
    }
    map[o] += lo;
  }
  return map;
}

function depthToSpaceView(x: Tensor, b: number, mode: string): { strides: number[]; shape: number[] } {
  const [n, c, h, w] = x.shape;
  if (x.rank !== 4 || c % (b * b) !== 0) throw new ShapeError(`DepthToSpace needs [N,C,H,W] with C divisible by ${b * b}, got ${fmtShape(x.shape)}`);
  const cOut = c / (b * b);
  // input viewed as 6-D, then read in output order [n, cOut, h, b1, w, b2]
  if (mode === 'DCR') {
    const st = stridesOf([n, b, b, cOut, h, w]);
    return { strides: [st[0], st[3], st[4], st[1], st[5], st[2]], shape: [n, cOut, h, b, w, b] };
  }
  if (mode !== 'CRD') throw new ShapeError(`DepthToSpace mode '${mode}' is not DCR or CRD`);
  const st = stridesOf([n, cOut, b, b, h, w]);
  return { strides: [st[0], st[1], st[4], st[2], st[5], st[3]], shape: [n, cOut, h, b, w, b] };
}

const copyTensor = (x: Tensor, shape: readonly number[], data: TensorData) => new Tensor(x.dtype, shape, data);

export const movementOps = {
  Transpose: defineOp({
    attrs: { perm: attr.ints() },
    inputs: [1, 1],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const perm = transposePerm(x.shape.length, attrs.perm);
      return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
    },
    // moving only unit dims keeps every element at its offset
    view: ({ inputs, attrs }) => {
      const shape = inputs[0]!.shape;
      if (!isStatic(shape)) return false;
      const moved = transposePerm(shape.length, attrs.perm).filter((axis) => shape[axis] !== 1);
      return moved.every((axis, i) => i === 0 || moved[i - 1] < axis);
    },
    compute: (ctx) => transposeCompute(ctx, transposePerm(ctx.inputs[0]!.shape.length, ctx.attrs.perm)),
    run: ({ inputs, attrs }) => [transposeTensor(inputs[0]!, transposePerm(inputs[0]!.rank, attrs.perm))],
    passThrough: transposePassThrough,
  }),

  Concat: defineOp({
    attrs: { axis: attr.required('int') },
    inputs: [1, Infinity],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs, symbol }) => [{
      dtype: checkSameDType('Concat', inputs),
      shape: concatShape(inputs.map((i) => i!.shape), attrs.axis, symbol),
    }],
    compute: (ctx) => concatCompute(ctx, normAxis(ctx.attrs.axis, ctx.outputs[0].shape.length)),
    passThrough: concatPassThrough,
    permute: concatPermute,
    run: ({ inputs, attrs }) => {
      const xs = inputs.map((t) => t!);
      const shape = concatShape(xs.map((t) => t.shape), attrs.axis, () => NaN) as number[];
      const a = normAxis(attrs.axis, shape.length);
      const outer = numel(shape.slice(0, a));
      const data = allocData(xs[0].dtype, numel(shape));
      const rows = xs.map((t) => t.size / Math.max(1, outer));
      const rowLen = rows.reduce((s, r) => s + r, 0);
      for (let o = 0; o < outer; o++) {
        let pos = o * rowLen;
        xs.forEach((t, k) => { copyRange(data, pos, t.data, o * rows[k], rows[k]); pos += rows[k]; });
      }
      return [copyTensor(xs[0], shape, data)];
    },
  }),

  Split: defineOp({
    attrs: { axis: attr.int(0), num_outputs: attr.int() },
    inputs: [1, 2],
    outputs: [1, Infinity],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ node, inputs, attrs, constant, symbol }) => {
      const x = inputs[0]!;
      const a = normAxis(attrs.axis, x.shape.length, 'Split axis');
      const count = splitCount(node.outputs.length, attrs.num_outputs);
      const dim = x.shape[a];
      const split = intsOf(constant(1));
      // sizes fed at run time are unknown here, even when the axis length is known
      const sizes: Dim[] = split || (typeof dim === 'number' && !inputs[1])
        ? splitSizes(typeof dim === 'number' ? dim : split!.reduce((s, v) => s + v, 0), split, count)
        : Array.from({ length: count }, () => symbol('split'));
      return sizes.map((d) => ({ dtype: x.dtype, shape: x.shape.map((v, i) => (i === a ? d : v)) }));
    },
    compute: (ctx) => splitCompute(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length, 'Split axis')),
    permute: permuteAxisAttr,
    run: ({ node, inputs, attrs }) => {
      const x = inputs[0]!;
      const a = normAxis(attrs.axis, x.rank, 'Split axis');
      const sizes = splitSizes(x.shape[a], intsOf(inputs[1]), splitCount(node.outputs.length, attrs.num_outputs));
      const outer = numel(x.shape.slice(0, a)), inner = numel(x.shape.slice(a + 1));
      const rowLen = x.shape[a] * inner;
      let start = 0;
      return sizes.map((size) => {
        const shape = x.shape.map((v, i) => (i === a ? size : v));
        const data = allocData(x.dtype, numel(shape));
        const len = size * inner;
        for (let o = 0; o < outer; o++) copyRange(data, o * len, x.data, o * rowLen + start * inner, len);
        start += size;
        return copyTensor(x, shape, data);
      });
    },
  }),

  ...sliceOps,

  Pad: defineOp({
    attrs: { mode: attr.string('constant') },
    inputs: [2, 4],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, constant, symbol }) => {
      const x = inputs[0]!;
      const pads = intsOf(constant(1));
      const axes = inputs[3] ? intsOf(constant(3)) : undefined;
      if (!pads || (inputs[3] && !axes)) {
        return [{ dtype: x.dtype, shape: x.shape.map(() => symbol('pad')) }];
      }
      const amounts = padAmounts(x.shape.length, pads, axes);
      const shape = x.shape.map((d, i) => {
        const [b, e] = amounts[i];
        if (b === 0 && e === 0) return d;
        return typeof d === 'number' ? d + b + e : symbol('pad');
      });
      return [{ dtype: x.dtype, shape }];
    },
    compute: (ctx) => {
      const x = ctx.inputs[0]!;
      const pads = intsOf(ctx.constant(1));
      if (!pads || (ctx.inputs[3] && !ctx.constant(3))) throw new UnsupportedError('compiled Pad needs constant pads and axes');
      const amounts = padAmounts(x.shape.length, pads, intsOf(ctx.constant(3)));
      const maps = x.shape.map((d, i) => padMap(d, amounts[i][0], amounts[i][1], ctx.attrs.mode));
      // a pad value fed at run time is read by the kernel; a constant one is folded in
      const value = ctx.inputs[2];
      const fill = ctx.constant(2) ? ctx.constant(2)!.numbers[0] : value ? elementZero(value) : 0;
      return [axisMapsCompute(ctx, x, maps, fill)];
    },
    passThrough: padPassThrough,
    permute: padPermute,
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const amounts = padAmounts(x.rank, inputs[1]!.toArray(), intsOf(inputs[3]));
      const maps = x.shape.map((d, i) => padMap(d, amounts[i][0], amounts[i][1], attrs.mode));
      const data = mappedCopy(x.data, x.dtype, x.shape, maps, fillValue(inputs[2], x.dtype));
      return [copyTensor(x, maps.map((m) => m.length), data)];
    },
  }),

  Tile: defineOp({
    attrs: {},
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, constant, symbol }) => {
      const x = inputs[0]!;
      const reps = intsOf(constant(1));
      if (staticLength(inputs[1], 'Tile repeats') !== x.shape.length) {
        throw new ShapeError(`Tile repeats of length ${inputs[1]!.shape[0]} do not match rank ${x.shape.length}`);
      }
      const tiled = (d: Dim, r: number | undefined): Dim => {
        if (r === 1) return d;
        return r !== undefined && typeof d === 'number' ? d * r : symbol('tile');
      };
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => tiled(d, reps?.[i])) }];
    },
    compute: tileCompute,
    passThrough: sameTypePassesInput0,
    run: ({ inputs }) => {
      const x = inputs[0]!;
      const reps = inputs[1]!.toArray();
      if (reps.length !== x.rank) throw new ShapeError(`Tile repeats [${reps}] do not match rank ${x.rank}`);
      const maps = x.shape.map((d, i) => Int32Array.from({ length: d * reps[i] }, (_, o) => o % d));
      return [copyTensor(x, maps.map((m) => m.length), mappedCopy(x.data, x.dtype, x.shape, maps))];
    },
  }),

  DepthToSpace: defineOp({
    attrs: { blocksize: attr.required('int'), mode: attr.string('DCR') },
    inputs: [1, 1],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs, symbol }) => {
      const x = inputs[0]!;
      const b = attrs.blocksize;
      const [n, c, h, w] = x.shape;
      const scale = (d: Dim) => (typeof d === 'number' ? d * b : symbol('d2s'));
      const cOut = typeof c === 'number' ? c / (b * b) : symbol('d2s');
      if (x.shape.length !== 4 || !Number.isInteger(cOut)) throw new ShapeError(`DepthToSpace needs [N,C,H,W] with C divisible by ${b * b}, got ${fmtShape(x.shape)}`);
      return [{ dtype: x.dtype, shape: [n, cOut, scale(h), scale(w)] }];
    },
    compute: (ctx) => depthToSpaceCompute(ctx, ctx.attrs.blocksize, ctx.attrs.mode),
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const { strides, shape } = depthToSpaceView(x, attrs.blocksize, attrs.mode);
      const out = [shape[0], shape[1], shape[2] * shape[3], shape[4] * shape[5]];
      return [copyTensor(x, out, stridedCopy(x.data, x.dtype, 0, strides, shape))];
    },
  }),

  SpaceToDepth: defineOp({
    attrs: { blocksize: attr.required('int') },
    inputs: [1, 1],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs, symbol }) => {
      const x = inputs[0]!;
      const b = attrs.blocksize;
      const [n, c, h, w] = x.shape;
      const shrink = (d: Dim) => (typeof d === 'number' ? d / b : symbol('s2d'));
      const dims = [shrink(h), shrink(w)];
      if (x.shape.length !== 4 || !dims.every((d) => typeof d === 'string' || Number.isInteger(d))) {
        throw new ShapeError(`SpaceToDepth needs [N,C,H,W] with H and W divisible by ${b}, got ${fmtShape(x.shape)}`);
      }
      return [{ dtype: x.dtype, shape: [n, typeof c === 'number' ? c * b * b : symbol('s2d'), ...dims] }];
    },
    compute: (ctx) => spaceToDepthCompute(ctx, ctx.attrs.blocksize),
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const b = attrs.blocksize;
      const [n, c, h, w] = x.shape;
      const st = stridesOf([n, c, h / b, b, w / b, b]);
      // read in output order [n, b1, b2, c, h', w']
      const shape = [n, b, b, c, h / b, w / b];
      const data = stridedCopy(x.data, x.dtype, 0, [st[0], st[3], st[5], st[1], st[2], st[4]], shape);
      return [copyTensor(x, [n, c * b * b, h / b, w / b], data)];
    },
  }),

  Trilu: defineOp({
    attrs: { upper: attr.int(1) },
    inputs: [1, 2],
    fusion: 'injective',
    infer: ({ inputs }) => {
      if (inputs[0]!.shape.length < 2) throw new ShapeError(`Trilu needs rank >= 2, got ${fmtShape(inputs[0]!.shape)}`);
      return [inputs[0]!];
    },
    compute: (ctx) => triluCompute(ctx, ctx.attrs.upper !== 0),
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const k = inputs[1] ? inputs[1].numbers[0] : 0;
      const [rows, cols] = x.shape.slice(-2);
      const data = allocData(x.dtype, x.size);
      const src = x.data as Store, dst = data as Store;
      for (let base = 0; base < x.size; base += rows * cols) {
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            if (attrs.upper ? j - i >= k : j - i <= k) dst[base + i * cols + j] = src[base + i * cols + j];
          }
        }
      }
      return [copyTensor(x, x.shape, data)];
    },
  }),
} satisfies OpTable;
