// Compute definitions of the dense ops: MatMul, Gemm and 2-D Conv as sum reductions with their
// epilogues (alpha/beta/C, bias). Axis names match the schedule templates in src/schedule/defaults.ts.
import { UnsupportedError } from '../errors.js';
import { bin, cnst, type Expr } from '../loop/ir.js';
import { compute, reduce, type TeTensor } from '../lower/te.js';
import { broadcastIndex, k } from './elementwise-compute.js';
import { padStage } from './movement-compute.js';
import { slidingWindow, type WindowAttrs } from './nn-window.js';
import type { ComputeContext } from './op.js';

const add = (a: Expr, b: Expr) => bin('add', a, b);
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
 * A 1x1 conv with stride 1 and no padding maps output pixel p to input pixel p: its H and W act as one
 * flat axis (a GEMM's N), so odd maps like 7x7 still give full vectors. Schedules ask this too.
 */
export function isPointwiseConv(x: readonly number[], w: readonly number[], out: readonly number[],
  attrs: Partial<Pick<WindowAttrs, 'pads' | 'strides'>>): boolean {
  return x.length === 4 && w[2] === 1 && w[3] === 1 && out[2] === x[2] && out[3] === x[3]
    && (attrs.strides ?? []).every((s) => s === 1) && (attrs.pads ?? []).every((p) => p === 0);
}

/**
 * 2-D NCHW convolution, grouped. A padded input is materialised first (in kernel scratch), so
 * the reduction's loads are affine in ow and vectorise to plain (or strided) vector loads.
 */
export function convCompute(ctx: ComputeContext<ConvAttrs>): TeTensor[] {
  const [x, w, bias] = ctx.inputs;
  const out = ctx.outputs[0];
  if (x!.shape.length !== 4) throw new UnsupportedError(`Conv: compiled kernels cover 2-D convolutions (rank-4 NCHW input), got rank ${x!.shape.length}`);
  const [N, C, H, W] = x!.shape;
  const [O, Cg, KH, KW] = w!.shape;
  const win = slidingWindow('Conv', [H, W], ctx.attrs.kernel_shape ?? [KH, KW], ctx.attrs);
  const [ph, pw] = win.padsBegin, [sh, sw] = win.strides, [dh, dw] = win.dilations;
  const Og = O / ctx.attrs.group;
  // the flat view reads x at [n, c, 0, p], which row-major strides place at pixel p
  const flat = x!.kind === 'placeholder' && !x!.packed && isPointwiseConv(x!.shape, w!.shape, out.shape, ctx.attrs);
  const padded = ph || pw || win.padsEnd[0] || win.padsEnd[1]
    ? padStage(`${out.name}_pad`, x!, [0, 0, ph, pw], [N, C, H + ph + win.padsEnd[0], W + pw + win.padsEnd[1]], 0)
    : x!;
  const shape = flat ? [N, O, 1, H * W] : out.shape;
  return [compute(out.name, shape, ([n, o, oh, ow]) => {
    const cBase = Og === O ? cnst(0) : mul(bin('floordiv', o, cnst(Og)), cnst(Cg));
    return reduce('sum', [Cg, KH, KW], ([c, kh, kw]) => mul(
      padded.at([n, add(cBase, c), add(mul(oh, cnst(sh)), mul(kh, cnst(dh))), add(mul(ow, cnst(sw)), mul(kw, cnst(dw)))]),
      w!.at([o, c, kh, kw])), ['c', 'kh', 'kw'])
      .then((acc) => (bias ? add(acc, bias.at([o])) : acc));
  }, { axes: ['n', 'o', 'oh', 'ow'], elem: out.elem })];
}
