// The steps of a stage no schedule shapes (Reduce*, Softmax's stages, the norms' statistics, a
// movement op's copy), read off its access pattern: vector lanes along whichever axis is contiguous.
import { v, type Expr } from '../loop/ir.js';
import { toLinear } from '../loop/linear.js';
import type { TargetFacts } from '../target/target.js';
import { reductionTemplate } from '../schedule/reduction.js';
import { vectorize, type Step } from '../schedule/schedule.js';
import { loadIndicesOf, varsOf } from './expr.js';
import type { ComputeTensor, Reduction } from './te.js';

/** The coefficient of `name` in `index`, or undefined when index is not affine in it. */
function strideOf(index: Expr, name: string): number | undefined {
  let stride = 0;
  for (const { atom, coef } of toLinear(index).terms.values()) {
    if (atom.k === 'var' && atom.name === name) stride += coef;
    else if (varsOf(atom).has(name)) return undefined;
  }
  return stride;
}

/** True when every load walks `name` with stride 0 or 1, and one with 1: vector loads stay contiguous. */
function contiguousIn(value: Expr, name: string): boolean {
  const strides = loadIndicesOf(value).map((i) => strideOf(i, name));
  return strides.every((s) => s === 0 || s === 1) && strides.includes(1);
}

/**
 * The reduction template (src/schedule/reduction.ts) at its default knobs for this stage: a
 * contiguous innermost reduction axis (a row sum, Softmax over the last axis, a global pool over
 * NCHW pixels) is vectorised into lane partials summed after the loop; else a contiguous output
 * axis (reducing over outer axes) becomes a register tile of vectors inside the reduction.
 */
export function reductionSteps(t: ComputeTensor, r: Reduction, target: TargetFacts): Step[] {
  const value = r.body(r.axes.map((a) => v(a.name)));
  const inner = r.axes[r.axes.length - 1], last = t.axes[t.axes.length - 1];
  const problem = {
    stage: t.name, axes: t.axes, shape: t.shape, reduce: r.axes, lanes: target.lanes(value.type.scalar), prod: r.kind === 'prod',
    reduceContiguous: inner !== undefined && contiguousIn(value, inner.name),
    outputContiguous: last !== undefined && contiguousIn(value, last),
  };
  return [...reductionTemplate.schedule(problem, reductionTemplate.defaults(problem))];
}

/**
 * A stage that is not a reduction vectorises its innermost axis when every load walks it with
 * stride 0 or 1 (Softmax's and the norms' last stage, a Concat or Slice copying whole rows); an
 * index through floordiv or a stride is left scalar.
 */
export function rowSteps(t: ComputeTensor, value: Expr, target: TargetFacts): Step[] {
  const last = t.axes.length - 1;
  if (last < 0 || t.shape[last] < target.lanes(value.type.scalar) || !contiguousIn(value, t.axes[last])) return [];
  return [vectorize(t.axes[last], t.name)];
}
