// Compute definitions of the injective movement ops: every output element reads one input element
// at an index that is a function of the output index (views, permutations, per-axis maps, gathers).
import { UnsupportedError } from '../errors.js';
import { bin, cast, cnst, computeType, select, type Expr } from '../loop/ir.js';
import { compute, type ComputeTensor, type TeTensor } from '../lower/te.js';
import { broadcastIndex, k } from './elementwise-compute.js';
import type { ComputeContext } from './op.js';

type Ctx = ComputeContext<Record<string, unknown>>;
const out0 = (ctx: Ctx) => ctx.outputs[0];
const clampTo = (i: Expr, n: number): Expr => bin('max', cnst(0), bin('min', cnst(n - 1), i));
const all = (conds: readonly Expr[]): Expr | undefined => (conds.length ? conds.reduce((a, b) => bin('and', a, b)) : undefined);

/** Output 0 reading `x` at `index(idx)`, or `fill` where `inside(idx)` is false. */
function gatherFrom(ctx: Ctx, x: TeTensor, index: (idx: readonly Expr[]) => Expr[], inside?: (idx: readonly Expr[]) => Expr | undefined,
  fill: number | Expr = 0): ComputeTensor {
  const out = out0(ctx);
  return compute(out.name, out.shape, (idx) => {
    const value = x.at(index(idx));
    const cond = inside?.(idx);
    return cond ? select(cond, value, typeof fill === 'number' ? k(value, fill) : fill) : value;
  }, { elem: out.elem });
}

/**
 * x placed at offset `begin` in a materialised tensor of `shape`, `fill` elsewhere: the padded
 * input of a conv or pool, whose window reads then need no bounds checks and stay affine.
 */
export function padStage(name: string, x: TeTensor, begin: readonly number[], shape: readonly number[], fill: number): ComputeTensor {
  return compute(name, shape, (idx) => {
    const src = idx.map((e, d) => (begin[d] ? bin('sub', e, cnst(begin[d])) : e));
    const inside = all(src.flatMap((e, d) => (begin[d] || shape[d] !== x.shape[d] ? [bin('ge', e, cnst(0)), bin('lt', e, cnst(x.shape[d]))] : [])));
    const value = x.at(src.map((e, d) => (begin[d] || shape[d] !== x.shape[d] ? clampTo(e, x.shape[d]) : e)));
    return inside ? select(inside, value, k(value, fill)) : value;
  }, { elem: x.elem, materialize: true });
}

/** Row-major index of `shape` at flat offset `flat`: the inverse of rowMajor. */
export function unflatten(flat: Expr, shape: readonly number[]): Expr[] {
  let stride = 1;
  const idx: Expr[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const q = stride === 1 ? flat : bin('floordiv', flat, cnst(stride));
    idx[d] = d === 0 ? q : shape[d] === 1 ? cnst(0) : bin('floormod', q, cnst(shape[d]));
    stride *= shape[d];
  }
  return idx;
}

const flatOf = (idx: readonly Expr[], shape: readonly number[]): Expr => {
  let flat: Expr = cnst(0), stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) { if (shape[d] !== 1) flat = bin('add', bin('mul', idx[d], cnst(stride)), flat); stride *= shape[d]; }
  return flat;
};

/** Reshape, Flatten, Squeeze, Unsqueeze, Identity: the same elements in row-major order. */
export function viewCompute(ctx: Ctx): TeTensor[] {
  const x = ctx.inputs[0]!, shape = out0(ctx).shape;
  const same = x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]);
  return [gatherFrom(ctx, x, (idx) => (same ? [...idx] : unflatten(flatOf(idx, shape), x.shape)))];
}

export function transposeCompute(ctx: Ctx, perm: readonly number[]): TeTensor[] {
  return [gatherFrom(ctx, ctx.inputs[0]!, (idx) => {
    const inIdx: Expr[] = new Array(perm.length);
    perm.forEach((src, i) => { inIdx[src] = idx[i]; });
    return inIdx;
  })];
}

export function expandCompute(ctx: Ctx): TeTensor[] {
  const x = ctx.inputs[0]!;
  return [gatherFrom(ctx, x, (idx) => broadcastIndex(idx, x.shape))];
}

export function tileCompute(ctx: Ctx): TeTensor[] {
  const x = ctx.inputs[0]!;
  return [gatherFrom(ctx, x, (idx) => idx.map((e, d) => (x.shape[d] === out0(ctx).shape[d] ? e : bin('floormod', e, cnst(x.shape[d])))))];
}

/** Concat: the input whose range holds the index along `axis`, chosen by a chain of selects. */
export function concatCompute(ctx: Ctx, a: number): TeTensor[] {
  const inputs = ctx.inputs.filter((t): t is TeTensor => t !== undefined && t.shape[a] > 0);
  const out = out0(ctx);
  return [compute(out.name, out.shape, (idx) => {
    let offset = 0;
    const parts = inputs.map((t) => {
      const n = t.shape[a], start = offset;
      offset += n;
      // every branch is evaluated, so each read is clamped into its input
      const value = t.at(idx.map((e, d) => (d === a ? clampTo(bin('sub', e, cnst(start)), n) : e)));
      return { end: offset, value };
    });
    return parts.slice(0, -1).reduceRight((rest, p) => select(bin('lt', idx[a], cnst(p.end)), p.value, rest), parts[parts.length - 1].value);
  }, { elem: out.elem })];
}

/**
 * An output->input map of one axis (the reference's own map; -1 marks fill) as an expression:
 * its maximal affine runs chained by selects, with the fill runs at the ends as a condition.
 */
export function axisMap(map: ArrayLike<number>, dim: number, o: Expr): { index: Expr; inside?: Expr } {
  const runs: { end: number; base: number; step: number }[] = [];
  let first = -1, last = -1;
  for (let s = 0; s < map.length;) {
    if (map[s] < 0) { s++; continue; }
    if (first < 0) first = s;
    const step = s + 1 < map.length && map[s + 1] >= 0 ? map[s + 1] - map[s] : 0;
    let e = s + 1;
    while (e < map.length && map[e] >= 0 && map[e] - map[e - 1] === step) e++;
    runs.push({ end: e, base: map[s] - step * s, step });
    last = e;
    s = e;
  }
  if (runs.length === 0) return { index: cnst(0), inside: cnst(0) };
  for (let s = first; s < last; s++) if (map[s] < 0) throw new UnsupportedError('an axis map with fill inside its range');
  const affine = (r: typeof runs[number]) => bin('add', bin('mul', o, cnst(r.step)), cnst(r.base));
  const chained = runs.slice(0, -1).reduceRight((rest, r) => select(bin('lt', o, cnst(r.end)), affine(r), rest), affine(runs[runs.length - 1]));
  const fills = first > 0 || last < map.length;
  if (!fills) return { index: chained };
  return { index: clampTo(chained, dim), inside: bin('and', bin('ge', o, cnst(first)), bin('lt', o, cnst(last))) };
}

/** An op whose input index is a separate map per axis (Slice, Pad): maps[d][o] is the input index or -1 for fill. */
/** `fill` is a constant, or an expression (a pad value read at run time). */
export function axisMapsCompute(ctx: Ctx, x: TeTensor, maps: readonly ArrayLike<number>[], fill: number | Expr): ComputeTensor {
  const per = (idx: readonly Expr[]) => idx.map((o, d) => axisMap(maps[d], x.shape[d], o));
  return gatherFrom(ctx, x, (idx) => per(idx).map((m) => m.index),
    (idx) => all(per(idx).flatMap((m) => (m.inside ? [m.inside] : []))), fill);
}

/**
 * An index read from data into a dim of n: negative ones count from the end. Out-of-range ones
 * clamp into the dim, where the reference throws: a kernel cannot raise an error, and a clamped
 * read stays inside its buffer (scatters instead drop out-of-range updates, see scatter-compute).
 */
export function dataIndex(raw: Expr, n: number): Expr {
  return clampTo(wrapIndex(raw, n), n);
}

/** An index read from data as i32 (floats truncate), negative ones counted from the end of a dim of n; not clamped. */
export function wrapIndex(raw: Expr, n: number): Expr {
  const i = raw.type.scalar === 'i32' ? raw : cast(raw, 'i32');
  return select(bin('lt', i, cnst(0)), bin('add', i, cnst(n)), i);
}

/** Gather along `axis` at indices read from the indices tensor. */
export function gatherCompute(ctx: Ctx, a: number): TeTensor[] {
  const [x, ix] = ctx.inputs as TeTensor[];
  const r = ix.shape.length;
  return [gatherFrom(ctx, x, (idx) => {
    return [...idx.slice(0, a), dataIndex(ix.at(idx.slice(a, a + r)), x.shape[a]), ...idx.slice(a + r)];
  })];
}

/** DepthToSpace (DCR or CRD) and SpaceToDepth: channel blocks <-> spatial blocks of `b`. */
export function depthToSpaceCompute(ctx: Ctx, b: number, mode: string): TeTensor[] {
  const x = ctx.inputs[0]!, cOut = x.shape[1] / (b * b);
  return [gatherFrom(ctx, x, ([n, c, h, w]) => {
    const bh = bin('floormod', h, cnst(b)), bw = bin('floormod', w, cnst(b));
    const block = bin('add', bin('mul', bh, cnst(b)), bw);
    const channel = mode === 'CRD'
      ? bin('add', bin('mul', c, cnst(b * b)), block)
      : bin('add', bin('mul', block, cnst(cOut)), c);
    return [n, channel, bin('floordiv', h, cnst(b)), bin('floordiv', w, cnst(b))];
  })];
}

export function spaceToDepthCompute(ctx: Ctx, b: number): TeTensor[] {
  const x = ctx.inputs[0]!, C = x.shape[1];
  return [gatherFrom(ctx, x, ([n, oc, h, w]) => {
    const block = bin('floordiv', oc, cnst(C));
    const bh = bin('floordiv', block, cnst(b)), bw = bin('floormod', block, cnst(b));
    return [n, bin('floormod', oc, cnst(C)), bin('add', bin('mul', h, cnst(b)), bh), bin('add', bin('mul', w, cnst(b)), bw)];
  })];
}

/** Bounds of the integer element types narrower than their i32 register. */
const NARROW_RANGE: Partial<Record<string, readonly [number, number]>> = {
  i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535],
};

/** Cast between numeric types: bool targets test for non-zero, others convert the register type. */
export function castCompute(ctx: Ctx): TeTensor[] {
  const out = out0(ctx);
  const to = computeType(out.elem);
  const bool = ctx.attrs.to === 'bool';
  return [compute(out.name, out.shape, (idx) => {
    const x = ctx.inputs[0]!.at(idx);
    if (bool) return bin('ne', x, k(x, 0));
    const range = NARROW_RANGE[out.elem];
    // a float saturates at the narrow type's bounds before the i32 conversion (which saturates at its own)
    if (range && (x.type.scalar === 'f32' || x.type.scalar === 'f64')) {
      return cast(bin('min', bin('max', x, k(x, range[0])), k(x, range[1])), to);
    }
    return x.type.scalar === to ? x : cast(x, to);
  }, { elem: out.elem })];
}
