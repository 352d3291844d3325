// Compiled forms of the ops in misc.ts (CumProd's is CumSum's, in axis-compute.ts): CenterCropPad
// as a padded window of the input, Compress as a sequential kernel appending selected slices, and
// Dropout, which drops by a hash of each element's index so both engines drop the same ones.
import { I32, bin, cast, cnst, load, loop, select, seq, store, v, type Expr, type Stmt } from '../loop/ir.js';
import { compute, elementZero, rowMajor, type TeTensor } from '../lower/te.js';
import { dropoutUniformExpr } from './dropout-random.js';
import { compressAxis, cropOffsets } from './misc.js';
import { windowPad } from './nn-compute.js';
import type { ComputeContext, KernelContext } from './op.js';


/** The input placed at its centred offset in the output's box (negative offsets crop), zeros around. */
export function centerCropPadCompute(ctx: ComputeContext<unknown>): TeTensor[] {
  const x = ctx.inputs[0]!;
  const out = ctx.outputs[0];
  return [windowPad(out.name, x, cropOffsets(x.shape, out.shape), out.shape, 0)];
}

/**
 * Compress: for each selected index c along the axis, in order, copy slice c to output row
 * `hits` (rows are the bound apart) and count it; the count is the output's length.
 */
export function compressKernel(ctx: KernelContext<{ readonly axis?: number }>): Stmt {
  const x = ctx.inputs[0]!, cond = ctx.inputs[1]!, out = ctx.outputs[0], count = ctx.counts.get(0);
  const { axis, outer, len, inner } = compressAxis(x.shape, ctx.attrs.axis);
  const max = ctx.attrs.axis === undefined ? out.shape[0] : out.shape[axis];
  const n = Math.min(len, cond.shape[0]);
  const add = (a: Expr, b: Expr) => bin('add', a, b), mul = (a: Expr, b: number) => bin('mul', a, cnst(b));
  const copy = loop('o', outer, loop('i', inner, store(out.buffer,
    add(mul(add(mul(v('o'), max), v('hits')), inner), v('i')),
    load(x.buffer, add(mul(add(mul(v('o'), len), v('c')), inner), v('i'))))));
  const picked: Stmt = { k: 'if', cond: bin('ne', load(cond.buffer, v('c')), cnst(0)), then: seq(copy, { k: 'set', v: 'hits', value: add(v('hits'), cnst(1)) }) };
  return { k: 'local', v: 'hits', type: I32, init: cnst(0), body: seq(loop('c', n, picked), ...(count ? [store(count, cnst(0), v('hits'))] : [])) };
}

/**
 * Dropout with its flags as constants or run-time values: with training_mode set and a ratio above 0
 * an element is dropped when its hash uniform (dropout-random.ts) falls below the ratio, the rest
 * scaled by 1 / (1 - ratio); otherwise y is x and the mask all true.
 */
export function dropoutCompute(ctx: ComputeContext<{ readonly seed?: number }>): TeTensor[] {
  const x = ctx.inputs[0]!;
  const [y, mask] = ctx.outputs;
  const scalarOf = (i: number, dflt: Expr): Expr => {
    const t = ctx.inputs[i];
    return t ? elementZero(t) : dflt;
  };
  const flags = (idx: readonly Expr[]) => {
    const value = x.at(idx);
    const ratio = scalarOf(1, cnst(0.5, value.type));
    const r = ratio.type.scalar === value.type.scalar ? ratio : cast(ratio, value.type.scalar);
    const active = bin('and', bin('ne', scalarOf(2, cnst(0)), cnst(0, scalarOf(2, cnst(0)).type)), bin('gt', r, cnst(0, r.type)));
    const u = dropoutUniformExpr(rowMajor(idx, y.shape), ctx.attrs.seed ?? 0);
    const dropped = bin('and', active, bin('lt', u, r.type.scalar === 'f32' ? r : cast(r, 'f32')));
    const one = cnst(1, value.type);
    return { value, r, active, dropped, one };
  };
  const outs: TeTensor[] = [compute(y.name, y.shape, (idx) => {
    const { value, r, active, dropped, one } = flags(idx);
    const scaled = bin('mul', value, bin('div', one, bin('sub', one, r)));
    return select(dropped, cnst(0, value.type), select(active, scaled, value));
  }, { elem: y.elem })];
  if (mask) outs.push(compute(mask.name, mask.shape, (idx) => select(flags(idx).dropped, cnst(0), cnst(1)), { elem: 'u8' }));
  return outs;
}
