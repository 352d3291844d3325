// Compute definitions of the dense ops: MatMul, Gemm and 2-D Conv as sum reductions with their
// epilogues (alpha/beta/C, bias). Axis names match the schedule templates in src/schedule/defaults.ts.
import { UnsupportedError } from '../errors.js';
import { bin, cnst, select, type Expr } from '../loop/ir.js';
import { compute, reduce, type TeTensor } from '../lower/te.js';
import { broadcastIndex, k } from './elementwise-compute.js';
import { slidingWindow, type Window, type WindowAttrs } from './nn-window.js';
import type { ComputeContext } from './op.js';

const add = (a: Expr, b: Expr) => bin('add', a, b);
const sub = (a: Expr, b: Expr) => bin('sub', a, b);
const mul = (a: Expr, b: Expr) => bin('mul', a, b);
const scaled = (e: Expr, s: number) => (s === 1 ? e : mul(k(e, s), e));

/** numpy matmul: 1-D A is a row, 1-D B a column, batch dims broadcast. Axes b0.., m, n; reduction k. */
export function matmulCompute(ctx: ComputeContext<unknown>): TeTensor[] {
  const [a, b] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const ra = a.shape.length, rb = b.shape.length;
  const kExtent = a.shape[ra - 1];
  const nBatch = out.shape.length - (ra > 1 ? 1 : 0) - (rb > 1 ? 1 : 0);
  const axes = [...Array.from({ length: nBatch }, (_, d) => `b${d}`), ...(ra > 1 ? ['m'] : []), ...(rb > 1 ? ['n'] : [])];
  return [compute(out.name, out.shape, (idx) => {
    const batch = idx.slice(0, nBatch);
    const m = ra > 1 ? [idx[nBatch]] : [], n = rb > 1 ? [idx[idx.length - 1]] : [];
    return reduce('sum', [kExtent], ([kk]) => mul(
      a.at([...broadcastIndex(batch, a.shape.slice(0, -2)), ...m, kk]),
      b.at([...broadcastIndex(batch, b.shape.slice(0, -2)), kk, ...n])), ['k']);
  }, { axes, elem: out.elem })];
}

interface GemmAttrs { readonly alpha: number; readonly beta: number; readonly transA: number; readonly transB: number }

/** alpha * A' B' + beta * C with the scaling and C in the epilogue. Axes m, n; reduction k. */
export function gemmCompute(ctx: ComputeContext<GemmAttrs>): TeTensor[] {
  const [a, b, c] = ctx.inputs;
  const { alpha, beta, transA, transB } = ctx.attrs;
  const out = ctx.outputs[0];
  const kExtent = transA ? a!.shape[0] : a!.shape[1];
  return [compute(out.name, out.shape, ([m, n]) =>
    reduce('sum', [kExtent], ([kk]) => mul(a!.at(transA ? [kk, m] : [m, kk]), b!.at(transB ? [n, kk] : [kk, n])), ['k'])
      .then((acc) => (c && beta !== 0 ? add(scaled(acc, alpha), scaled(c.at(broadcastIndex([m, n], c.shape)), beta)) : scaled(acc, alpha))),
  { axes: ['m', 'n'], elem: out.elem })];
}

interface ConvAttrs extends WindowAttrs { readonly group: number; readonly kernel_shape?: readonly number[] }

/**
 * A conv of kernel width 1, stride 1 and no padding along W reads input row oh + kh*dh for output
 * row oh, column for column: output pixel p = oh*W + ow reads input pixel p + kh*dh*W, so H and W
 * act as one flat axis (a 1x1 conv is a GEMM with N = H*W, a 7x1 conv on 17x17 runs 289-wide rows)
 * and odd maps still give full vectors. Schedules ask this too.
 */
export function isRowFlatConv(x: readonly number[], w: readonly number[], out: readonly number[],
  attrs: Partial<Pick<WindowAttrs, 'pads' | 'strides'>>): boolean {
  const pads = attrs.pads ?? [];
  return x.length === 4 && w[3] === 1 && out[3] === x[3] && (attrs.strides ?? []).every((s) => s === 1)
    && !pads[1] && !pads[3];
}

/**
 * x at offset `begin` of a materialised `shape`, `fill` elsewhere: the padded input of a conv or pool
 * (whose window reads are then affine and unmasked), lowered as a fill and a vectorised copy of x.
 */
export function windowPad(name: string, x: TeTensor, begin: readonly number[], shape: readonly number[], fill: number): TeTensor {
  // a negative begin crops x's front
  const corner = begin.map((b) => Math.max(0, b)), skip = begin.map((b) => Math.max(0, -b));
  const box = x.shape.map((d, i) => Math.max(0, Math.min(d - skip[i], shape[i] - corner[i])));
  return compute(name, shape, (idx) => x.at(idx.map((e, i) => (skip[i] ? bin('add', e, cnst(skip[i])) : e))),
    { elem: x.elem, region: { begin: corner, shape: box, fill } });
}

/** Axis names of a conv's spatial output axes and kernel taps: ow / oh, ow / od, oh, ow (the schedules' names). */
const spatialNames = (rank: number) => ({ out: ['od', 'oh', 'ow'].slice(3 - rank), taps: ['kd', 'kh', 'kw'].slice(3 - rank) });

/** Reads input channel c at output pixel p and tap t of a sliding window (the source's layout decides where). */
type WindowRead = (n: Expr, c: Expr, p: readonly Expr[], t: readonly Expr[]) => Expr;

/** src[n, c, p*s + t*d]: the plain NC... source. */
const strided = (src: TeTensor, strides: readonly number[], dilations: readonly number[]): WindowRead =>
  (n, c, p, t) => src.at([n, c, ...p.map((e, d) => add(mul(e, cnst(strides[d])), mul(t[d], cnst(dilations[d]))))]);

/** y[n, o, p] = sum over the group's channels c and taps t of read(n, c, p, t) * weight(o, c, t), plus bias[o]. */
function slidingSum(name: string, shape: readonly number[], read: WindowRead, cPerGroup: number, oPerGroup: number, kernel: readonly number[],
  weight: (o: Expr, c: Expr, t: readonly Expr[]) => Expr,
  bias: TeTensor | undefined, elem: ComputeContext<unknown>['outputs'][number]['elem']): TeTensor {
  const names = spatialNames(kernel.length);
  return compute(name, shape, ([n, o, ...p]) => {
    const cBase = oPerGroup === shape[1] ? cnst(0) : mul(bin('floordiv', o, cnst(oPerGroup)), cnst(cPerGroup));
    return reduce('sum', [cPerGroup, ...kernel], ([c, ...t]) => mul(read(n, add(cBase, c), p, t), weight(o, c, t)), ['c', ...names.taps])
      .then((acc) => (bias ? add(acc, bias.at([o])) : acc));
  }, { axes: ['n', 'o', ...names.out], elem });
}

/**
 * A conv strided along its last axis reads every s-th element of a row, which a vector gets only by
 * two loads and a shuffle per register (and the extra registers spill an accumulator). It reads a
 * copy instead: cols[n, c, ..., kw, ow] = src[n, c, ..., ow*s + kw*d], KW/s times the input's size,
 * made once per call, in which each tap's row of outputs is contiguous (any stride and dilation).
 */
function columnsOf(name: string, src: TeTensor, kernel: readonly number[], out: readonly number[],
  strides: readonly number[], dilations: readonly number[]): WindowRead {
  const last = kernel.length - 1, s = strides[last], d = dilations[last];
  const cols = compute(name, [...src.shape.slice(0, -1), kernel[last], out[last]], (idx) => {
    const [t, j] = idx.slice(-2);
    return src.at([...idx.slice(0, -2), add(mul(j, cnst(s)), mul(t, cnst(d)))]);
  }, { elem: src.elem, materialize: true });
  return (n, c, p, t) => cols.at([n, c,
    ...p.slice(0, -1).map((e, i) => add(mul(e, cnst(strides[i])), mul(t[i], cnst(dilations[i])))), t[last], p[last]]);
}

/** im2col: patches[n, c, kh, kw, oh, ow] = src[n, c, oh*sh + kh*dh, ow*sw + kw*dw], read along the flat oh*OW + ow. */
function patchesOf(name: string, src: TeTensor, kernel: readonly number[], out: readonly number[],
  strides: readonly number[], dilations: readonly number[]): WindowRead {
  const patches = compute(name, [...src.shape.slice(0, 2), ...kernel, ...out], ([n, c, ...tp]) => {
    const t = tp.slice(0, kernel.length), p = tp.slice(kernel.length);
    return src.at([n, c, ...p.map((e, d) => add(mul(e, cnst(strides[d])), mul(t[d], cnst(dilations[d]))))]);
  }, { elem: src.elem, materialize: true });
  return (n, c, p, t) => patches.at([n, c, ...t, ...p]);
}

/**
 * How a 2-D conv reads its input. 'row-flat' and 'patches' run the output as one flat OH*OW axis (the
 * schedule's vector axis, see defaults.ts): row-flat convs read the (padded) input in place, 'patches'
 * an im2col copy (KH*KW/(sh*sw) times the input) when rows would waste a fifth of an 8-wide vector
 * tile (17 wide: 24 columns computed); other strided convs read 'columns'. A copy pays only when
 * each copied element feeds many output channels: depthwise convs (memory-bound) read in place.
 */
export type ConvSource = 'direct' | 'row-flat' | 'columns' | 'patches';

const raggedRow = (ow: number) => Math.ceil(ow / 8) * 8 >= 1.2 * ow;
/** The largest im2col copy worth its scratch memory (16 MB of f32). */
const MAX_PATCH_ELEMS = 1 << 22;

export function convSource(x: readonly number[], w: readonly number[], out: readonly number[],
  attrs: Partial<Pick<WindowAttrs, 'pads' | 'strides'> & { group: number }>): ConvSource {
  const strides = attrs.strides ?? [];
  const copies = w[0] / (attrs.group ?? 1) >= 8;
  const rowStrided = copies && (strides[strides.length - 1] ?? 1) > 1;
  if (x.length !== 4) return rowStrided ? 'columns' : 'direct';
  if (isRowFlatConv(x, w, out, attrs)) return 'row-flat';
  const patchElems = x[1] * w[2] * w[3] * out[2] * out[3];
  if (copies && raggedRow(out[3]) && out[2] * out[3] >= 8 && patchElems <= MAX_PATCH_ELEMS) return 'patches';
  return rowStrided ? 'columns' : 'direct';
}

const spatialRankCheck = (op: string, rank: number) => {
  if (rank < 3 || rank > 5) throw new UnsupportedError(`${op}: compiled kernels cover 1 to 3 spatial axes, got input rank ${rank}`);
};

/**
 * NC + 1 to 3 spatial axes, grouped. A padded input is materialised first (in kernel scratch), so
 * the reduction's loads are affine in ow and vectorise to plain vector loads (see ConvSource).
 */
export function convCompute(ctx: ComputeContext<ConvAttrs>): TeTensor[] {
  const [x, w, bias] = ctx.inputs;
  const out = ctx.outputs[0];
  spatialRankCheck('Conv', x!.shape.length);
  const [N, C, ...spatial] = x!.shape;
  const [O, Cg, ...kernel] = w!.shape;
  const win = slidingWindow('Conv', spatial, ctx.attrs.kernel_shape ?? kernel, ctx.attrs);
  const padded = [...win.padsBegin, ...win.padsEnd].some((p) => p !== 0)
    ? windowPad(`${out.name}_pad`, x!, [0, 0, ...win.padsBegin], [N, C, ...spatial.map((d, i) => win.padsBegin[i] + d + win.padsEnd[i])], 0)
    : x!;
  const source = convSource(x!.shape, w!.shape, out.shape, ctx.attrs);
  const taps = [padded, kernel, out.shape.slice(2), win.strides, win.dilations] as const;
  // the row-flat view reads the source at [n, c, kh*dh, p], which row-major strides place at pixel p of
  // row kh*dh: a buffer read (an inlined producer indexes by its dims, not by offset)
  const inPlace = source === 'row-flat' && (padded !== x || (x!.kind === 'placeholder' && !x!.packed));
  const read = source === 'patches' ? patchesOf(`${out.name}_patches`, ...taps)
    : source === 'columns' ? columnsOf(`${out.name}_cols`, ...taps)
      : strided(padded, win.strides, win.dilations);
  const flat = source === 'patches' || inPlace;
  const shape = flat ? [N, O, 1, out.shape[2] * out.shape[3]] : out.shape;
  return [slidingSum(out.name, shape, read, Cg, O / ctx.attrs.group, kernel, (o, c, t) => w!.at([o, c, ...t]), bias, out.elem)];
}

/**
 * Whether ConvTranspose splits into stride phases: dilation 1 and output sizes that are multiples of
 * the stride. Output pixel q*s + p then takes ceil(K/s) taps, the same ones for every q, so each
 * phase is a dense conv of x with a sub-kernel.
 */
export function isPhasedTranspose(win: Window): boolean {
  return win.strides.some((s) => s > 1)
    && win.strides.every((s, d) => win.dilations[d] === 1 && win.out[d] % s === 0 && win.padsBegin[d] >= 0);
}

/** Axis names of the phased ConvTranspose output [N, O, Q0, s0, Q1, s1, ...]: q axes as oh/ow, phases ph/pw. */
export const phasedAxes = (rank: number) => ['n', 'o', ...spatialNames(rank).out.flatMap((q) => [q, `p${q.slice(1)}`])];

export function convTransposeCompute(ctx: ComputeContext<ConvAttrs>, win: Window): TeTensor[] {
  spatialRankCheck('ConvTranspose', ctx.inputs[0]!.shape.length);
  return isPhasedTranspose(win) ? phasedTranspose(ctx, win) : spreadTranspose(ctx, win);
}

/** W read as [C][M/group] at tap t of output channel o and input channel c of its group. */
function transposedWeight(w: TeTensor, oPerGroup: number, cPerGroup: number, groups: number) {
  return (o: Expr, c: Expr, t: readonly Expr[]) => {
    const channel = groups === 1 ? c : add(mul(bin('floordiv', o, cnst(oPerGroup)), cnst(cPerGroup)), c);
    return w.at([channel, groups === 1 ? o : bin('floormod', o, cnst(oPerGroup)), ...t]);
  };
}

/**
 * The phased form: the output viewed as [N, O, Q0, s0, ...] (row-major the same as [N, O, Q0*s0, ...]).
 * With pb = m*s + r, output q*s + p sits at (q + m + c)*s + e of the full result, c = (p + r) div s,
 * e = (p + r) mod s, so it sums x[q + m + c - jj] * W[e + jj*s] over jj < ceil(K/s) (taps past K weigh 0).
 * x is padded by ceil(K/s) - 1 - m in front so the reads are affine in q and vectorise along ow.
 */
function phasedTranspose(ctx: ComputeContext<ConvAttrs>, win: Window): TeTensor[] {
  const [x, w, bias] = ctx.inputs;
  const out = ctx.outputs[0];
  const [N, C, ...spatial] = x!.shape;
  const [, Og, ...kernel] = w!.shape;
  const groups = ctx.attrs.group, Cg = C / groups;
  const s = win.strides, taps = kernel.map((k, d) => Math.ceil(k / s[d]));
  const m = win.padsBegin.map((p, d) => Math.floor(p / s[d])), r = win.padsBegin.map((p, d) => p % s[d]);
  const q = win.out.map((o, d) => o / s[d]);
  const padded = windowPad(`${out.name}_pad`, x!, [0, 0, ...taps.map((j, d) => j - 1 - m[d])],
    [N, C, ...q.map((n, d) => n + taps[d] - 1 + (r[d] ? 1 : 0))], 0);
  const weight = transposedWeight(w!, Og, Cg, groups);
  const shape = [N, out.shape[1], ...q.flatMap((n, d) => [n, s[d]])];
  const names = spatialNames(spatial.length);
  return [compute(out.name, shape, ([n, o, ...qp]) => {
    const qs = qp.filter((_, i) => i % 2 === 0), ps = qp.filter((_, i) => i % 2 === 1);
    const carry = ps.map((p, d) => (r[d] ? bin('floordiv', add(p, cnst(r[d])), cnst(s[d])) : undefined));
    const phase = ps.map((p, d) => (r[d] ? bin('floormod', add(p, cnst(r[d])), cnst(s[d])) : p));
    const cBase = groups === 1 ? cnst(0) : mul(bin('floordiv', o, cnst(Og)), cnst(Cg));
    return reduce('sum', [Cg, ...taps], ([c, ...j]) => {
      // padded row q + c + j holds x[q + m + c - jj] for jj = taps - 1 - j
      const rows = qs.map((e, d) => add(carry[d] ? add(e, carry[d]!) : e, j[d]));
      const tap = phase.map((e, d) => add(e, mul(sub(cnst(taps[d] - 1), j[d]), cnst(s[d]))));
      const ragged = tap.flatMap((t, d) => (kernel[d] % s[d] ? [bin('lt', t, cnst(kernel[d]))] : []));
      const wv = weight(o, c, tap.map((t, d) => (kernel[d] % s[d] ? bin('min', t, cnst(kernel[d] - 1)) : t)));
      const coef = ragged.length ? select(ragged.reduce((a, b) => bin('and', a, b)), wv, k(wv, 0)) : wv;
      return mul(padded.at([n, add(cBase, c), ...rows]), coef);
    }, ['c', ...names.taps]).then((acc) => (bias ? add(acc, bias.at([o])) : acc));
  }, { axes: phasedAxes(spatial.length), elem: out.elem })];
}

/**
 * The general form, a stride-1 conv: x is spread `stride` apart into a zero-filled, padded scratch
 * stage (so every output pixel's taps are affine reads that vectorise along ow, and the conv
 * schedule applies), then convolved with the flipped kernel. Strided layers spend
 * (stride^rank - 1)/stride^rank of their multiply-adds on the zeros.
 */
function spreadTranspose(ctx: ComputeContext<ConvAttrs>, win: Window): TeTensor[] {
  const [x, w, bias] = ctx.inputs;
  const out = ctx.outputs[0];
  const [N, C, ...spatial] = x!.shape;
  const [, Og, ...kernel] = w!.shape;
  const Cg = C / ctx.attrs.group;
  const reach = kernel.map((k, d) => (k - 1) * win.dilations[d]);
  // x[i] sits at begin + i*stride of the spread stage; output pixel p reads it at p + tap*dilation
  const begin = reach.map((r, d) => r - win.padsBegin[d]);
  const spreadShape = [N, C, ...win.out.map((o, d) => o + reach[d])];
  const spread = compute(`${out.name}_spread`, spreadShape, ([n, c, ...p]) => {
    const rel = p.map((e, d) => sub(e, cnst(begin[d])));
    const source = rel.map((e, d) => (win.strides[d] === 1 ? e : bin('floordiv', e, cnst(win.strides[d]))));
    const hits = rel.flatMap((e, d) => [
      bin('ge', e, cnst(0)), bin('lt', e, cnst((spatial[d] - 1) * win.strides[d] + 1)),
      ...(win.strides[d] === 1 ? [] : [bin('eq', bin('floormod', e, cnst(win.strides[d])), cnst(0))])]);
    const value = x!.at([n, c, ...source.map((e, d) => bin('max', cnst(0), bin('min', cnst(spatial[d] - 1), e)))]);
    return select(hits.reduce((a, b) => bin('and', a, b)), value, k(value, 0));
  }, { elem: x!.elem, materialize: true });
  const weight = transposedWeight(w!, Og, Cg, ctx.attrs.group);
  return [slidingSum(out.name, out.shape, strided(spread, kernel.map(() => 1), win.dilations), Cg, Og, kernel,
    (o, c, t) => weight(o, c, t.map((e, d) => sub(cnst(kernel[d] - 1), e))), bias, out.elem)];
}
