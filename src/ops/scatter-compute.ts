// Compute definitions of the indexed writes ScatterND, ScatterElements and OneHot, pulled per output
// element: each element scans the updates that could land on it. Out-of-range indices match nothing,
// so their updates are dropped (the reference throws; a kernel cannot, and must not write outside).
import { bin, cnst, select, type Expr } from '../loop/ir.js';
import { compute, numel, reduce, type ComputeTensor, type ReduceKind, type TeTensor } from '../lower/te.js';
import { UnsupportedError } from '../errors.js';
import { k } from './elementwise-compute.js';
import { unflatten, wrapIndex } from './movement-compute.js';
import type { ComputeContext } from './op.js';

type Ctx = ComputeContext<Record<string, unknown>>;

const REDUCE: Readonly<Record<string, ReduceKind>> = { add: 'sum', mul: 'prod', max: 'max', min: 'min' };
const allOf = (conds: readonly Expr[]): Expr => conds.reduce((a, b) => bin('and', a, b));
const clampTo = (i: Expr, n: number): Expr => bin('max', cnst(0), bin('min', cnst(n - 1), i));

function reductionKind(name: string, op: string): ReduceKind | undefined {
  if (name === 'none') return undefined;
  const kind = REDUCE[name];
  if (!kind) throw new UnsupportedError(`${op} reduction '${name}' is not none, add, mul, max or min`);
  return kind;
}

/**
 * A scatter as the reference runs it, for one output element at idx. `count` candidate updates in
 * write order; `matches(c)` says whether candidate c lands on idx and `update(c)` is its value.
 * Without a reduction the last matching candidate wins. With one, the fold starts from x's element
 * and visits candidates in write order, so float sums and products round as the reference's do.
 */
function scatterElement(x: TeTensor, idx: readonly Expr[], count: number, kind: ReduceKind | undefined,
  matches: (c: Expr) => Expr, update: (c: Expr) => Expr) {
  const old = x.at(idx);
  if (!kind) {
    return reduce('max', [count], ([c]) => select(matches(c), c, cnst(-1)))
      .then((last) => select(bin('ge', last, cnst(0)), update(clampTo(last, count)), old));
  }
  return reduce(kind, [count + 1], ([r]) => {
    // r = 0 reads candidate 0 too (every branch of a select is evaluated), then keeps x's element
    const c = clampTo(bin('sub', r, cnst(1)), count);
    const value = update(c);
    const identity = kind === 'sum' ? 0 : kind === 'prod' ? 1 : undefined;
    // max/min need no identity: a non-matching candidate repeats x's element, which changes nothing
    const skip = identity === undefined ? old : k(value, identity);
    return select(bin('eq', r, cnst(0)), old, select(matches(c), value, skip));
  });
}

/** ScatterND: index tuples (the last axis of indices) address slices of x; candidates are the tuples in row-major order. */
export function scatterNDCompute(ctx: ComputeContext<{ readonly reduction: string }>): ComputeTensor[] {
  const [x, ix, upd] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const kind = reductionKind(ctx.attrs.reduction, 'ScatterND');
  const q = ix.shape.length, m = ix.shape[q - 1];
  const tupleShape = ix.shape.slice(0, -1), count = numel(tupleShape);
  if (count === 0) return [compute(out.name, out.shape, (idx) => x.at(idx), { elem: out.elem })];
  const tuple = (c: Expr) => unflatten(c, tupleShape);
  const matches = (c: Expr, prefix: readonly Expr[]) =>
    allOf(prefix.map((p, j) => bin('eq', wrapIndex(ix.at([...tuple(c), cnst(j)]), x.shape[j]), p)));
  const update = (c: Expr, idx: readonly Expr[]) => upd.at([...tuple(c), ...idx.slice(m)]);
  if (!kind) {
    // the winning tuple depends only on the slice's position, so it is found once per slice
    const winner = compute(`${out.name}_last`, x.shape.slice(0, m), (prefix) =>
      reduce('max', [count], ([c]) => select(matches(c, prefix), c, cnst(-1))), { elem: 'i32' });
    return [compute(out.name, out.shape, (idx) => {
      const last = winner.at(idx.slice(0, m));
      return select(bin('ge', last, cnst(0)), update(clampTo(last, count), idx), x.at(idx));
    }, { elem: out.elem })];
  }
  return [compute(out.name, out.shape, (idx) =>
    scatterElement(x, idx, count, kind, (c) => matches(c, idx.slice(0, m)), (c) => update(c, idx)), { elem: out.elem })];
}

/**
 * ScatterElements: update p lands on p with its axis coordinate replaced by indices[p]. The
 * candidates of an output element are the positions along the axis of indices that share its
 * other coordinates, visited in increasing order as the reference's row-major walk does.
 */
export function scatterElementsCompute(ctx: ComputeContext<{ readonly reduction: string }>, a: number): ComputeTensor[] {
  const [x, ix, upd] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const kind = reductionKind(ctx.attrs.reduction, 'ScatterElements');
  const count = ix.shape[a];
  if (numel(ix.shape) === 0) return [compute(out.name, out.shape, (idx) => x.at(idx), { elem: out.elem })];
  return [compute(out.name, out.shape, (idx) => {
    // output elements outside the indices' extent on the other axes receive no update
    const covered = idx.flatMap((e, d) => (d !== a && ix.shape[d] < x.shape[d] ? [bin('lt', e, cnst(ix.shape[d]))] : []));
    const at = (c: Expr) => idx.map((e, d) => (d === a ? c : ix.shape[d] < x.shape[d] ? clampTo(e, ix.shape[d]) : e));
    const matches = (c: Expr) => allOf([...covered, bin('eq', wrapIndex(ix.at(at(c)), x.shape[a]), idx[a])]);
    return scatterElement(x, idx, count, kind, matches, (c) => upd.at(at(c)));
  }, { elem: out.elem })];
}

/** OneHot with a constant depth: on where the index (negative counted from depth) equals the position along the axis, else off. */
export function oneHotCompute(ctx: Ctx, a: number): ComputeTensor[] {
  const [ix, , values] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const depth = out.shape[a];
  return [compute(out.name, out.shape, (idx) => {
    const raw = ix.at([...idx.slice(0, a), ...idx.slice(a + 1)]);
    const hit = bin('eq', wrapIndex(raw, depth), idx[a]);
    return select(hit, values.at([cnst(1)]), values.at([cnst(0)]));
  }, { elem: out.elem })];
}
