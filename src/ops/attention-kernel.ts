// Reference kernel of Attention: per (batch, head, query) a row of scores, the additive bias of
// mask, causal frontier, sliding window and padding, a softmax that zeroes fully-masked rows.
import { Tensor } from '../ir/tensor.js';
import { broadcastStrides } from '../ir/shape.js';
import { ATT, attentionOutputs, attentionScale, type AttentionAttrs, type AttentionDims } from './attention-spec.js';

/** Element (b, h, s, d) of a 4-D [b, h, s, d] or a 3-D [b, s, h * d] tensor. */
function headView(t: Tensor, packed: boolean, heads: number) {
  const X = t.numbers, [, a1, a2, a3] = t.rank === 4 ? t.shape : [t.shape[0], heads, t.shape[1], t.shape[2] / heads];
  return packed
    ? (b: number, h: number, s: number, d: number) => X[((b * a2 + s) * a1 + h) * a3 + d]
    : (b: number, h: number, s: number, d: number) => X[((b * a1 + h) * a2 + s) * a3 + d];
}

export function runAttention(attrs: AttentionAttrs, dims: AttentionDims, inputs: readonly (Tensor | undefined)[], outputCount: number): Tensor[] {
  const q = inputs[ATT.Q]!, dtype = q.dtype;
  const B = q.shape[0], { qHeads: Hq, kvHeads: Hkv, headSize: D, vHeadSize: Dv, packed } = dims;
  const S = dims.qSeq as number, T = dims.total as number, P = dims.past as number;
  const Q = headView(q, packed, Hq), Kn = headView(inputs[ATT.K]!, packed, Hkv), Vn = headView(inputs[ATT.V]!, packed, Hkv);
  const pk = inputs[ATT.PAST_K], pv = inputs[ATT.PAST_V];
  // present = past ++ new along the sequence
  const present = (past: Tensor | undefined, next: typeof Kn, d: number) => {
    const out = new Float64Array(B * Hkv * T * d), Pd = past?.numbers;
    for (let b = 0; b < B; b++) for (let h = 0; h < Hkv; h++) for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) {
      out[((b * Hkv + h) * T + t) * d + i] = t < P ? Pd![((b * Hkv + h) * P + t) * d + i] : next(b, h, t - P, i);
    }
    return out;
  };
  const K = present(pk, Kn, D), V = present(pv, Vn, Dv);
  const rootScale = Math.sqrt(attentionScale(attrs, dims));
  const mask = inputs[ATT.MASK], nonpad = inputs[ATT.NONPAD]?.numbers;
  // the mask broadcast onto [B, Hq, S, its own last dim]; keys past that last dim are masked
  const maskShape = mask ? [...new Array<number>(4 - mask.rank).fill(1), ...mask.shape] : [];
  const maskLen = mask ? maskShape[3] : 0;
  const maskStrides = mask ? broadcastStrides(maskShape, [B, Hq, S, maskLen]) : [];
  const M = mask?.numbers, boolMask = mask?.dtype === 'bool';
  const { left_window_size: left, right_window_size: right } = attrs;
  const reps = Hq / Hkv, mode = attrs.qk_matmul_output_mode;
  const Y = new Float64Array(B * Hq * S * Dv), QK = new Float64Array(B * Hq * S * T);
  const scores = new Float64Array(T), bias = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    // valid keys before this query block: the internal cache, or the external one nonpad_kv_seqlen describes
    const offset = pk ? P : nonpad ? nonpad[b] - S : 0;
    for (let h = 0; h < Hq; h++) {
      const kh = Math.floor(h / reps);
      for (let i = 0; i < S; i++) {
        let biasMax = -Infinity;
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += (Q(b, h, i, d) * rootScale) * (K[((b * Hkv + kh) * T + j) * D + d] * rootScale);
          if (attrs.softcap > 0) s = attrs.softcap * Math.tanh(s / attrs.softcap);
          scores[j] = s;
          let add = 0;
          if (mask) {
            if (j >= maskLen) add = -Infinity;
            else {
              const m = M![b * maskStrides[0] + h * maskStrides[1] + i * maskStrides[2] + j * maskStrides[3]];
              add = boolMask ? (m ? 0 : -Infinity) : m;
            }
          }
          if (attrs.is_causal && j > i + offset) add = -Infinity;
          const diff = i + offset - j;
          if ((left >= 0 && diff > left) || (right >= 0 && -diff > right)) add = -Infinity;
          if (nonpad && j >= nonpad[b]) add = -Infinity;
          bias[j] = add;
          biasMax = Math.max(biasMax, add);
        }
        const row = ((b * Hq + h) * S + i) * T;
        let max = -Infinity;
        for (let j = 0; j < T; j++) max = Math.max(max, scores[j] + bias[j]);
        const probs = new Float64Array(T);
        // a row with every key disallowed gives zeros, not NaN
        if (biasMax !== -Infinity) {
          const safe = max === -Infinity ? 0 : max;
          let total = 0;
          for (let j = 0; j < T; j++) { probs[j] = Math.exp(scores[j] + bias[j] - safe); total += probs[j]; }
          for (let j = 0; j < T; j++) probs[j] /= total === 0 ? 1 : total;
        }
        for (let j = 0; j < T; j++) QK[row + j] = mode === 3 ? probs[j] : mode === 2 ? scores[j] + bias[j] : scores[j];
        for (let d = 0; d < Dv; d++) {
          let acc = 0;
          for (let j = 0; j < T; j++) acc += probs[j] * V[((b * Hkv + kh) * T + j) * Dv + d];
          Y[packed ? ((b * S + i) * Hq + h) * Dv + d : ((b * Hq + h) * S + i) * Dv + d] = acc;
        }
      }
    }
  }
  const types = attentionOutputs(dims, dtype);
  const data = [Y, K, V, QK];
  return types.slice(0, Math.max(1, outputCount)).map((t, k) => Tensor.from(dtype, [B, ...t.shape.slice(1)] as number[], data[k]));
}
