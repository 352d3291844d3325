// Compute definitions of the normalisations: BatchNormalization (inference) as a per-channel
// affine map; Layer/InstanceNormalization as mean and variance stages, then the normalised output.
import { UnsupportedError } from '../errors.js';
import { bin, cnst, un, type Expr } from '../loop/ir.js';
import { normAxis } from '../ir/shape.js';
import { compute, reduce, type TeTensor } from '../lower/te.js';
import { broadcastIndex, k } from './elementwise-compute.js';
import type { ComputeContext } from './op.js';

const sub = (a: Expr, b: Expr) => bin('sub', a, b);
const mul = (a: Expr, b: Expr) => bin('mul', a, b);
const add = (a: Expr, b: Expr) => bin('add', a, b);

/** y = (x - mean[c]) * scale[c] / sqrt(var[c] + eps) + B[c], read from the inputs (folded when they are constants). */
export function batchNormCompute(ctx: ComputeContext<{ readonly epsilon: number; readonly training_mode: number }>): TeTensor[] {
  if (ctx.attrs.training_mode || ctx.outputs.length > 1) throw new UnsupportedError('BatchNormalization: compiled kernels cover inference mode only');
  const [x, scale, bias, mean, variance] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  return [compute(out.name, out.shape, (idx) => {
    const c = [idx[1]];
    const v = x.at(idx);
    const factor = bin('div', scale.at(c), un('sqrt', add(variance.at(c), k(v, ctx.attrs.epsilon))));
    return add(mul(sub(v, mean.at(c)), factor), bias.at(c));
  }, { elem: out.elem })];
}

/**
 * x normalised over the dims from `first` on: a mean stage and an inverse-deviation stage
 * 1/sqrt(var + eps) (scratch, or LayerNormalization's optional outputs 1 and 2), then
 * (x - mean) * invStd * scale + bias, where scale and bias read at the output index.
 */
function normalizeFrom(ctx: ComputeContext<{ readonly epsilon: number }>, first: number,
  scale: (idx: readonly Expr[]) => Expr, bias: ((idx: readonly Expr[]) => Expr) | undefined): TeTensor[] {
  const x = ctx.inputs[0]!, [out, meanOut, invStdOut] = ctx.outputs;
  const inner = x.shape.slice(first), n = inner.reduce((m, d) => m * d, 1);
  const statShape = x.shape.map((d, i) => (i < first ? d : 1));
  const merged = (idx: readonly Expr[], r: readonly Expr[]) => [...idx.slice(0, first), ...r];
  const statAt = (idx: readonly Expr[]) => idx.map((e, i) => (i < first ? e : cnst(0)));
  const mean = compute(meanOut?.name ?? `${out.name}_mean`, statShape, (idx) =>
    reduce('sum', inner, (r) => x.at(merged(idx, r))).then((acc) => bin('div', acc, k(acc, n))), { elem: out.elem });
  const invStd = compute(invStdOut?.name ?? `${out.name}_invstd`, statShape, (idx) => reduce('sum', inner, (r) => {
    const d = sub(x.at(merged(idx, r)), mean.at(idx));
    return mul(d, d);
  }).then((acc) => bin('div', k(acc, 1), un('sqrt', add(bin('div', acc, k(acc, n)), k(acc, ctx.attrs.epsilon))))), { elem: out.elem });
  const y = compute(out.name, out.shape, (idx) => {
    const s = statAt(idx);
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
