// Slice (part of the movement family): starts/ends/axes/steps inputs with ONNX clamping,
// negative indices, INT64_MAX-style "to the end" sentinels and negative steps.
import { ShapeError } from '../errors.js';
import { normAxis, stridesOf, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { intsOf, stridedCopy } from './data-util.js';
import { slicePassThrough, slicePermute } from './movement-facets.js';
import { opaqueElements, defineOp } from './op.js';
import { UnsupportedError } from '../errors.js';
import { axisMapsCompute } from './movement-compute.js';

interface AxisSlice { readonly start: number; readonly step: number; readonly count: number }

/** First index, step and element count of a slice of one axis of size `dim`. */
export function sliceAxis(dim: number, start: number, end: number, step: number): AxisSlice {
  if (step === 0) throw new ShapeError('Slice step is 0');
  const wrap = (v: number) => (v < 0 ? v + dim : v);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const s = step > 0 ? clamp(wrap(start), 0, dim) : clamp(wrap(start), 0, dim - 1);
  const e = step > 0 ? clamp(wrap(end), 0, dim) : clamp(wrap(end), -1, dim - 1);
  return { start: s, step, count: Math.max(0, Math.ceil((e - s) / step)) };
}

/** Per-axis parameters after resolving the optional axes and steps inputs. */
export function sliceSpec(rank: number, starts: readonly number[], ends: readonly number[],
  axes: readonly number[] | undefined, steps: readonly number[] | undefined) {
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, rank, 'Slice axis'));
  if (new Set(ax).size !== ax.length) throw new ShapeError(`Slice axes [${ax}] repeat an axis`);
  if (ends.length !== starts.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw new ShapeError(`Slice starts/ends/axes/steps lengths differ (${starts.length}, ${ends.length}, ${ax.length}, ${steps?.length ?? '-'})`);
  }
  return ax.map((axis, i) => ({ axis, start: starts[i], end: ends[i], step: steps?.[i] ?? 1 }));
}

/** Slices `x`; exported for frontends and passes that slice constants. */
export function sliceTensor(x: Tensor, starts: readonly number[], ends: readonly number[],
  axes?: readonly number[], steps?: readonly number[]): Tensor {
  const per: AxisSlice[] = x.shape.map((d) => ({ start: 0, step: 1, count: d }));
  for (const p of sliceSpec(x.rank, starts, ends, axes, steps)) {
    per[p.axis] = sliceAxis(x.shape[p.axis], p.start, p.end, p.step);
  }
  const st = stridesOf(x.shape);
  let offset = 0;
  per.forEach((p, i) => { if (p.count > 0) offset += p.start * st[i]; });
  const shape = per.map((p) => p.count);
  return new Tensor(x.dtype, shape, stridedCopy(x.data, x.dtype, offset, per.map((p, i) => p.step * st[i]), shape));
}

/** A symbolic axis sliced from 0 to "the end" with step 1 keeps its symbol. */
const TO_END = 2 ** 31 - 1;

export const sliceOps = {
  Slice: defineOp({
    attrs: {},
    inputs: [3, 5],
    fusion: 'injective',
    handlesStrings: opaqueElements,
    infer: ({ inputs, constant, symbol }) => {
      const x = inputs[0]!;
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => intsOf(constant(i)));
      const known = starts && ends && (axes || !inputs[3]) && (steps || !inputs[4]);
      if (!known) {
        const touched = axes ? new Set(axes.map((a) => normAxis(a, x.shape.length))) : undefined;
        return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (touched && !touched.has(i) ? d : symbol('slice'))) }];
      }
      const shape: Dim[] = [...x.shape];
      for (const p of sliceSpec(x.shape.length, starts, ends, axes, steps)) {
        const d = x.shape[p.axis];
        if (typeof d === 'number') shape[p.axis] = sliceAxis(d, p.start, p.end, p.step).count;
        else if (!(p.start === 0 && p.end >= TO_END && p.step === 1)) shape[p.axis] = symbol('slice');
      }
      return [{ dtype: x.dtype, shape }];
    },
    compute: (ctx) => {
      const x = ctx.inputs[0]!;
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => intsOf(ctx.constant(i)));
      if (!starts || !ends || (ctx.inputs[3] && !axes) || (ctx.inputs[4] && !steps)) {
        throw new UnsupportedError('compiled Slice needs constant starts, ends, axes and steps');
      }
      const maps = x.shape.map((d) => Array.from({ length: d }, (_, o) => o));
      for (const p of sliceSpec(x.shape.length, starts, ends, axes, steps)) {
        const a = sliceAxis(x.shape[p.axis], p.start, p.end, p.step);
        maps[p.axis] = Array.from({ length: a.count }, (_, o) => a.start + o * a.step);
      }
      return [axisMapsCompute(ctx, x, maps, 0)];
    },
    passThrough: slicePassThrough,
    permute: slicePermute,
    run: ({ inputs }) => {
      const [x, starts, ends, axes, steps] = inputs;
      return [sliceTensor(x!, starts!.toArray(), ends!.toArray(), intsOf(axes), intsOf(steps))];
    },
  }),
};
