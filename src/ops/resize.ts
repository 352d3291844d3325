// Resize: nearest, linear and cubic interpolation over any subset of axes, with every ONNX
// coordinate transformation. Nearest is an index map per axis (any dtype); linear and cubic
// are separable filters applied one axis at a time in float64.
import { ShapeError, UnsupportedError } from '../errors.js';
import { castNumber, type DType, type NumericData } from '../ir/dtype.js';
import { normAxis, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { reorder, vectorize, type Schedule } from '../schedule/schedule.js';
import { mappedCopy } from './data-util.js';
import { LAYOUT, KEEP, replaceInput, type InputRole, type LayoutMove, type PermuteContext, type ScheduleContext } from './facets.js';
import { nearestRepeats, repeatAxes, resizeCompute } from './resize-compute.js';
import { attr, defineOp, type AttrsOf, type OpTable } from './op.js';

const resizeAttrs = {
  antialias: attr.int(0),
  axes: attr.ints(),
  coordinate_transformation_mode: attr.string('half_pixel'),
  cubic_coeff_a: attr.float(-0.75),
  exclude_outside: attr.int(0),
  extrapolation_value: attr.float(0),
  keep_aspect_ratio_policy: attr.string('stretch'),
  mode: attr.string('nearest'),
  nearest_mode: attr.string('round_prefer_floor'),
};
export type ResizeAttrs = AttrsOf<typeof resizeAttrs>;

/** Output sizes and the scale each axis is resampled with (1 for axes not resized). */
export interface Geometry { readonly outShape: number[]; readonly scales: number[]; readonly fromSizes: boolean }

export function resizedAxes(rank: number, axes: readonly number[] | undefined): number[] {
  return axes ? axes.map((a) => normAxis(a, rank, 'Resize axis')) : Array.from({ length: rank }, (_, i) => i);
}

/** Scales or sizes, whichever is given as a non-empty tensor. */
export function scalesOrSizes(scales: Tensor | undefined, sizes: Tensor | undefined) {
  const sc = scales && scales.size ? scales.toArray() : undefined;
  const sz = sizes && sizes.size ? sizes.toArray() : undefined;
  if ((sc === undefined) === (sz === undefined)) throw new ShapeError('Resize needs exactly one of scales and sizes');
  return { sc, sz };
}

/** Output length of an axis resized by a scale factor. */
const scaledLength = (inLen: number, scale: number) => Math.floor(inLen * scale);

export function geometry(inShape: readonly number[], axes: readonly number[], sc: readonly number[] | undefined,
  sz: readonly number[] | undefined, policy: string): Geometry {
  const outShape = [...inShape];
  const scales = inShape.map(() => 1);
  const given = (sc ?? sz)!;
  if (given.length !== axes.length) throw new ShapeError(`Resize ${sc ? 'scales' : 'sizes'} has ${given.length} values for ${axes.length} axes`);
  if (sc) {
    axes.forEach((a, i) => { scales[a] = sc[i]; outShape[a] = scaledLength(inShape[a], sc[i]); });
    return { outShape, scales, fromSizes: false };
  }
  axes.forEach((a, i) => { scales[a] = sz![i] / inShape[a]; outShape[a] = sz![i]; });
  if (policy !== 'stretch') {
    const ratios = axes.map((a) => scales[a]);
    if (policy !== 'not_larger' && policy !== 'not_smaller') throw new ShapeError(`Resize keep_aspect_ratio_policy '${policy}' is unknown`);
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    for (const a of axes) { scales[a] = s; outShape[a] = Math.floor(s * inShape[a] + 0.5); }
  }
  return { outShape, scales, fromSizes: true };
}

/** The arithmetic sourceCoord needs, so one formula serves the reference (numbers) and the compute (f64 loop IR). */
export interface Arith<T> {
  lit(n: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
}

const numbers: Arith<number> = { lit: (n) => n, add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b };

/** One axis' resampling geometry, all known before any data. */
export interface AxisGeometry {
  readonly mode: string;
  readonly scale: number;
  readonly inLen: number;
  readonly outLen: number;
  readonly outLenExact: number;
  readonly roi: readonly [number, number];
}

/**
 * Source coordinate of output position x along one axis, evaluated in the order the ONNX
 * reference does. `outLenExact` is in*scale before flooring: align_corners, pytorch_half_pixel
 * and tf_crop_and_resize divide by it as the ONNX reference (and its conformance data) does;
 * onnxruntime divides by the floored length, so the two differ when in*scale is fractional.
 * tf_crop_and_resize positions outside [0, inLen-1] extrapolate; callers test for that.
 */
export function sourceCoordIn<T>(m: Arith<T>, x: T, g: AxisGeometry): T {
  const { scale, inLen, outLen, outLenExact } = g;
  const halfPixel = () => m.sub(m.div(m.add(x, m.lit(0.5)), m.lit(scale)), m.lit(0.5));
  switch (g.mode) {
    case 'half_pixel': return halfPixel();
    case 'half_pixel_symmetric': {
      const offset = (inLen / 2) * (1 - outLen / outLenExact);
      return m.sub(m.add(m.lit(offset), m.div(m.add(x, m.lit(0.5)), m.lit(scale))), m.lit(0.5));
    }
    case 'pytorch_half_pixel': return outLenExact > 1 ? halfPixel() : m.lit(0);
    case 'align_corners': return outLenExact === 1 ? m.lit(0) : m.div(m.mul(x, m.lit(inLen - 1)), m.lit(outLenExact - 1));
    case 'asymmetric': return m.div(x, m.lit(scale));
    case 'tf_half_pixel_for_nn': return m.div(m.add(x, m.lit(0.5)), m.lit(scale));
    case 'tf_crop_and_resize': {
      const [s, e] = g.roi;
      const c = outLenExact === 1 ? m.lit(((e - s) * (inLen - 1)) / 2)
        : m.div(m.mul(m.mul(x, m.lit(e - s)), m.lit(inLen - 1)), m.lit(outLenExact - 1));
      return m.add(c, m.lit(s * (inLen - 1)));
    }
    default: throw new UnsupportedError(`Resize coordinate_transformation_mode '${g.mode}' is unknown`);
  }
}

/** Source coordinate of output position x as a number; NaN means "extrapolate". */
function sourceCoord(mode: string, x: number, scale: number, inLen: number, outLen: number,
  outLenExact: number, roi: readonly [number, number]): number {
  const xo = sourceCoordIn(numbers, x, { mode, scale, inLen, outLen, outLenExact, roi });
  return mode === 'tf_crop_and_resize' && (xo < 0 || xo > inLen - 1) ? NaN : xo;
}

export function nearestIndex(x: number, mode: string, inLen: number): number {
  let i: number;
  if (Number.isInteger(x)) i = x;
  else {
    const f = Math.floor(x), frac = x - f;
    switch (mode) {
      case 'round_prefer_floor': i = frac <= 0.5 ? f : f + 1; break;
      case 'round_prefer_ceil': i = frac < 0.5 ? f : f + 1; break;
      case 'floor': i = f; break;
      case 'ceil': i = f + 1; break;
      default: throw new UnsupportedError(`Resize nearest_mode '${mode}' is unknown`);
    }
  }
  return Math.min(inLen - 1, Math.max(0, i));
}

/** Keys cubic convolution kernel with parameter a. */
function cubicKernel(a: number): (d: number) => number {
  return (d) => {
    const x = Math.abs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
  };
}
const triangle = (d: number) => Math.max(0, 1 - Math.abs(d));

/** The taps of one axis: for each output position, `taps` input indices and weights. */
interface AxisFilter { readonly taps: number; readonly index: Int32Array; readonly weight: Float64Array; readonly outside: Uint8Array }

function axisFilter(attrs: ResizeAttrs, inLen: number, outLen: number, outLenExact: number,
  scale: number, roi: readonly [number, number]): AxisFilter {
  const cubic = attrs.mode === 'cubic';
  const base = cubic ? cubicKernel(attrs.cubic_coeff_a) : triangle;
  // antialiasing stretches the kernel by 1/scale when downsampling, so more inputs contribute
  const stretch = attrs.antialias ? Math.min(scale, 1) : 1;
  const first = attrs.antialias ? Math.floor((cubic ? -2 : -1) / stretch) + 1 : cubic ? -1 : 0;
  const taps = 2 - 2 * first;
  const index = new Int32Array(outLen * taps), weight = new Float64Array(outLen * taps);
  const outside = new Uint8Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const x = sourceCoord(attrs.coordinate_transformation_mode, o, scale, inLen, outLen, outLenExact, roi);
    if (Number.isNaN(x)) { outside[o] = 1; continue; }
    // the left neighbour is strictly below x, so the fractional part lies in (0, 1]
    const left = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const ratio = x - left;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const tap = left + first + t;
      let w = base((first + t - ratio) * stretch);
      if (attrs.exclude_outside && (tap < 0 || tap >= inLen)) w = 0;
      index[o * taps + t] = Math.min(inLen - 1, Math.max(0, tap));
      weight[o * taps + t] = w;
      sum += w;
    }
    if (attrs.antialias || attrs.exclude_outside) for (let t = 0; t < taps; t++) weight[o * taps + t] /= sum;
  }
  return { taps, index, weight, outside };
}

/** One separable pass: resamples `axis` of `src` (shape `shape`) with `f`. */
function filterAxis(src: Float64Array, shape: readonly number[], axis: number, outLen: number,
  f: AxisFilter, extrapolation: number): Float64Array {
  const inLen = shape[axis];
  let outer = 1, inner = 1;
  shape.forEach((d, i) => { if (i < axis) outer *= d; else if (i > axis) inner *= d; });
  const dst = new Float64Array(outer * outLen * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < outLen; j++) {
      const at = (o * outLen + j) * inner;
      if (f.outside[j]) { dst.fill(extrapolation, at, at + inner); continue; }
      for (let t = 0; t < f.taps; t++) {
        const w = f.weight[j * f.taps + t];
        if (w === 0) continue;
        const from = (o * inLen + f.index[j * f.taps + t]) * inner;
        for (let k = 0; k < inner; k++) dst[at + k] += w * src[from + k];
      }
    }
  }
  return dst;
}

/** Per-axis [start, end] of the region of interest (tf_crop_and_resize only). */
export function roiPerAxis(rank: number, axes: readonly number[], roi: Tensor | undefined): [number, number][] {
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 1]);
  if (!roi || !roi.size) return out;
  const r = roi.toArray();
  if (r.length !== 2 * axes.length) throw new ShapeError(`Resize roi has ${r.length} values for ${axes.length} axes`);
  axes.forEach((a, i) => { out[a] = [r[i], r[i + axes.length]]; });
  return out;
}

/** Output shape and every axis' geometry, from the resolved scales or sizes and roi. */
export function resizeGeometry(shape: readonly number[], attrs: ResizeAttrs, roi: Tensor | undefined,
  scalesT: Tensor | undefined, sizesT: Tensor | undefined): { outShape: number[]; axes: AxisGeometry[] } {
  const axes = resizedAxes(shape.length, attrs.axes);
  const { sc, sz } = scalesOrSizes(scalesT, sizesT);
  const g = geometry(shape, axes, sc, sz, attrs.keep_aspect_ratio_policy);
  const rois = roiPerAxis(shape.length, axes, roi);
  const exact = (a: number) => (g.fromSizes && attrs.keep_aspect_ratio_policy === 'stretch' ? g.outShape[a] : g.scales[a] * shape[a]);
  return {
    outShape: g.outShape,
    axes: shape.map((inLen, a) => ({
      mode: attrs.coordinate_transformation_mode, scale: g.scales[a], inLen, outLen: g.outShape[a], outLenExact: exact(a), roi: rois[a],
    })),
  };
}

/** Axes linear and cubic leave alone: same length, scale 1, no crop. */
export const isIdentityAxis = (g: AxisGeometry) => g.outLen === g.inLen && g.scale === 1 && g.mode !== 'tf_crop_and_resize';

/** Nearest's source index of every output position along one axis; -1 extrapolates. */
export function nearestMap(g: AxisGeometry, nearestMode: string): Int32Array {
  return Int32Array.from({ length: g.outLen }, (_, o) => {
    const c = sourceCoord(g.mode, o, g.scale, g.inLen, g.outLen, g.outLenExact, g.roi);
    return Number.isNaN(c) ? -1 : nearestIndex(c, nearestMode, g.inLen);
  });
}

function resize(x: Tensor, attrs: ResizeAttrs, roi: Tensor | undefined, scalesT: Tensor | undefined, sizesT: Tensor | undefined): Tensor {
  const { outShape, axes } = resizeGeometry(x.shape, attrs, roi, scalesT, sizesT);
  if (attrs.mode === 'nearest') {
    const maps = axes.map((g) => nearestMap(g, attrs.nearest_mode));
    const fill = x.dtype === 'string' ? '' : castNumber(x.dtype, attrs.extrapolation_value);
    return new Tensor(x.dtype, outShape, mappedCopy(x.data, x.dtype, x.shape, maps, fill));
  }
  if (attrs.mode !== 'linear' && attrs.mode !== 'cubic') throw new UnsupportedError(`Resize mode '${attrs.mode}' is unknown`);
  let data: Float64Array = Float64Array.from(x.numbers);
  const shape = [...x.shape];
  axes.forEach((g, a) => {
    if (isIdentityAxis(g)) return;
    const f = axisFilter(attrs, g.inLen, g.outLen, g.outLenExact, g.scale, g.roi);
    data = filterAxis(data, shape, a, g.outLen, f, attrs.extrapolation_value);
    shape[a] = g.outLen;
  });
  return Tensor.from(x.dtype as DType, shape, data as NumericData);
}

/**
 * A nearest Resize that repeats elements copies the input's rows with vector loads: the last axis'
 * repeat loop moves outside its input loop, which is vectorised (the stores stride by the factor).
 */
function resizeSchedule({ attrs, inputs, target }: ScheduleContext<ResizeAttrs>): Schedule {
  const x = inputs[0]!.info.shape as number[];
  // the compute refuses run-time scales, sizes and roi
  if (inputs.slice(1).some((i) => i && !i.constant)) return [];
  const repeats = nearestRepeats(x, attrs, inputs.map((i) => i?.constant));
  const last = x.length - 1;
  if (!repeats || x[last] < target.lanes('f32')) return [];
  const names = repeatAxes(repeats);
  const inner = repeats[last] > 1 ? [`f${last}`, `i${last}`] : [`i${last}`];
  return [reorder([...names.filter((n) => !inner.includes(n)), ...inner]), vectorize(`i${last}`)];
}

/** Scales and sizes move with the axes; roi would need its begin/end halves permuted, so only its absence passes. */
function resizePermute({ node, attrs, perm: p, constant }: PermuteContext<ResizeAttrs>): LayoutMove | undefined {
  if (attrs.axes !== undefined) return undefined;
  const roles: InputRole[] = [LAYOUT];
  for (let i = 1; i < node.inputs.length; i++) {
    const t = node.inputs[i] ? constant(i) : undefined;
    if (!node.inputs[i] || t?.size === 0) { roles.push(KEEP); continue; }
    // only tf_crop_and_resize reads roi
    if (!t || i === 1 || t.size !== p.length) return undefined;
    const moved = new Array<number>(p.length);
    t.toArray().forEach((v, k) => { moved[p[k]] = v; });
    roles.push(replaceInput(Tensor.from(t.dtype, [p.length], moved)));
  }
  return { attrs: node.attrs, inputs: roles, outPerms: [p] };
}

export const resizeOps = {
  Resize: defineOp({
    attrs: resizeAttrs,
    inputs: [1, 4],
    fusion: 'injective',
    infer: ({ inputs, attrs, constant, symbol }) => {
      const x = inputs[0]!;
      const axes = resizedAxes(x.shape.length, attrs.axes);
      const scales = constant(2), sizes = constant(3);
      const unknown = (inputs[2] && !scales) || (inputs[3] && !sizes);
      const sc = !unknown && scales?.size ? scales.toArray() : undefined;
      const sz = !unknown && sizes?.size ? sizes.toArray() : undefined;
      const shape: Dim[] = [...x.shape];
      const policy = attrs.keep_aspect_ratio_policy;
      axes.forEach((a, i) => {
        const d = x.shape[a];
        if (sc) shape[a] = sc[i] === 1 ? d : typeof d === 'number' ? scaledLength(d, sc[i]) : symbol('resize');
        else if (sz && policy === 'stretch') shape[a] = sz[i];
        else if (!sz || !axes.every((b) => typeof x.shape[b] === 'number')) shape[a] = symbol('resize');
      });
      if (sz && policy !== 'stretch' && axes.every((a) => typeof x.shape[a] === 'number')) {
        const g = geometry(x.shape as number[], axes, sc, sz, policy);
        for (const a of axes) shape[a] = g.outShape[a];
      }
      return [{ dtype: x.dtype, shape }];
    },
    run: ({ inputs, attrs }) => [resize(inputs[0]!, attrs, inputs[1], inputs[2], inputs[3])],
    compute: resizeCompute,
    schedule: resizeSchedule,
    permute: resizePermute,
  }),
} satisfies OpTable;
