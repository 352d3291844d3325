// Reference kernels for Conv (im2col + GEMM, or direct loops when depthwise) and
// ConvTranspose (GEMM + col2im). 1D and 2D run as 3D with leading unit axes.
import { allocData, type NumericData } from '../ir/dtype.js';
import { numel } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { gemm, outputTensor, transposed } from './nn-gemm.js';
import { to3d, type Window } from './nn-window.js';

/** Largest im2col buffer in elements; bigger convs are lowered a band of output rows at a time. */
const COL_BUDGET = 1 << 22;

/** A window in 3D form: input, kernel, stride, dilation, begin pad and output per axis (d, h, w). */
interface Geometry {
  readonly inp: readonly number[];
  readonly k: readonly number[];
  readonly s: readonly number[];
  readonly d: readonly number[];
  readonly p: readonly number[];
  readonly out: readonly number[];
}

function geometry(spatialIn: readonly number[], win: Window): Geometry {
  return {
    inp: to3d(spatialIn, 1), k: to3d(win.kernel, 1), s: to3d(win.strides, 1),
    d: to3d(win.dilations, 1), p: to3d(win.padsBegin, 0), out: to3d(win.out, 1),
  };
}

/** The range [lo, hi) of positions o in [0, count) with 0 <= o*s - p + tap < size. */
function validRange(count: number, s: number, p: number, tap: number, size: number): [number, number] {
  const lo = Math.max(0, Math.ceil((p - tap) / s));
  const hi = Math.min(count, Math.floor((size - 1 + p - tap) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/** Conv with weights [M, C/group, k...] and optional bias [M]; `win` is resolved for x. */
export function convForward(x: Tensor, w: Tensor, bias: Tensor | undefined, win: Window, group: number): Tensor {
  const [n, c] = x.shape, m = w.shape[0];
  const g = geometry(x.shape.slice(2), win);
  const [OD, OH, OW] = g.out, [ID, IH, IW] = g.inp;
  const cg = c / group, mg = m / group;
  const taps = numel(g.k), depth = cg * taps;
  const outLen = OD * OH * OW, inLen = ID * IH * IW;
  const out = allocData(x.dtype, n * m * outLen) as NumericData;
  const X = x.numbers, W = w.numbers;
  if (cg === 1 && group > 1) {
    depthwise(X, W, bias?.numbers, n, group, mg, g, out);
    return outputTensor(x.dtype, [n, m, ...win.out], out);
  }
  // a 1x1 stride-1 conv without pads reads the image itself as the GEMM operand (end pads would grow the output)
  const pointwise = taps === 1 && g.s.every((v) => v === 1) && g.p.every((v) => v === 0) && outLen === inLen;
  const rowsPerBand = Math.max(1, Math.min(OD * OH, Math.floor(COL_BUDGET / (depth * OW))));
  const col = pointwise ? undefined : allocData(x.dtype, depth * rowsPerBand * OW) as NumericData;

  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (b * c + gi * cg) * inLen;
      const weights = { data: W, off: gi * mg * depth, ld: depth };
      const addend = bias && { data: bias.numbers, off: gi * mg, rowStride: 1, colStride: 0, scale: 1 };
      const outOff = (b * m + gi * mg) * outLen;
      if (!col) {
        gemm(mg, outLen, depth, weights, { data: X, off: xOff, ld: inLen }, { data: out, off: outOff, ld: outLen }, 1, addend);
        continue;
      }
      for (let r0 = 0; r0 < OD * OH; r0 += rowsPerBand) {
        const rows = Math.min(rowsPerBand, OD * OH - r0), width = rows * OW;
        im2col(X, xOff, cg, g, r0, rows, col);
        gemm(mg, width, depth, weights, { data: col, off: 0, ld: width },
          { data: out, off: outOff + r0 * OW, ld: outLen }, 1, addend);
      }
    }
  }
  return outputTensor(x.dtype, [n, m, ...win.out], out);
}

/**
 * Convs with one input channel per group (depthwise, possibly with a channel multiplier):
 * too little reduction for a GEMM, so each output plane accumulates shifted input rows directly.
 */
function depthwise(X: NumericData, W: NumericData, B: NumericData | undefined, n: number, channels: number,
  multiplier: number, g: Geometry, out: NumericData): void {
  const [ID, IH, IW] = g.inp, [KD, KH, KW] = g.k, [sd, sh, sw] = g.s, [dd, dh, dw] = g.d, [pd, ph, pw] = g.p;
  const [OD, OH, OW] = g.out, inLen = ID * IH * IW, outLen = OD * OH * OW, m = channels * multiplier;
  const acc = new Float64Array(outLen);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      const plane = (b * channels + Math.floor(oc / multiplier)) * inLen;
      acc.fill(B ? B[oc] : 0);
      for (let kd = 0; kd < KD; kd++) {
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const wv = W[((oc * KD + kd) * KH + kh) * KW + kw];
            const [lo, hi] = validRange(OW, sw, pw, kw * dw, IW);
            for (let od = 0; od < OD; od++) {
              const id = od * sd - pd + kd * dd;
              if (id < 0 || id >= ID) continue;
              for (let oh = 0; oh < OH; oh++) {
                const ih = oh * sh - ph + kh * dh;
                if (ih < 0 || ih >= IH) continue;
                const dst = (od * OH + oh) * OW, src = plane + (id * IH + ih) * IW - pw + kw * dw;
                for (let ow = lo; ow < hi; ow++) acc[dst + ow] += wv * X[src + ow * sw];
              }
            }
          }
        }
      }
      out.set(acc, (b * m + oc) * outLen);
    }
  }
}

/** Writes the [channels*taps, rows*OW] patch matrix of output rows [r0, r0+rows) (row = od*OH + oh). */
function im2col(X: NumericData, xOff: number, channels: number, g: Geometry, r0: number, rows: number, col: NumericData): void {
  const [ID, IH, IW] = g.inp, [KD, KH, KW] = g.k, [sd, sh, sw] = g.s, [dd, dh, dw] = g.d, [pd, ph, pw] = g.p;
  const OH = g.out[1], OW = g.out[2], width = rows * OW;
  let dst = 0;
  for (let ci = 0; ci < channels; ci++) {
    const plane = xOff + ci * ID * IH * IW;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, dst += width) {
          const [lo, hi] = validRange(OW, sw, pw, kw * dw, IW);
          for (let r = 0; r < rows; r++) {
            const od = Math.floor((r0 + r) / OH), oh = (r0 + r) - od * OH;
            const id = od * sd - pd + kd * dd, ih = oh * sh - ph + kh * dh;
            const at = dst + r * OW;
            if (id < 0 || id >= ID || ih < 0 || ih >= IH) { col.fill(0, at, at + OW); continue; }
            const src = plane + (id * IH + ih) * IW - pw + kw * dw;
            col.fill(0, at, at + lo);
            for (let ow = lo; ow < hi; ow++) col[at + ow] = X[src + ow * sw];
            col.fill(0, at + hi, at + OW);
          }
        }
      }
    }
  }
}

/**
 * ConvTranspose with weights [C, M/group, k...] and optional bias [M]; `win` maps output
 * positions to input ones as in Conv (its pads may be negative when output_shape asks for more).
 */
export function convTransposeForward(x: Tensor, w: Tensor, bias: Tensor | undefined, win: Window, group: number): Tensor {
  const [n, c] = x.shape, mg = w.shape[1], m = mg * group, cg = c / group;
  const g = geometry(x.shape.slice(2), win);
  const [ID, IH, IW] = g.inp, [KD, KH, KW] = g.k, [sd, sh, sw] = g.s, [dd, dh, dw] = g.d, [pd, ph, pw] = g.p;
  const [OD, OH, OW] = g.out;
  const taps = KD * KH * KW, rowsOut = mg * taps;
  const inLen = ID * IH * IW, outLen = OD * OH * OW;
  const X = x.numbers, W = w.numbers, B = bias?.numbers;
  const out = allocData(x.dtype, n * m * outLen) as NumericData;
  const wt = new Float64Array(rowsOut * cg);
  const col = new Float64Array(rowsOut * inLen);
  const acc = new Float64Array(mg * outLen);

  for (let gi = 0; gi < group; gi++) {
    transposed(W, gi * cg * rowsOut, cg, rowsOut, wt);
    for (let b = 0; b < n; b++) {
      gemm(rowsOut, inLen, cg, { data: wt, off: 0, ld: cg }, { data: X, off: (b * c + gi * cg) * inLen, ld: inLen },
        { data: col, off: 0, ld: inLen });
      acc.fill(0);
      for (let mi = 0; mi < mg; mi++) {
        for (let kd = 0; kd < KD; kd++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const rowBase = (((mi * KD + kd) * KH + kh) * KW + kw) * inLen;
              const [lo, hi] = validRange(IW, sw, pw, kw * dw, OW);
              for (let id = 0; id < ID; id++) {
                const od = id * sd - pd + kd * dd;
                if (od < 0 || od >= OD) continue;
                for (let ih = 0; ih < IH; ih++) {
                  const oh = ih * sh - ph + kh * dh;
                  if (oh < 0 || oh >= OH) continue;
                  const dst = ((mi * OD + od) * OH + oh) * OW - pw + kw * dw;
                  const src = rowBase + (id * IH + ih) * IW;
                  for (let iw = lo; iw < hi; iw++) acc[dst + iw * sw] += col[src + iw];
                }
              }
            }
          }
        }
      }
      const outOff = (b * m + gi * mg) * outLen;
      for (let mi = 0; mi < mg; mi++) {
        const add = B ? B[gi * mg + mi] : 0;
        for (let o = 0; o < outLen; o++) out[outOff + mi * outLen + o] = acc[mi * outLen + o] + add;
      }
    }
  }
  return outputTensor(x.dtype, [n, m, ...win.out], out);
}
