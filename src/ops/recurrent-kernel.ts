// Reference kernel of RNN, GRU and LSTM: the cell equations of the ONNX spec, one batch entry and
// one time step at a time in doubles. The oracle the expansion pass is tested against.
import { Tensor } from '../ir/tensor.js';
import { activationFn } from './recurrent-activations.js';
import { INPUT, type RecurrentSpec } from './recurrent-spec.js';

/** Y, Y_h (and Y_c for LSTM) in the spec's layout. */
export function runRecurrent(spec: RecurrentSpec, hiddenAttr: number | undefined, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[INPUT.X]!, W = inputs[INPUT.W]!.numbers, R = inputs[INPUT.R]!.numbers;
  const B = inputs[INPUT.B]?.numbers, lens = inputs[INPUT.SEQ]?.numbers;
  const H0 = inputs[INPUT.H0]?.numbers, C0 = inputs[INPUT.C0]?.numbers, P = inputs[INPUT.P]?.numbers;
  const [seq, batch, inSize] = spec.batchMajor ? [x.shape[1], x.shape[0], x.shape[2]] : [x.shape[0], x.shape[1], x.shape[2]];
  const G = spec.gates, H = hiddenAttr ?? inputs[INPUT.W]!.shape[1] / G, nd = spec.directions;
  const X = x.numbers;
  const xAt = (t: number, b: number) => (spec.batchMajor ? b * seq + t : t * batch + b) * inSize;
  // state [nd, batch, H] or [batch, nd, H]; Y [seq, nd, batch, H] or [batch, seq, nd, H]
  const stateAt = (d: number, b: number) => (spec.batchMajor ? b * nd + d : d * batch + b) * H;
  const yAt = (t: number, d: number, b: number) => (spec.batchMajor ? (b * seq + t) * nd + d : (t * nd + d) * batch + b) * H;
  const Y = new Float64Array(seq * nd * batch * H), Yh = new Float64Array(nd * batch * H), Yc = new Float64Array(nd * batch * H);
  const clip = spec.clip === undefined ? (v: number) => v : (v: number) => Math.max(-spec.clip!, Math.min(spec.clip!, v));

  for (let d = 0; d < nd; d++) {
    const [f, g, h] = spec.activations[d].map(activationFn);
    const wOff = d * G * H * inSize, rOff = d * G * H * H, bOff = d * 2 * G * H, pOff = d * 3 * H;
    /** Row `row` of W times x_t plus Wb, and of R times h plus Rb. */
    const xw = (row: number, xo: number) => {
      let s = B ? B[bOff + row] : 0;
      for (let i = 0, w = wOff + row * inSize; i < inSize; i++) s += X[xo + i] * W[w + i];
      return s;
    };
    const hr = (row: number, hv: ArrayLike<number>) => {
      let s = B ? B[bOff + G * H + row] : 0;
      for (let i = 0, r = rOff + row * H; i < H; i++) s += hv[i] * R[r + i];
      return s;
    };
    for (let b = 0; b < batch; b++) {
      const len = lens ? lens[b] : seq, so = stateAt(d, b);
      let hPrev = Float64Array.from({ length: H }, (_, j) => (H0 ? H0[so + j] : 0));
      const c = Float64Array.from({ length: H }, (_, j) => (C0 ? C0[so + j] : 0));
      for (let k = 0; k < len; k++) {
        const t = spec.reversed[d] ? len - 1 - k : k, xo = xAt(t, b);
        const hNew = new Float64Array(H);
        if (spec.op === 'RNN') {
          for (let j = 0; j < H; j++) hNew[j] = f(clip(xw(j, xo) + hr(j, hPrev)));
        } else if (spec.op === 'GRU') {
          // gate rows: z, r, h
          const z = new Float64Array(H), rg = new Float64Array(H);
          for (let j = 0; j < H; j++) { z[j] = f(clip(xw(j, xo) + hr(j, hPrev))); rg[j] = f(clip(xw(H + j, xo) + hr(H + j, hPrev))); }
          const reset = Float64Array.from(hPrev, (v, j) => v * rg[j]);
          for (let j = 0; j < H; j++) {
            const cand = g(clip(xw(2 * H + j, xo) + (spec.linearBeforeReset ? rg[j] * hr(2 * H + j, hPrev) : hr(2 * H + j, reset))));
            hNew[j] = (1 - z[j]) * cand + z[j] * hPrev[j];
          }
        } else {
          // gate rows: i, o, f, c; peepholes: i, o, f
          for (let j = 0; j < H; j++) {
            const peep = (k: number, cv: number) => (P ? P[pOff + k * H + j] * cv : 0);
            const i = f(clip(xw(j, xo) + hr(j, hPrev) + peep(0, c[j])));
            const fg = spec.inputForget ? 1 - i : f(clip(xw(2 * H + j, xo) + hr(2 * H + j, hPrev) + peep(2, c[j])));
            const cand = g(clip(xw(3 * H + j, xo) + hr(3 * H + j, hPrev)));
            c[j] = fg * c[j] + i * cand;
            const o = f(clip(xw(H + j, xo) + hr(H + j, hPrev) + peep(1, c[j])));
            hNew[j] = o * h(c[j]);
          }
        }
        Y.set(hNew, yAt(t, d, b));
        hPrev = hNew;
      }
      Yh.set(hPrev, so);
      Yc.set(c, so);
    }
  }
  const state = spec.batchMajor ? [batch, nd, H] : [nd, batch, H];
  const outs = [
    Tensor.from(x.dtype, spec.batchMajor ? [batch, seq, nd, H] : [seq, nd, batch, H], Y),
    Tensor.from(x.dtype, state, Yh),
  ];
  if (spec.op === 'LSTM') outs.push(Tensor.from(x.dtype, state, Yc));
  return outs;
}
