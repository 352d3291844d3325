// Compute definitions of reductions (ReduceSum and kin) and of Softmax/LogSoftmax: reductions over
// the reduced dims, with the shift by the maximum as a stage of its own where exp could overflow.
import { isFloat } from '../ir/dtype.js';
import { UnsupportedError } from '../errors.js';
import { bin, call, cnst, un, type Expr } from '../loop/ir.js';
import { along, compute, reduce, type ComputeTensor, type ReduceKind, type TeTensor } from '../lower/te.js';
import { normAxis } from '../ir/shape.js';
import { k } from './elementwise-compute.js';
import type { AttrSchema, ComputeContext, OpDef } from './op.js';

/** How a Reduce* op maps, folds and finishes its elements. */
export interface ReduceExpr {
  readonly kind: ReduceKind;
  readonly map?: (x: Expr) => Expr;
  readonly finish?: (acc: Expr, count: number) => Expr;
  /** Set when the finish is a float intrinsic (sqrt, log): integer inputs do not compile. */
  readonly floatOnly?: true;
  /** log-sum-exp: fold exp(x - max) and add the max back after the log. */
  readonly shifted?: true;
}

interface ReduceAttrs { readonly keepdims: number; readonly noop_with_empty_axes: number }

/** Reads x at output index idx with the reduced dims taken from r, in order. */
function inputIndex(reduced: readonly boolean[], keepdims: boolean, idx: readonly Expr[], r: readonly Expr[]): Expr[] {
  let o = 0, j = 0;
  return reduced.map((red) => {
    if (!red) return idx[o++];
    if (keepdims) o++;
    return r[j++];
  });
}

export function withReduce<S extends AttrSchema>(def: OpDef<S>, spec: ReduceExpr,
  reducedDims: (rank: number, axes: readonly number[] | undefined, noop: boolean) => boolean[]): OpDef<S> {
  return {
    ...def,
    compute: (ctx) => {
      const [x] = ctx.inputs as TeTensor[];
      const attrs = ctx.attrs as unknown as ReduceAttrs;
      if (ctx.inputs[1] && !ctx.constant(1)) throw new UnsupportedError('compiled reductions need constant axes');
      const dtype = ctx.inputTypes[0]!.dtype;
      if (spec.floatOnly && !isFloat(dtype)) throw new UnsupportedError(`this reduction of ${dtype} tensors does not compile (its finish is a float function)`);
      const reduced = reducedDims(x.shape.length, ctx.constant(1)?.toArray(), attrs.noop_with_empty_axes !== 0);
      const extents = x.shape.filter((_, d) => reduced[d]);
      const count = extents.reduce((n, e) => n * e, 1);
      const keep = attrs.keepdims !== 0;
      const out = ctx.outputs[0];
      const read = (idx: readonly Expr[], r: readonly Expr[]) => x.at(inputIndex(reduced, keep, idx, r));
      const max = spec.shifted
        ? compute(`${out.name}_max`, out.shape, (idx) => reduce('max', extents, (r) => read(idx, r)), { elem: out.elem })
        : undefined;
      return [compute(out.name, out.shape, (idx) => {
        const shift = max?.at(idx);
        const body = reduce(spec.kind, extents, (r) => {
          const v = read(idx, r);
          return shift ? call('exp', bin('sub', v, shift)) : spec.map ? spec.map(v) : v;
        });
        return body.then((acc) => {
          const done = spec.finish ? spec.finish(acc, count) : acc;
          return shift ? bin('add', done, shift) : done;
        });
      }, { elem: out.elem })];
    },
  };
}

export const square = (x: Expr): Expr => bin('mul', x, x);
export const absolute = (x: Expr): Expr => un('abs', x);
export const mean = (acc: Expr, n: number): Expr => bin('div', acc, k(acc, n));

/**
 * Softmax along one axis: the max over the axis, exp(x - max) once per element, their sum, then each
 * exp divided by it. LogSoftmax needs no exp per output: the max, the sum of exp(x - max), then
 * x - max - log sum. All but the last stage are kept in kernel scratch.
 */
export function softmaxCompute(log: boolean) {
  return (ctx: ComputeContext<{ readonly axis: number }>): ComputeTensor[] => {
    const [x] = ctx.inputs as TeTensor[];
    const out = ctx.outputs[0];
    const axis = normAxis(ctx.attrs.axis, x.shape.length);
    const lineShape = x.shape.map((d, i) => (i === axis ? 1 : d));
    const max = compute(`${out.name}_max`, lineShape, (idx) => reduce('max', [x.shape[axis]], ([r]) => x.at(along(idx, axis, r))), { elem: out.elem });
    const shifted = (idx: readonly Expr[]) => bin('sub', x.at(idx), max.at(along(idx, axis, cnst(0))));
    if (!log) {
      // exp once per element, kept in scratch for the sum and the division
      const e = compute(`${out.name}_exp`, x.shape, (idx) => call('exp', shifted(idx)), { elem: out.elem, materialize: true });
      const total = compute(`${out.name}_sum`, lineShape, (idx) => reduce('sum', [x.shape[axis]], ([r]) => e.at(along(idx, axis, r))), { elem: out.elem });
      return [compute(out.name, out.shape, (idx) => bin('div', e.at(idx), total.at(along(idx, axis, cnst(0)))), { elem: out.elem })];
    }
    const sum = compute(`${out.name}_sum`, lineShape, (idx) =>
      reduce('sum', [x.shape[axis]], ([r]) => call('exp', shifted(along(idx, axis, r)))), { elem: out.elem });
    return [compute(out.name, out.shape, (idx) => {
      const total = sum.at(along(idx, axis, cnst(0)));
      return log ? bin('sub', shifted(idx), call('log', total)) : bin('div', call('exp', shifted(idx)), total);
    }, { elem: out.elem })];
  };
}
