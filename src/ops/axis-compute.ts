// Compute definitions of ops that work along one axis: ArgMax/ArgMin and Hardmax (the extreme, then
// the first or last index holding it), CumSum (a masked sum per element) and LpNormalization.
import { normAxis } from '../ir/shape.js';
import { bin, cast, cnst, select, un, type Expr } from '../loop/ir.js';
import { along, compute, elementZero, reduce, type ComputeTensor, type TeTensor } from '../lower/te.js';
import { k } from './elementwise-compute.js';
import type { ComputeContext } from './op.js';

interface ArgAttrs { readonly axis: number; readonly keepdims: number; readonly select_last_index: number }


/** The index along `axis` of the first (or last) element equal to `extreme`, as a min (max) reduction. */
function indexOf(x: TeTensor, axis: number, at: (r: Expr) => readonly Expr[], extreme: Expr, last: boolean, type: 'i32' | 'i64'): ReturnType<typeof reduce> {
  const n = x.shape[axis];
  return reduce(last ? 'max' : 'min', [n], ([r]) => {
    const ri = type === 'i32' ? r : cast(r, type);
    return select(bin('eq', x.at(at(r)), extreme), ri, cnst(last ? -1 : n, ri.type));
  });
}

/** ArgMax/ArgMin: the extreme over the axis in scratch, then the index reduction (NaNs are not ranked). */
export function argCompute(kind: 'max' | 'min') {
  return (ctx: ComputeContext<ArgAttrs>): ComputeTensor[] => {
    const x = ctx.inputs[0]!;
    const out = ctx.outputs[0];
    const axis = normAxis(ctx.attrs.axis, x.shape.length);
    const keep = ctx.attrs.keepdims !== 0;
    const inputIndex = (idx: readonly Expr[], r: Expr): Expr[] =>
      keep ? along(idx, axis, r) : [...idx.slice(0, axis), r, ...idx.slice(axis)];
    const extreme = compute(`${out.name}_ext`, out.shape, (idx) => reduce(kind, [x.shape[axis]], ([r]) => x.at(inputIndex(idx, r))),
      { elem: x.elem });
    const type = out.elem === 'i64' ? 'i64' : 'i32';
    return [compute(out.name, out.shape, (idx) =>
      indexOf(x, axis, (r) => inputIndex(idx, r), extreme.at(idx), ctx.attrs.select_last_index !== 0, type), { elem: out.elem })];
  };
}

/** Hardmax: 1 at the first maximum of each line along the axis, 0 elsewhere. */
export function hardmaxCompute(ctx: ComputeContext<{ readonly axis: number }>): ComputeTensor[] {
  const x = ctx.inputs[0]!;
  const out = ctx.outputs[0];
  const axis = normAxis(ctx.attrs.axis, x.shape.length);
  const lineShape = x.shape.map((d, i) => (i === axis ? 1 : d));
  const max = compute(`${out.name}_max`, lineShape, (idx) => reduce('max', [x.shape[axis]], ([r]) => x.at(along(idx, axis, r))), { elem: x.elem });
  const first = compute(`${out.name}_first`, lineShape, (idx) =>
    indexOf(x, axis, (r) => along(idx, axis, r), max.at(idx), false, 'i32'), { elem: 'i32' });
  return [compute(out.name, out.shape, (idx) => {
    const line = along(idx, axis, cnst(0));
    const one = k(x.at(idx), 1);
    return select(bin('eq', idx[axis], first.at(line)), one, k(one, 0));
  }, { elem: out.elem })];
}

/**
 * CumSum and CumProd: element i combines the elements before (exclusive) or after (reverse) it along
 * the axis, the others counting as the identity. A constant axis gives one reduction along it; an axis
 * fed at run time, a reduction over the longest dim whose body keeps only the terms of the axis the
 * kernel reads. CumProd walks a reversed line from its end, the reference's order, so floats round
 * alike; CumSum walks forward, so its reads stay contiguous (and vectorise).
 */
export function cumulativeCompute(ctx: ComputeContext<{ readonly exclusive: number; readonly reverse: number }>, kind: 'sum' | 'prod'): ComputeTensor[] {
  const x = ctx.inputs[0]!;
  const out = ctx.outputs[0];
  const rank = x.shape.length;
  const { exclusive, reverse } = ctx.attrs;
  const identity = kind === 'sum' ? 0 : 1, combine = kind === 'sum' ? 'add' : 'mul';
  const op = reverse ? (exclusive ? 'gt' : 'ge') : (exclusive ? 'lt' : 'le');
  const term = (idx: readonly Expr[], axis: number, r: Expr) => {
    const p = reverse && kind === 'prod' ? bin('sub', cnst(x.shape[axis] - 1), r) : r;
    const value = x.at(along(idx, axis, p));
    return select(bin(op, p, idx[axis]), value, k(value, identity));
  };
  const axisValue = ctx.constant(1);
  if (axisValue) {
    const axis = normAxis(axisValue.numbers[0], rank);
    return [compute(out.name, out.shape, (idx) => reduce(kind, [x.shape[axis]], ([r]) => term(idx, axis, r)), { elem: out.elem })];
  }
  const axisInput = ctx.inputs[1]!;
  const raw = elementZero(axisInput);
  const given = raw.type.scalar === 'i32' ? raw : cast(raw, 'i32');
  const axis = select(bin('lt', given, cnst(0)), bin('add', given, cnst(rank)), given);
  const longest = Math.max(1, ...x.shape);
  return [compute(out.name, out.shape, (idx) => reduce(kind, [longest], ([r]) => {
    let acc: Expr | undefined;
    for (let d = 0; d < rank; d++) {
      // r past this dim's end reads its last element, then drops it
      const t = term(idx, d, bin('min', r, cnst(x.shape[d] - 1)));
      const keep = bin('and', bin('eq', axis, cnst(d)), bin('lt', r, cnst(x.shape[d])));
      const masked = select(keep, t, k(t, identity));
      acc = acc ? bin(combine, acc, masked) : masked;
    }
    return acc!;
  }), { elem: out.elem })];
}

/** LpNormalization (p 1 or 2): the norm of each line in scratch, then x / norm (0 where the norm is 0). */
export function lpNormCompute(ctx: ComputeContext<{ readonly axis: number; readonly p: number }>): ComputeTensor[] {
  const x = ctx.inputs[0]!;
  const out = ctx.outputs[0];
  const axis = normAxis(ctx.attrs.axis, x.shape.length);
  const lineShape = x.shape.map((d, i) => (i === axis ? 1 : d));
  const p = ctx.attrs.p;
  const norm = compute(`${out.name}_norm`, lineShape, (idx) => reduce('sum', [x.shape[axis]], ([r]) => {
    const v = x.at(along(idx, axis, r));
    return p === 1 ? un('abs', v) : bin('mul', v, v);
  }).then((acc) => (p === 1 ? acc : un('sqrt', acc))), { elem: out.elem });
  return [compute(out.name, out.shape, (idx) => {
    const n = norm.at(along(idx, axis, cnst(0)));
    return select(bin('eq', n, k(n, 0)), k(n, 0), bin('div', x.at(idx), n));
  }, { elem: out.elem })];
}
