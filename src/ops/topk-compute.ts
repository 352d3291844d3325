// Compute definition of TopK with a constant K: the rank of every element in its line (how many
// come before it: better values, ties by lower index), then output j finds the element of rank j.
// O(n^2) per line of n; fine for class scores, a sorting network would serve long lines better.
import { bin, cast, cnst, select, type Expr } from '../loop/ir.js';
import { compute, reduce, type ComputeTensor, type TeTensor } from '../lower/te.js';
import type { ComputeContext } from './op.js';

const along = (idx: readonly Expr[], axis: number, r: Expr) => idx.map((e, d) => (d === axis ? r : e));

/** Values and int64 indices of the k best per line along `axis`, best first (NaNs are not ranked). */
export function topKCompute(ctx: ComputeContext<{ readonly largest: number }>, axis: number): ComputeTensor[] {
  const x = ctx.inputs[0] as TeTensor;
  const [values, indices] = ctx.outputs;
  const n = x.shape[axis];
  const better = ctx.attrs.largest ? 'gt' : 'lt';
  const rank = compute(`${values.name}_rank`, x.shape, (idx) => reduce('sum', [n], ([q]) => {
    const [other, self] = [x.at(along(idx, axis, q)), x.at(idx)];
    const before = bin('or', bin(better, other, self), bin('and', bin('eq', other, self), bin('lt', q, idx[axis])));
    return select(before, cnst(1), cnst(0));
  }), { elem: 'i32' });
  const position = compute(indices.name, indices.shape, (idx) =>
    reduce('max', [n], ([p]) => select(bin('eq', rank.at(along(idx, axis, p)), idx[axis]), p, cnst(-1)))
      .then((p) => (indices.elem === 'i64' ? cast(p, 'i64') : p)), { elem: indices.elem });
  return [compute(values.name, values.shape, (idx) => {
    const p = position.at(idx);
    const at = bin('max', cnst(0), bin('min', cnst(n - 1), p.type.scalar === 'i32' ? p : cast(p, 'i32')));
    return x.at(along(idx, axis, at));
  }, { elem: values.elem }), position];
}
