// Compiled forms of the ops in misc.ts: CumProd as a masked product per element, CenterCropPad as
// a padded window of the input, Compress as a sequential kernel appending selected slices, and
// Dropout, which compiles only when its flags are constants that make it the identity.
import { UnsupportedError } from '../errors.js';
import { normAxis } from '../ir/shape.js';
import { I32, bin, cast, cnst, load, loop, select, seq, store, v, type Expr, type Stmt } from '../loop/ir.js';
import { compute, reduce, type ComputeTensor, type TeTensor } from '../lower/te.js';
import { k } from './elementwise-compute.js';
import { compressAxis, cropOffsets } from './misc.js';
import { windowPad } from './nn-compute.js';
import type { ComputeContext, KernelContext } from './op.js';

const along = (idx: readonly Expr[], axis: number, r: Expr) => idx.map((e, d) => (d === axis ? r : e));

/**
 * CumProd: element i multiplies the elements before (exclusive) or after (reverse) it along the
 * axis, others counting as 1, in the order the reference multiplies. An axis fed at run time
 * multiplies over the longest dim, each
 * dim's term kept only when it is the axis (the others give 1).
 */
export function cumProdCompute(ctx: ComputeContext<{ readonly exclusive: number; readonly reverse: number }>): ComputeTensor[] {
  const x = ctx.inputs[0]!;
  const out = ctx.outputs[0];
  const rank = x.shape.length;
  const { exclusive, reverse } = ctx.attrs;
  const op = reverse ? (exclusive ? 'gt' : 'ge') : (exclusive ? 'lt' : 'le');
  // step r multiplies position r, or n-1-r in reverse: the reference's order, so floats round alike
  const term = (idx: readonly Expr[], axis: number, r: Expr) => {
    const p = reverse ? bin('sub', cnst(x.shape[axis] - 1), r) : r;
    const value = x.at(along(idx, axis, p));
    return select(bin(op, p, idx[axis]), value, k(value, 1));
  };
  const axisValue = ctx.constant(1);
  if (axisValue) {
    const axis = normAxis(axisValue.numbers[0], rank);
    return [compute(out.name, out.shape, (idx) => reduce('prod', [x.shape[axis]], ([r]) => term(idx, axis, r)), { elem: out.elem })];
  }
  const axisInput = ctx.inputs[1]!;
  const raw = axisInput.at(axisInput.shape.map(() => cnst(0)));
  const given = raw.type.scalar === 'i32' ? raw : cast(raw, 'i32');
  const axis = select(bin('lt', given, cnst(0)), bin('add', given, cnst(rank)), given);
  const longest = Math.max(1, ...x.shape);
  return [compute(out.name, out.shape, (idx) => reduce('prod', [longest], ([r]) => {
    let product: Expr | undefined;
    for (let d = 0; d < rank; d++) {
      // r past this dim's end reads its last element, then drops it
      const t = term(idx, d, bin('min', r, cnst(x.shape[d] - 1)));
      const keep = bin('and', bin('eq', axis, cnst(d)), bin('lt', r, cnst(x.shape[d])));
      const masked = select(keep, t, k(t, 1));
      product = product ? bin('mul', product, masked) : masked;
    }
    return product!;
  }), { elem: out.elem })];
}

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

/** Dropout with constant flags that drop nothing: y is x, the mask all true. */
export function dropoutCompute(ctx: ComputeContext<unknown>): TeTensor[] {
  const flag = (i: number, dflt: number) => (ctx.inputs[i] ? ctx.constant(i)?.numbers[0] : dflt);
  const ratio = flag(1, 0.5), training = flag(2, 0);
  if (training !== 0 && ratio !== 0) {
    throw new UnsupportedError('Dropout: training_mode or ratio arrive at run time, so compiled code cannot know it drops nothing; ' +
      'make training_mode a constant false (inference) before compiling');
  }
  const x = ctx.inputs[0]!;
  const [y, mask] = ctx.outputs;
  const outs: TeTensor[] = [compute(y.name, y.shape, (idx) => x.at(idx), { elem: y.elem })];
  if (mask) outs.push(compute(mask.name, mask.shape, () => cnst(1), { elem: 'u8' }));
  return outs;
}
