// Compute definition of Resize: scales and sizes are resolved at compile time (roi too, unless a crop reads it at run time), so each axis'
// source coordinate is a fixed function of the output index, evaluated in f64 exactly as the reference does,
// once per run into small per-axis tables (indices, weights) that the per-element loop reads.
import { UnsupportedError } from '../errors.js';
import { bin, cast, cnst, scalar, select, un, type Expr } from '../loop/ir.js';
import { compute, type TeTensor } from '../lower/te.js';
import type { Tensor } from '../ir/tensor.js';
import type { ComputeContext } from './op.js';
import {
  isIdentityAxis, nearestMap, resizedAxes, resizeGeometry, sourceCoordIn, type Arith, type AxisGeometry, type ResizeAttrs,
} from './resize.js';

const F64 = scalar('f64');
const f64 = (n: number): Expr => cnst(n, F64);
const exprs: Arith<Expr> = {
  lit: f64, add: (a, b) => bin('add', a, b), sub: (a, b) => bin('sub', a, b), mul: (a, b) => bin('mul', a, b), div: (a, b) => bin('div', a, b),
};
const or = (a: Expr, b: Expr) => bin('or', a, b);
const and = (a: Expr, b: Expr) => bin('and', a, b);
const clampIndex = (i: Expr, len: number): Expr => cast(bin('min', bin('max', i, f64(0)), f64(len - 1)), 'i32');

/** A tf_crop_and_resize roi fed at run time: one axis' [start, end] read by the kernel, in f64. */
type RoiExprs = readonly [Expr, Expr];

/**
 * An axis' source coordinate of output index o, and (tf_crop_and_resize) whether it lies outside
 * the input; a run-time roi enters the reference's formula as loaded values instead of literals.
 */
function coordinate(o: Expr, g: AxisGeometry, roi?: RoiExprs): { x: Expr; outside?: Expr } {
  const x = roi && g.mode === 'tf_crop_and_resize' ? cropCoordinate(cast(o, 'f64'), g, roi) : sourceCoordIn(exprs, cast(o, 'f64'), g);
  if (g.mode !== 'tf_crop_and_resize') return { x };
  return { x, outside: or(bin('lt', x, f64(0)), bin('gt', x, f64(g.inLen - 1))) };
}

/** sourceCoordIn's tf_crop_and_resize case with the roi as expressions, in the same order. */
function cropCoordinate(x: Expr, g: AxisGeometry, [s, e]: RoiExprs): Expr {
  const span = bin('sub', e, s), inner = f64(g.inLen - 1);
  const c = g.outLenExact === 1 ? bin('div', bin('mul', span, inner), f64(2))
    : bin('div', bin('mul', bin('mul', x, span), inner), f64(g.outLenExact - 1));
  return bin('add', c, bin('mul', s, inner));
}

/** The reference's rounding of a source coordinate to an input index (an integer coordinate is itself). */
function roundNearest(x: Expr, mode: string): Expr {
  const f = un('floor', x);
  const frac = bin('sub', x, f);
  switch (mode) {
    case 'round_prefer_floor': return select(bin('le', frac, f64(0.5)), f, bin('add', f, f64(1)));
    case 'round_prefer_ceil': return select(bin('lt', frac, f64(0.5)), f, bin('add', f, f64(1)));
    case 'floor': return f;
    case 'ceil': return un('ceil', x);
    default: throw new UnsupportedError(`Resize nearest_mode '${mode}' is unknown`);
  }
}

/** A per-axis table (scratch, filled once per run): element o of `value` for every output index o. */
const axisTable = (name: string, len: number, value: (o: Expr) => Expr, elem: 'i32' | 'f32' | 'f64') =>
  compute(name, [len], ([o]) => value(o), { elem, materialize: true });

/**
 * Nearest's index along one axis: the output index itself when the map is the identity, an integer
 * division for whole-number upsampling (2x in FPNs), else a table of the coordinates rounded in f64
 * (-1 where tf_crop_and_resize extrapolates).
 */
function nearestAxis(o: Expr, g: AxisGeometry, nearestMode: string, table: string, roi?: RoiExprs): { index: Expr; outside?: Expr } {
  // with a run-time roi the map is known only when the kernel runs
  const map = roi && g.mode === 'tf_crop_and_resize' ? undefined : nearestMap(g, nearestMode);
  if (map?.every((i, j) => i === j)) return { index: o };
  const factor = g.outLen / g.inLen;
  if (map && Number.isInteger(factor) && map.every((i, j) => i === Math.floor(j / factor))) return { index: bin('floordiv', o, cnst(factor)) };
  const indices = axisTable(table, g.outLen, (p) => {
    const { x, outside } = coordinate(p, g, roi);
    const index = clampIndex(roundNearest(x, nearestMode), g.inLen);
    return outside ? select(outside, cnst(-1), index) : index;
  }, 'i32');
  const index = indices.at([o]);
  return g.mode === 'tf_crop_and_resize' ? { index: bin('max', index, cnst(0)), outside: bin('lt', index, cnst(0)) } : { index };
}

/** Keys' cubic convolution kernel with parameter a, as the reference defines it. */
function cubicWeight(d: Expr, a: number): Expr {
  const x = un('abs', d);
  const near = bin('add', bin('mul', bin('mul', bin('sub', bin('mul', f64(a + 2), x), f64(a + 3)), x), x), f64(1));
  const far = bin('sub', bin('mul', bin('add', bin('mul', bin('sub', bin('mul', f64(a), x), f64(5 * a)), x), f64(8 * a)), x), f64(4 * a));
  return select(bin('le', x, f64(1)), near, select(bin('lt', x, f64(2)), far, f64(0)));
}

const triangleWeight = (d: Expr): Expr => bin('max', f64(0), bin('sub', f64(1), un('abs', d)));

interface Tap { readonly index: Expr; readonly weight: Expr }

/**
 * Where an axis' filter starts relative to the left neighbour, how far it reaches, and how much
 * antialiasing stretches it (1/scale when downsampling, so more inputs contribute), as in the
 * reference's axisFilter: linear 2 taps, cubic 4, more when antialiased.
 */
function filterShape(g: AxisGeometry, attrs: ResizeAttrs): { first: number; count: number; stretch: number } {
  const cubic = attrs.mode === 'cubic';
  const stretch = attrs.antialias ? Math.min(g.scale, 1) : 1;
  const first = attrs.antialias ? Math.floor((cubic ? -2 : -1) / stretch) + 1 : cubic ? -1 : 0;
  return { first, count: 2 - 2 * first, stretch };
}

/** The taps of one axis: clamped input indices and f64 weights, as in the reference's axisFilter. */
function filterTaps(o: Expr, g: AxisGeometry, attrs: ResizeAttrs, roi?: RoiExprs): { taps: Tap[]; outside?: Expr } {
  const cubic = attrs.mode === 'cubic';
  const { x, outside } = coordinate(o, g, roi);
  const f = un('floor', x);
  // the left neighbour is strictly below x, so the fractional part lies in (0, 1]
  const left = select(bin('eq', f, x), bin('sub', x, f64(1)), f);
  const ratio = bin('sub', x, left);
  const { first, count, stretch } = filterShape(g, attrs);
  const raw = Array.from({ length: count }, (_, t) => {
    const tap = bin('add', left, f64(first + t));
    const offset = bin('sub', f64(first + t), ratio);
    const d = stretch === 1 ? offset : bin('mul', offset, f64(stretch));
    let weight = cubic ? cubicWeight(d, attrs.cubic_coeff_a) : triangleWeight(d);
    if (attrs.exclude_outside) weight = select(and(bin('ge', tap, f64(0)), bin('lt', tap, f64(g.inLen))), weight, f64(0));
    return { index: clampIndex(tap, g.inLen), weight };
  });
  if (!attrs.exclude_outside && !attrs.antialias) return { taps: raw, outside };
  const sum = raw.map((t) => t.weight).reduce((a, b) => bin('add', a, b));
  return { taps: raw.map((t) => ({ index: t.index, weight: bin('div', t.weight, sum) })), outside };
}

/** The value of `x` input `i` at compile time, or an UnsupportedError when it is computed at run time. */
function constantInput(ctx: ComputeContext<ResizeAttrs>, i: number, what: string) {
  const t = ctx.constant(i);
  if (ctx.inputs[i] && !t) throw new UnsupportedError(`Resize: ${what} must be a compile-time constant for compiled kernels; fold it or fix the input shapes`);
  return t;
}

/**
 * Per axis, the whole factor a nearest Resize repeats each input element by (1 for axes it keeps),
 * when every axis is such a repeat; else undefined. Such a Resize is a copy into the output viewed
 * as [..., in, factor, ...], which the default schedule vectorises along the last input axis.
 */
export function nearestRepeats(shape: readonly number[], attrs: ResizeAttrs, constants: readonly (Tensor | undefined)[]): number[] | undefined {
  if (attrs.mode !== 'nearest' || attrs.antialias) return undefined;
  const { axes } = resizeGeometry(shape, attrs, constants[1], constants[2], constants[3]);
  const factors = axes.map((g) => g.outLen / g.inLen);
  const repeats = axes.every((g, a) => Number.isInteger(factors[a])
    && nearestMap(g, attrs.nearest_mode).every((i, j) => i === Math.floor(j / factors[a])));
  return repeats ? factors : undefined;
}

/** Axis names of the repeat view: i<d>, then f<d> for a repeated axis. */
export const repeatAxes = (factors: readonly number[]) => factors.flatMap((f, d) => (f > 1 ? [`i${d}`, `f${d}`] : [`i${d}`]));

export function resizeCompute(ctx: ComputeContext<ResizeAttrs>): TeTensor[] {
  const x = ctx.inputs[0]!, out = ctx.outputs[0], attrs = ctx.attrs;
  // roi matters only to tf_crop_and_resize, where a run-time one is read by the kernel
  const crop = attrs.coordinate_transformation_mode === 'tf_crop_and_resize';
  const runtimeRoi = crop && ctx.inputs[1] && !ctx.constant(1) ? ctx.inputs[1] : undefined;
  const constants = [undefined, runtimeRoi || !crop ? undefined : constantInput(ctx, 1, 'roi'), constantInput(ctx, 2, 'scales'), constantInput(ctx, 3, 'sizes')];
  const rois = runtimeRoi ? roiExprs(runtimeRoi, x.shape.length, attrs.axes) : [];
  const repeats = runtimeRoi ? undefined : nearestRepeats(x.shape, attrs, constants);
  if (repeats) {
    const shape = x.shape.flatMap((d, a) => (repeats[a] > 1 ? [d, repeats[a]] : [d]));
    const names = repeatAxes(repeats);
    return [compute(out.name, shape, (idx) => x.at(x.shape.map((_, a) => idx[names.indexOf(`i${a}`)])), { axes: names, elem: out.elem })];
  }
  const { axes } = resizeGeometry(x.shape, attrs, constants[1], constants[2], constants[3]);
  const anyOutside = (parts: readonly { outside?: Expr }[]) =>
    parts.map((p) => p.outside).filter((e): e is Expr => e !== undefined).reduce<Expr | undefined>((a, b) => (a ? or(a, b) : b), undefined);
  if (attrs.mode === 'nearest') {
    return [compute(out.name, out.shape, (idx) => {
      const parts = idx.map((o, a) => nearestAxis(o, axes[a], attrs.nearest_mode, `${out.name}_map${a}`, rois[a]));
      const value = x.at(parts.map((p) => p.index));
      const outside = anyOutside(parts);
      return outside ? select(outside, cnst(attrs.extrapolation_value, value.type), value) : value;
    }, { elem: out.elem })];
  }
  if (attrs.mode !== 'linear' && attrs.mode !== 'cubic') throw new UnsupportedError(`Resize mode '${attrs.mode}' is unknown`);
  const elem = out.elem;
  if (elem !== 'f32' && elem !== 'f64') throw new UnsupportedError(`Resize: compiled ${attrs.mode} kernels take float tensors, got ${elem}`);
  // each resized axis' taps as tables over its output index, so the per-element work is loads and multiply-adds
  const tabulated = (o: Expr, g: AxisGeometry, name: string): { taps: { index: Expr; weight?: Expr }[]; outside?: Expr } => {
    const { count } = filterShape(g, attrs);
    const roi = rois[axes.indexOf(g)];
    const tap = (p: Expr, t: number) => filterTaps(p, g, attrs, roi).taps[t];
    const taps = Array.from({ length: count }, (_, t) => ({
      index: axisTable(`${name}_i${t}`, g.outLen, (p) => tap(p, t).index, 'i32').at([o]),
      weight: axisTable(`${name}_w${t}`, g.outLen, (p) => (elem === 'f64' ? tap(p, t).weight : cast(tap(p, t).weight, 'f32')), elem).at([o]),
    }));
    if (g.mode !== 'tf_crop_and_resize') return { taps };
    const outside = axisTable(`${name}_out`, g.outLen, (p) => select(coordinate(p, g, roi).outside!, cnst(1), cnst(0)), 'i32').at([o]);
    return { taps, outside: bin('ne', outside, cnst(0)) };
  };
  return [compute(out.name, out.shape, (idx) => {
    const parts = idx.map((o, a) => (isIdentityAxis(axes[a]) ? { taps: [{ index: o }] } : tabulated(o, axes[a], `${out.name}_a${a}`)));
    // every combination of one tap per axis, weighted by the product of the axes' weights
    let terms: { index: Expr[]; weight?: Expr }[] = [{ index: [] }];
    for (const p of parts) {
      terms = terms.flatMap((term) => p.taps.map((tap) => ({
        index: [...term.index, tap.index],
        weight: !tap.weight ? term.weight : term.weight ? bin('mul', term.weight, tap.weight) : tap.weight,
      })));
    }
    const sum = terms.map((term) => {
      const value = x.at(term.index);
      return term.weight ? bin('mul', term.weight, value) : value;
    }).reduce((a, b) => bin('add', a, b));
    const outside = anyOutside(parts);
    return outside ? select(outside, cnst(attrs.extrapolation_value, sum.type), sum) : sum;
  }, { elem })];
}

/** Each axis' [start, end] of a run-time roi (starts of the resized axes, then their ends), as f64 loads; [0, 1] elsewhere. */
function roiExprs(roi: TeTensor, rank: number, axesAttr: readonly number[] | undefined): (RoiExprs | undefined)[] {
  const axes = resizedAxes(rank, axesAttr);
  if (roi.shape.length !== 1 || roi.shape[0] !== 2 * axes.length) {
    throw new UnsupportedError(`Resize: roi of shape [${roi.shape.join(',')}] for ${axes.length} resized axes; it needs ${2 * axes.length} values`);
  }
  const at = (i: number) => { const v = roi.at([cnst(i)]); return v.type.scalar === 'f64' ? v : cast(v, 'f64'); };
  const out: (RoiExprs | undefined)[] = Array.from({ length: rank }, () => [f64(0), f64(1)] as const);
  axes.forEach((a, i) => { out[a] = [at(i), at(i + axes.length)]; });
  return out;
}
