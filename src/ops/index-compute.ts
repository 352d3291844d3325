// Compute definitions of index-driven movement ops: Split (one compute per output), Trilu (a mask on
// the last two dims), GatherElements and GatherND (indices read from data at each output element).
import { UnsupportedError } from '../errors.js';
import { bin, cast, cnst, select, type Expr } from '../loop/ir.js';
import { compute, elementZero, type TeTensor } from '../lower/te.js';
import { k } from './elementwise-compute.js';
import { dataIndex } from './movement-compute.js';
import type { ComputeContext } from './op.js';

type Ctx = ComputeContext<Record<string, unknown>>;

/** Split along axis a: output i reads x shifted by the sizes of the outputs before it. */
export function splitCompute(ctx: Ctx, a: number): TeTensor[] {
  const x = ctx.inputs[0]!;
  let offset = 0;
  return ctx.outputs.map((out) => {
    const begin = offset;
    offset += out.shape[a];
    return compute(out.name, out.shape, (idx) => x.at(idx.map((e, d) => (d === a && begin ? bin('add', e, cnst(begin)) : e))),
      { elem: out.elem });
  });
}

/** Trilu: x where column - row is on the kept side of the diagonal k (a constant or a run-time scalar), else 0. */
export function triluCompute(ctx: Ctx, upper: boolean): TeTensor[] {
  const [x, kIn] = ctx.inputs;
  const out = ctx.outputs[0];
  const r = out.shape.length;
  const diagonal = (): Expr => {
    if (!kIn) return cnst(0);
    const raw = elementZero(kIn);
    return raw.type.scalar === 'i32' ? raw : cast(raw, 'i32');
  };
  return [compute(out.name, out.shape, (idx) => {
    const value = x!.at(idx);
    const offset = bin('sub', idx[r - 1], idx[r - 2]);
    return select(upper ? bin('ge', offset, diagonal()) : bin('le', offset, diagonal()), value, k(value, 0));
  }, { elem: out.elem })];
}

/** GatherElements: the output index with dim a replaced by the index tensor's element there. */
export function gatherElementsCompute(ctx: Ctx, a: number): TeTensor[] {
  const [x, ix] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  return [compute(out.name, out.shape, (idx) =>
    x.at(idx.map((e, d) => (d === a ? dataIndex(ix.at(idx), x.shape[a]) : e))), { elem: out.elem })];
}

/** GatherND: the leading b batch dims, then the last index dim's m entries address x, the rest is the slice. */
export function gatherNDCompute(ctx: Ctx, b: number): TeTensor[] {
  const [x, ix] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const q = ix.shape.length, m = ix.shape[q - 1];
  if (m > x.shape.length - b) throw new UnsupportedError(`GatherND: index tuples of ${m} exceed the rank of the data`);
  return [compute(out.name, out.shape, (idx) => {
    const outer = idx.slice(0, q - 1);
    const picked = Array.from({ length: m }, (_, j) => dataIndex(ix.at([...outer, cnst(j)]), x.shape[b + j]));
    return x.at([...idx.slice(0, b), ...picked, ...idx.slice(q - 1)]);
  }, { elem: out.elem })];
}
