// Compute definitions of the pools: windowed MaxPool/AveragePool/LpPool as reductions over the
// window with out-of-bounds taps masked, and the global pools as reductions over all spatial axes.
import { bin, call, cast, cnst, computeType, scalar, select, un, type ElemType, type Expr } from '../loop/ir.js';
import { compute, reduce, type TeTensor } from '../lower/te.js';
import { k } from './elementwise-compute.js';
import { windowPad } from './nn-compute.js';
import { slidingWindow, type Window, type WindowAttrs } from './nn-window.js';
import type { ComputeContext } from './op.js';

export type PoolKind = 'max' | 'avg' | 'lp';

interface PoolAttrs extends WindowAttrs {
  readonly kernel_shape: readonly number[];
  readonly ceil_mode: number;
  readonly count_include_pad?: number;
  readonly p?: number;
  readonly storage_order?: number;
}

const and = (conds: readonly Expr[]): Expr => conds.reduce((a, b) => bin('and', a, b), cnst(1));

/** |x|^p, summed by LpPool. */
const powAbs = (x: Expr, p: number): Expr => (p === 1 ? un('abs', x) : p === 2 ? bin('mul', x, x) : call('pow', un('abs', x), k(x, p)));

/** The smallest value `elem` holds: what max-pool padding must be so a pad never wins. */
function lowest(elem: ElemType): number {
  switch (elem) {
    case 'f32': case 'f64': case 'f16': return -Infinity;
    case 'u8': case 'u16': case 'u32': case 'u64': return 0;
    case 'i8': return -(2 ** 7);
    case 'i16': return -(2 ** 15);
    case 'i32': return -(2 ** 31);
    case 'i64': return Number.MIN_SAFE_INTEGER;
  }
}

/**
 * Axes n, c, o0.. and window axes k0... The input is first padded (with -inf for max, 0 otherwise)
 * to cover every tap, ceil-mode overhang included, so the window's reads are affine and unmasked;
 * AveragePool divides by a count stage that depends only on the output position.
 */
export function windowPoolCompute(op: string, kind: PoolKind) {
  return (ctx: ComputeContext<PoolAttrs>): TeTensor[] => {
    const x = ctx.inputs[0]!, out = ctx.outputs[0], a = ctx.attrs;
    const spatial = x.shape.slice(2);
    const win = slidingWindow(op, spatial, a.kernel_shape, a, a.ceil_mode === 1);
    const extent = spatial.map((_, d) => (win.out[d] - 1) * win.strides[d] + (win.kernel[d] - 1) * win.dilations[d] + 1);
    const needsPad = spatial.some((s, d) => win.padsBegin[d] !== 0 || extent[d] !== s);
    const src = needsPad
      ? windowPad(`${out.name}_pad`, x, [0, 0, ...win.padsBegin], [...x.shape.slice(0, 2), ...extent], kind === 'max' ? lowest(x.elem) : 0)
      : x;
    // tap positions in padded coordinates
    const taps = (o: readonly Expr[], r: readonly Expr[]) => o.map((od, d) =>
      bin('add', bin('mul', od, cnst(win.strides[d])), bin('mul', r[d], cnst(win.dilations[d]))));
    const rNames = spatial.map((_, d) => `k${d}`);
    const one = scalar(computeType(out.elem));
    const count = kind === 'avg'
      ? compute(`${out.name}_count`, win.out, (o) => reduce('sum', win.kernel, (r) => {
        const pos = taps(o, r);
        const [lo, hi] = a.count_include_pad ? [(_: number) => 0, (d: number) => win.padsBegin[d] + spatial[d] + win.padsEnd[d]]
          : [(d: number) => win.padsBegin[d], (d: number) => win.padsBegin[d] + spatial[d]];
        const inside = and(pos.flatMap((e, d) => [bin('ge', e, cnst(lo(d))), bin('lt', e, cnst(hi(d)))]));
        return select(inside, cnst(1, one), cnst(0, one));
      }, rNames), { elem: out.elem })
      : undefined;
    const axes = ['n', 'c', ...spatial.map((_, d) => `o${d}`)];
    const y = compute(out.name, out.shape, ([n, c, ...o]) => {
      const body = reduce(kind === 'max' ? 'max' : 'sum', win.kernel, (r) => {
        const value = src.at([n, c, ...taps(o, r)]);
        return kind === 'lp' ? powAbs(value, a.p ?? 2) : value;
      }, rNames);
      if (kind === 'avg') return body.then((acc) => bin('div', acc, count!.at(o)));
      if (kind === 'lp') return body.then((acc) => call('pow', acc, k(acc, 1 / (a.p ?? 2))));
      return body;
    }, { axes, elem: out.elem });
    if (ctx.outputs.length === 1) return [y];
    return [y, argmaxIndices(ctx.outputs[1], x.shape, y, src, win, taps, a.storage_order === 1)];
  };
}

/**
 * MaxPool's Indices: the first in-bounds tap, in window order, holding the maximum (the
 * reference's tie-break), as a flat index into x (spatial axes column-major when asked).
 */
function argmaxIndices(out: ComputeContext<unknown>['outputs'][number], xShape: readonly number[], y: TeTensor, src: TeTensor,
  win: Window, taps: (o: readonly Expr[], r: readonly Expr[]) => Expr[], columnMajor: boolean): TeTensor {
  const spatial = xShape.slice(2), plane = spatial.reduce((m, d) => m * d, 1);
  const windowSize = win.kernel.reduce((m, d) => m * d, 1);
  return compute(out.name, out.shape, ([n, c, ...o]) => reduce('min', win.kernel, (r) => {
    const pos = taps(o, r);
    const inside = and(pos.flatMap((e, d) => [bin('ge', e, cnst(win.padsBegin[d])), bin('lt', e, cnst(win.padsBegin[d] + spatial[d]))]));
    const hit = bin('and', inside, bin('eq', src.at([n, c, ...pos]), y.at([n, c, ...o])));
    return select(hit, flatIndex(r, win.kernel), cnst(windowSize));
  }, spatial.map((_, d) => `k${d}`)).then((first) => {
    // the window position back to taps, then to input coordinates
    const r = unflatten(first, win.kernel);
    const at = taps(o, r).map((e, d) => bin('sub', e, cnst(win.padsBegin[d])));
    const order = columnMajor ? at.map((_, d) => d).reverse() : at.map((_, d) => d);
    const within = flatIndex(order.map((d) => at[d]), order.map((d) => spatial[d]));
    return cast(bin('add', bin('mul', bin('add', bin('mul', n, cnst(xShape[1])), c), cnst(plane)), within), 'i64');
  }), { axes: ['n', 'c', ...spatial.map((_, d) => `o${d}`)], elem: out.elem });
}

/** Row-major offset of idx in `shape`. */
const flatIndex = (idx: readonly Expr[], shape: readonly number[]): Expr =>
  idx.reduce((acc: Expr, e, d) => bin('add', bin('mul', acc, cnst(shape[d])), e), cnst(0));

/** The index of row-major offset `flat` in `shape`. */
const unflatten = (flat: Expr, shape: readonly number[]): Expr[] => shape.map((_, d) => {
  const inner = shape.slice(d + 1).reduce((m, x) => m * x, 1);
  return bin('floormod', bin('floordiv', flat, cnst(inner)), cnst(shape[d]));
});

/** Global pools: one reduction over every spatial axis of each channel. */
export function globalPoolCompute(kind: PoolKind) {
  return (ctx: ComputeContext<{ readonly p?: number }>): TeTensor[] => {
    const x = ctx.inputs[0]!, out = ctx.outputs[0];
    const spatial = x.shape.slice(2), count = spatial.reduce((m, d) => m * d, 1), p = ctx.attrs.p ?? 2;
    return [compute(out.name, out.shape, ([n, c]) => {
      const body = reduce(kind === 'max' ? 'max' : 'sum', spatial, (r) => {
        const v = x.at([n, c, ...r]);
        return kind === 'lp' ? powAbs(v, p) : v;
      });
      if (kind === 'avg') return body.then((acc) => bin('div', acc, k(acc, count)));
      if (kind === 'lp') return body.then((acc) => call('pow', acc, k(acc, 1 / p)));
      return body;
    }, { elem: out.elem })];
  };
}
