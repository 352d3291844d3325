// Indexed reads and writes: Gather*, Scatter*, OneHot, NonZero. Index tensors may be int32 or int64
// and negative (counted from the end); out-of-range indices are errors here, while compiled
// kernels clamp gathers and drop such scatter updates (movement-compute, scatter-compute).
import { ShapeError } from '../errors.js';
import { allocData, castNumber } from '../ir/dtype.js';
import { fmtShape, isStatic, normAxis, numel, stridesOf, type Dim } from '../ir/shape.js';
import { nonZeroKernel } from './dynamic-kernels.js';
import type { ValueInfo } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { copyRange, filled, type Store } from './data-util.js';
import { checkSameDType } from './elementwise-build.js';
import { KEEP, LAYOUT, reducedPerm } from './facets.js';
import { attr, opaqueElements, defineOp, type OpTable } from './op.js';
import { gatherCompute } from './movement-compute.js';
import { gatherElementsCompute, gatherNDCompute } from './index-compute.js';
import { oneHotCompute, scatterElementsCompute, scatterNDCompute } from './scatter-compute.js';

function checkIndex(i: number, dim: number, op: string): number {
  const j = i < 0 ? i + dim : i;
  if (!(j >= 0 && j < dim)) throw new ShapeError(`${op} index ${i} is out of range for a dim of size ${dim}`);
  return j;
}

/**
 * Visits every position of `shape`, giving the flat position, the index along `axis` and the
 * flat offset of the same position in a tensor of shape `other` with that axis's index zeroed.
 */
function forEachAlongAxis(shape: readonly number[], other: readonly number[], axis: number,
  visit: (pos: number, axisIndex: number, otherBase: number) => void): void {
  const n = numel(shape);
  if (n === 0) return;
  const st = stridesOf(other);
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  let base = 0;
  for (let p = 0; p < n; p++) {
    visit(p, idx[axis], base);
    for (let d = r - 1; d >= 0; d--) {
      if (d !== axis) base += st[d];
      if (++idx[d] < shape[d]) break;
      if (d !== axis) base -= st[d] * shape[d];
      idx[d] = 0;
    }
  }
}

type Reduction = (a: number, b: number) => number;
const REDUCTIONS: Readonly<Record<string, Reduction | undefined>> = {
  none: undefined,
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
};

function reductionOf(name: string, op: string): Reduction | undefined {
  if (!(name in REDUCTIONS)) throw new ShapeError(`${op} reduction '${name}' is not none, add, mul, max or min`);
  return REDUCTIONS[name];
}

/** Writes `value` into dst[at], combining with the current value when there is a reduction. */
function scatterInto(dst: Store, at: number, value: number | string, reduce: Reduction | undefined, dtype: Tensor['dtype']) {
  dst[at] = reduce ? castNumber(dtype, reduce(dst[at] as number, value as number)) : value;
}

function gatherNDShape(data: readonly Dim[], indices: readonly Dim[], batch: number): Dim[] {
  const m = indices[indices.length - 1];
  if (typeof m !== 'number') throw new ShapeError(`GatherND indices ${fmtShape(indices)} need a known last dim`);
  if (batch + m > data.length) throw new ShapeError(`GatherND indices ${fmtShape(indices)} index past rank of data ${fmtShape(data)}`);
  return [...indices.slice(0, -1), ...data.slice(batch + m)];
}

/** Offsets into `data` addressed by each index tuple (the last axis of `indices`), batched. */
function tupleOffsets(data: readonly number[], indices: Tensor, batch: number, op: string): Float64Array {
  const m = indices.shape[indices.rank - 1];
  const st = stridesOf(data);
  const batchSize = numel(data.slice(batch));
  const tuples = indices.size / Math.max(1, m);
  const perBatch = tuples / Math.max(1, numel(indices.shape.slice(0, batch)));
  const ix = indices.numbers;
  const out = new Float64Array(tuples);
  for (let t = 0; t < tuples; t++) {
    let off = Math.floor(t / perBatch) * batchSize;
    for (let j = 0; j < m; j++) off += checkIndex(ix[t * m + j], data[batch + j], op) * st[batch + j];
    out[t] = off;
  }
  return out;
}


const sameDims = (a: readonly Dim[], b: readonly Dim[]) =>
  a.length === b.length && a.every((d, i) => typeof d !== 'number' || typeof b[i] !== 'number' || d === b[i]);

/** The kernels select between data and updates and index both: they must agree in dtype and shape. */
function checkScatterND(x: ValueInfo, ix: ValueInfo, upd: ValueInfo): void {
  checkSameDType('ScatterND data and updates', [x, upd]);
  const m = ix.shape[ix.shape.length - 1];
  if (ix.shape.length === 0) throw new ShapeError('ScatterND indices must have rank >= 1, got a scalar');
  if (typeof m !== 'number') return;
  if (m > x.shape.length) throw new ShapeError(`ScatterND indices ${fmtShape(ix.shape)} address ${m} axes of data of rank ${x.shape.length}`);
  const want = [...ix.shape.slice(0, -1), ...x.shape.slice(m)];
  if (!sameDims(want, upd.shape)) {
    throw new ShapeError(`ScatterND updates have shape ${fmtShape(upd.shape)}; data ${fmtShape(x.shape)} and indices ${fmtShape(ix.shape)} need ${fmtShape(want)}`);
  }
}

function checkScatterElements(x: ValueInfo, ix: ValueInfo, upd: ValueInfo): void {
  checkSameDType('ScatterElements data and updates', [x, upd]);
  if (ix.shape.length !== x.shape.length || !sameDims(ix.shape, upd.shape)) {
    throw new ShapeError(`ScatterElements needs indices and updates of one shape and the data's rank; got data ${fmtShape(x.shape)}, indices ${fmtShape(ix.shape)}, updates ${fmtShape(upd.shape)}`);
  }
}

export const gatherOps = {
  Gather: defineOp({
    attrs: { axis: attr.int(0) },
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs }) => {
      const [x, ix] = [inputs[0]!, inputs[1]!];
      const a = normAxis(attrs.axis, x.shape.length, 'Gather axis');
      return [{ dtype: x.dtype, shape: [...x.shape.slice(0, a), ...ix.shape, ...x.shape.slice(a + 1)] }];
    },
    compute: (ctx) => gatherCompute(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length, 'Gather axis')),
    // a scalar index drops the axis, a vector keeps it; deeper indices would insert axes
    permute: ({ node, attrs, perm: p, inputs }) => {
      const a = normAxis(attrs.axis, p.length);
      const indexRank = inputs[1]?.shape.length;
      if (indexRank !== 0 && indexRank !== 1) return undefined;
      return { attrs: { ...node.attrs, axis: p[a] }, inputs: [LAYOUT, KEEP], outPerms: [indexRank === 1 ? p : reducedPerm(p, [a])] };
    },
    run: ({ inputs, attrs }) => {
      const [x, ix] = [inputs[0]!, inputs[1]!];
      const a = normAxis(attrs.axis, x.rank, 'Gather axis');
      const dim = x.shape[a];
      const inner = numel(x.shape.slice(a + 1)), outer = numel(x.shape.slice(0, a));
      const idx = ix.toArray().map((i) => checkIndex(i, dim, 'Gather'));
      const shape = [...x.shape.slice(0, a), ...ix.shape, ...x.shape.slice(a + 1)];
      const data = allocData(x.dtype, numel(shape));
      let pos = 0;
      for (let o = 0; o < outer; o++) {
        for (const i of idx) { copyRange(data, pos, x.data, (o * dim + i) * inner, inner); pos += inner; }
      }
      return [new Tensor(x.dtype, shape, data)];
    },
  }),

  GatherElements: defineOp({
    attrs: { axis: attr.int(0) },
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs }) => [{ dtype: inputs[0]!.dtype, shape: inputs[1]!.shape }],
    compute: (ctx) => gatherElementsCompute(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length, 'GatherElements axis')),
    run: ({ inputs, attrs }) => {
      const [x, ix] = [inputs[0]!, inputs[1]!];
      const a = normAxis(attrs.axis, x.rank, 'GatherElements axis');
      const stride = stridesOf(x.shape)[a];
      const data = allocData(x.dtype, ix.size);
      const dst = data as Store, src = x.data as Store, ind = ix.numbers;
      forEachAlongAxis(ix.shape, x.shape, a, (p, _, base) => {
        dst[p] = src[base + checkIndex(ind[p], x.shape[a], 'GatherElements') * stride];
      });
      return [new Tensor(x.dtype, ix.shape, data)];
    },
  }),

  GatherND: defineOp({
    attrs: { batch_dims: attr.int(0) },
    inputs: [2, 2],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, attrs }) => [{
      dtype: inputs[0]!.dtype, shape: gatherNDShape(inputs[0]!.shape, inputs[1]!.shape, attrs.batch_dims),
    }],
    compute: (ctx) => gatherNDCompute(ctx, ctx.attrs.batch_dims),
    run: ({ inputs, attrs }) => {
      const [x, ix] = [inputs[0]!, inputs[1]!];
      const shape = gatherNDShape(x.shape, ix.shape, attrs.batch_dims) as number[];
      const m = ix.shape[ix.rank - 1];
      const slice = numel(x.shape.slice(attrs.batch_dims + m));
      const offs = tupleOffsets(x.shape, ix, attrs.batch_dims, 'GatherND');
      const data = allocData(x.dtype, numel(shape));
      offs.forEach((off, t) => copyRange(data, t * slice, x.data, off, slice));
      return [new Tensor(x.dtype, shape, data)];
    },
  }),

  ScatterND: defineOp({
    attrs: { reduction: attr.string('none') },
    inputs: [3, 3],
    fusion: 'injective',
    handlesStrings: ({ reduction }) => reduction === 'none',
    // data and updates share a dtype: the kernel selects between them
    infer: ({ inputs: [x, ix, upd] }) => { checkScatterND(x!, ix!, upd!); return [x!]; },
    compute: scatterNDCompute,
    run: ({ inputs, attrs }) => {
      const [x, ix, upd] = [inputs[0]!, inputs[1]!, inputs[2]!];
      const reduce = reductionOf(attrs.reduction, 'ScatterND');
      const m = ix.shape[ix.rank - 1];
      const slice = numel(x.shape.slice(m));
      const data = allocData(x.dtype, x.size);
      copyRange(data, 0, x.data, 0, x.size);
      const dst = data as Store, src = upd.data as Store;
      tupleOffsets(x.shape, ix, 0, 'ScatterND').forEach((off, t) => {
        for (let k = 0; k < slice; k++) scatterInto(dst, off + k, src[t * slice + k], reduce, x.dtype);
      });
      return [new Tensor(x.dtype, x.shape, data)];
    },
  }),

  ScatterElements: defineOp({
    attrs: { axis: attr.int(0), reduction: attr.string('none') },
    inputs: [3, 3],
    fusion: 'injective',
    handlesStrings: ({ reduction }) => reduction === 'none',
    infer: ({ inputs: [x, ix, upd] }) => { checkScatterElements(x!, ix!, upd!); return [x!]; },
    compute: (ctx) => scatterElementsCompute(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length, 'ScatterElements axis')),
    run: ({ inputs, attrs }) => {
      const [x, ix, upd] = [inputs[0]!, inputs[1]!, inputs[2]!];
      const reduce = reductionOf(attrs.reduction, 'ScatterElements');
      const a = normAxis(attrs.axis, x.rank, 'ScatterElements axis');
      const stride = stridesOf(x.shape)[a];
      const data = allocData(x.dtype, x.size);
      copyRange(data, 0, x.data, 0, x.size);
      const dst = data as Store, src = upd.data as Store, ind = ix.numbers;
      forEachAlongAxis(ix.shape, x.shape, a, (p, _, base) => {
        scatterInto(dst, base + checkIndex(ind[p], x.shape[a], 'ScatterElements') * stride, src[p], reduce, x.dtype);
      });
      return [new Tensor(x.dtype, x.shape, data)];
    },
  }),

  OneHot: defineOp({
    attrs: { axis: attr.int(-1) },
    inputs: [3, 3],
    fusion: 'injective',
    infer: ({ inputs, attrs, constant, symbol }) => {
      const ix = inputs[0]!;
      const a = normAxis(attrs.axis, ix.shape.length + 1, 'OneHot axis');
      const depth = constant(1);
      const d: Dim = depth ? Math.trunc(depth.numbers[0]) : symbol('onehot');
      return [{ dtype: inputs[2]!.dtype, shape: [...ix.shape.slice(0, a), d, ...ix.shape.slice(a)] }];
    },
    compute: (ctx) => oneHotCompute(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length + 1, 'OneHot axis')),
    run: ({ inputs, attrs }) => {
      const [ix, depthT, values] = [inputs[0]!, inputs[1]!, inputs[2]!];
      const a = normAxis(attrs.axis, ix.rank + 1, 'OneHot axis');
      const depth = Math.trunc(depthT.numbers[0]);
      const shape = [...ix.shape.slice(0, a), depth, ...ix.shape.slice(a)];
      const inner = numel(ix.shape.slice(a));
      const [off, on] = [(values.data as Store)[0], (values.data as Store)[1]];
      const data = filled(values.dtype, numel(shape), off);
      const dst = data as Store;
      ix.numbers.forEach((v, p) => {
        const i = Math.trunc(v) < 0 ? Math.trunc(v) + depth : Math.trunc(v);
        if (i < 0 || i >= depth) return;
        const o = Math.floor(p / inner), k = p % inner;
        dst[(o * depth + i) * inner + k] = on;
      });
      return [new Tensor(values.dtype, shape, data)];
    },
  }),

  NonZero: defineOp({
    attrs: {},
    inputs: [1, 1],
    fusion: 'opaque',
    infer: ({ inputs, symbol }) => [{ dtype: 'int64', shape: [inputs[0]!.shape.length, symbol('nonzero')] }],
    // compiled for every element non-zero; the kernel stores how many are
    dynamicOutputs: ({ inputs }) => [isStatic(inputs[0]!.shape) ? { axis: 1, max: numel(inputs[0]!.shape as number[]) } : undefined],
    kernel: nonZeroKernel,
    run: ({ inputs }) => {
      const x = inputs[0]!;
      const src = x.data as Store;
      const hits: number[] = [];
      for (let p = 0; p < x.size; p++) if (src[p] !== 0 && src[p] !== '') hits.push(p);
      const st = stridesOf(x.shape);
      const data = new Float64Array(x.rank * hits.length);
      hits.forEach((p, j) => {
        let rest = p;
        for (let d = 0; d < x.rank; d++) { data[d * hits.length + j] = Math.floor(rest / st[d]); rest %= st[d]; }
      });
      return [new Tensor('int64', [x.rank, hits.length], data)];
    },
  }),
} satisfies OpTable;
