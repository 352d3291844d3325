// Compute definitions of the normalisations: BatchNormalization (inference) as a per-channel affine
// map; the others (and training mode) as mean and variance stages, then the normalised output; LRN.
import { UnsupportedError } from '../errors.js';
import { bin, call, cnst, select, un, type ElemType, type Expr } from '../loop/ir.js';
import { normAxis } from '../ir/shape.js';
import { compute, reduce, type ComputeTensor, type TeTensor } from '../lower/te.js';
import { broadcastIndex, k } from './elementwise-compute.js';
import type { ComputeContext } from './op.js';

const sub = (a: Expr, b: Expr) => bin('sub', a, b);
const mul = (a: Expr, b: Expr) => bin('mul', a, b);
const add = (a: Expr, b: Expr) => bin('add', a, b);

/** Statistics of x over a set of reduced axes: stages of x's shape with those axes 1. */
interface Moments {
  readonly mean: ComputeTensor;
  /** f(population variance): 1/sqrt(var + eps) for most normalisations. */
  readonly spread: ComputeTensor;
  /** The statistics' index for an index of x. */
  readonly at: (idx: readonly Expr[]) => Expr[];
}

/** Two-pass mean and f(variance) of x over `axes` (the variance from centred squares, robust in float32). */
function moments(x: TeTensor, axes: readonly number[], names: readonly [string, string], elem: ElemType,
  f: (variance: Expr) => Expr): Moments {
  const reduced = new Set(axes);
  const extents = axes.map((a) => x.shape[a]), n = extents.reduce((m, d) => m * d, 1);
  const statShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const merged = (idx: readonly Expr[], r: readonly Expr[]) => idx.map((e, i) => (reduced.has(i) ? r[axes.indexOf(i)] : e));
  const at = (idx: readonly Expr[]) => idx.map((e, i) => (reduced.has(i) ? cnst(0) : e));
  const mean = compute(names[0], statShape, (idx) =>
    reduce('sum', extents, (r) => x.at(merged(idx, r))).then((acc) => bin('div', acc, k(acc, n))), { elem });
  const spread = compute(names[1], statShape, (idx) => reduce('sum', extents, (r) => {
    const d = sub(x.at(merged(idx, r)), mean.at(idx));
    return mul(d, d);
  }).then((acc) => f(bin('div', acc, k(acc, n)))), { elem });
  return { mean, spread, at };
}

const invStdev = (epsilon: number) => (variance: Expr) => bin('div', k(variance, 1), un('sqrt', add(variance, k(variance, epsilon))));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * y = (x - mean[c]) * scale[c] / sqrt(var[c] + eps) + B[c]: in inference mode with the given statistics
 * (folded when they are constants), in training mode with the batch's, giving the running ones too.
 */
export function batchNormCompute(ctx: ComputeContext<{ readonly epsilon: number; readonly momentum: number; readonly training_mode: number }>): TeTensor[] {
  const [x, scale, bias, mean, variance] = ctx.inputs as TeTensor[];
  const [out, meanOut, varOut] = ctx.outputs;
  // the kernel computes in x's type: parameters of another dtype (legal since opset 15) are the reference's
  const other = ctx.inputTypes.slice(1).find((t) => t && t.dtype !== ctx.inputTypes[0]!.dtype);
  if (other) throw new UnsupportedError(`BatchNormalization parameters of dtype ${other.dtype} with a ${ctx.inputTypes[0]!.dtype} input`);
  if (!ctx.attrs.training_mode) {
    return [compute(out.name, out.shape, (idx) => {
      const c = [idx[1]];
      const v = x.at(idx);
      const factor = bin('div', scale.at(c), un('sqrt', add(variance.at(c), k(v, ctx.attrs.epsilon))));
      return add(mul(sub(v, mean.at(c)), factor), bias.at(c));
    }, { elem: out.elem })];
  }
  const stats = moments(x, [0, ...range(2, x.shape.length)], [`${out.name}_mean`, `${out.name}_var`], out.elem, (v) => v);
  const y = compute(out.name, out.shape, (idx) => {
    const c = [idx[1]], s = stats.at(idx);
    const factor = bin('div', scale.at(c), un('sqrt', add(stats.spread.at(s), k(stats.spread.at(s), ctx.attrs.epsilon))));
    return add(mul(sub(x.at(idx), stats.mean.at(s)), factor), bias.at(c));
  }, { elem: out.elem });
  const m = ctx.attrs.momentum;
  const running = (o: typeof out, old: TeTensor, batch: ComputeTensor) => compute(o.name, o.shape, ([c]) => {
    const now = batch.at(x.shape.map((_, i) => (i === 1 ? c : cnst(0))));
    return add(mul(old.at([c]), k(now, m)), mul(now, k(now, 1 - m)));
  }, { elem: o.elem });
  return [y, ...(meanOut ? [running(meanOut, mean, stats.mean)] : []), ...(varOut ? [running(varOut, variance, stats.spread)] : [])];
}

/**
 * x normalised over the dims from `first` on: a mean stage and an inverse-deviation stage
 * 1/sqrt(var + eps) (scratch, or LayerNormalization's optional outputs 1 and 2), then
 * (x - mean) * invStd * scale + bias, where scale and bias read at the output index.
 */
function normalizeFrom(ctx: ComputeContext<{ readonly epsilon: number }>, first: number,
  scale: (idx: readonly Expr[]) => Expr, bias: ((idx: readonly Expr[]) => Expr) | undefined): TeTensor[] {
  const x = ctx.inputs[0]!, [out, meanOut, invStdOut] = ctx.outputs;
  const { mean, spread: invStd, at } = moments(x, range(first, x.shape.length),
    [meanOut?.name ?? `${out.name}_mean`, invStdOut?.name ?? `${out.name}_invstd`], out.elem, invStdev(ctx.attrs.epsilon));
  const y = compute(out.name, out.shape, (idx) => {
    const s = at(idx);
    const scaled = mul(mul(sub(x.at(idx), mean.at(s)), invStd.at(s)), scale(idx));
    return bias ? add(scaled, bias(idx)) : scaled;
  }, { elem: out.elem });
  return [y, mean, invStd].slice(0, ctx.outputs.length);
}

export function layerNormCompute(ctx: ComputeContext<{ readonly epsilon: number; readonly axis: number }>): TeTensor[] {
  const [x, scale, bias] = ctx.inputs;
  const axis = normAxis(ctx.attrs.axis, x!.shape.length, 'LayerNormalization axis');
  return normalizeFrom(ctx, axis, (idx) => scale!.at(broadcastIndex(idx, scale!.shape)),
    bias && ((idx) => bias.at(broadcastIndex(idx, bias.shape))));
}

export function instanceNormCompute(ctx: ComputeContext<{ readonly epsilon: number }>): TeTensor[] {
  const [, scale, bias] = ctx.inputs as TeTensor[];
  return normalizeFrom(ctx, 2, (idx) => scale.at([idx[1]]), (idx) => bias.at([idx[1]]));
}

/** x viewed as [N, G, C/G, ...spatial] normalised over all but N and G, then scale[c] and bias[c]. */
export function groupNormCompute(ctx: ComputeContext<{ readonly epsilon: number; readonly num_groups: number }>): TeTensor[] {
  const [x, scale, bias] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const [N, C, ...spatial] = x.shape, G = ctx.attrs.num_groups, perGroup = C / G;
  const grouped = compute(`${out.name}_grouped`, [N, G, perGroup, ...spatial], ([n, g, c, ...p]) =>
    x.at([n, add(mul(g, cnst(perGroup)), c), ...p]), { elem: x.elem });
  const stats = moments(grouped, range(2, grouped.shape.length), [`${out.name}_mean`, `${out.name}_invstd`], out.elem, invStdev(ctx.attrs.epsilon));
  return [compute(out.name, out.shape, ([n, c, ...p]) => {
    const s = stats.at([n, bin('floordiv', c, cnst(perGroup)), cnst(0), ...p]);
    return add(mul(mul(sub(x.at([n, c, ...p]), stats.mean.at(s)), stats.spread.at(s)), scale.at([c])), bias.at([c]));
  }, { elem: out.elem })];
}

/** (x - mean) / (stdev + 1e-9) over `axes`: ONNX adds epsilon to the deviation, outside the root. */
export function meanVarianceNormCompute(ctx: ComputeContext<{ readonly axes: readonly number[] }>): TeTensor[] {
  const x = ctx.inputs[0]!, out = ctx.outputs[0];
  const axes = [...new Set(ctx.attrs.axes.map((a) => normAxis(a, x.shape.length, 'MeanVarianceNormalization axis')))].sort((a, b) => a - b);
  const stats = moments(x, axes, [`${out.name}_mean`, `${out.name}_inv`], out.elem,
    (v) => bin('div', k(v, 1), add(un('sqrt', v), k(v, 1e-9))));
  return [compute(out.name, out.shape, (idx) => {
    const s = stats.at(idx);
    return mul(sub(x.at(idx), stats.mean.at(s)), stats.spread.at(s));
  }, { elem: out.elem })];
}

/** x / (bias + alpha/size * sum of squares over `size` neighbouring channels)^beta, edges clipped. */
export function lrnCompute(ctx: ComputeContext<{ readonly alpha: number; readonly beta: number; readonly bias: number; readonly size: number }>): TeTensor[] {
  const x = ctx.inputs[0]!, out = ctx.outputs[0], { alpha, beta, bias, size } = ctx.attrs;
  const C = x.shape[1], before = Math.floor((size - 1) / 2);
  return [compute(out.name, out.shape, ([n, c, ...p]) => reduce('sum', [size], ([r]) => {
    const ch = add(c, sub(r, cnst(before)));
    const v = x.at([n, bin('max', cnst(0), bin('min', cnst(C - 1), ch)), ...p]);
    return select(bin('and', bin('ge', ch, cnst(0)), bin('lt', ch, cnst(C))), mul(v, v), k(v, 0));
  }, ['r']).then((acc) => bin('div', x.at([n, c, ...p]), call('pow', add(k(acc, bias), mul(k(acc, alpha / size), acc)), k(acc, beta)))),
  { elem: out.elem })];
}
