// Compute definitions of elementwise ops: a scalar expression over the inputs' elements at the
// broadcast index. The family files attach one per op next to its reference function.
import { bin, call, cnst, un, type Expr } from '../loop/ir.js';
import { compute, type ComputeTensor, type TeTensor } from '../lower/te.js';
import type { AttrSchema, AttrsOf, ComputeContext, OpDef } from './op.js';

/** The index of an input of `shape` read at output index idx under numpy broadcasting. */
export function broadcastIndex(idx: readonly Expr[], shape: readonly number[]): Expr[] {
  const offset = idx.length - shape.length;
  return shape.map((d, k) => (d === 1 ? cnst(0) : idx[offset + k]));
}

/** A compute named and typed as output 0 whose element is f of the inputs' broadcast elements. */
export function mapInputs<A>(ctx: ComputeContext<A>, inputs: readonly TeTensor[], f: (xs: Expr[]) => Expr): ComputeTensor {
  const out = ctx.outputs[0];
  return compute(out.name, out.shape, (idx) => f(inputs.map((t) => t.at(broadcastIndex(idx, t.shape)))), { elem: out.elem });
}

/** def with an elementwise compute: f gets the present inputs' elements and the attributes. */
export function withExpr<S extends AttrSchema>(def: OpDef<S>, f: (xs: Expr[], attrs: AttrsOf<S>) => Expr): OpDef<S> {
  return {
    ...def,
    compute: (ctx) => [mapInputs(ctx, ctx.inputs.filter((t): t is TeTensor => t !== undefined), (xs) => f(xs, ctx.attrs))],
  };
}

// Scalar helpers: constants take the type of the operand they combine with.
export const k = (like: Expr, value: number): Expr => cnst(value, like.type);
export const lt0 = (x: Expr): Expr => bin('lt', x, k(x, 0));
export const relu = (x: Expr): Expr => bin('max', x, k(x, 0));
export const clamp01 = (x: Expr): Expr => bin('max', k(x, 0), bin('min', k(x, 1), x));
export const expm1 = (x: Expr): Expr => bin('sub', call('exp', x), k(x, 1));
/** log(1 + e^x) as max(x, 0) + log(1 + e^-|x|), which cannot overflow. */
export const softplusExpr = (x: Expr): Expr =>
  bin('add', relu(x), call('log', bin('add', k(x, 1), call('exp', un('neg', un('abs', x))))));
