// Attention's (opset 23-25) shapes, shared by its inference, reference kernel and expansion:
// 3-D inputs split into heads, the KV cache, grouped-query heads and the mask's broadcast.
import { ShapeError, UnsupportedError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { fmtShape, type Dim } from '../ir/shape.js';

/** Input positions. */
export const ATT = { Q: 0, K: 1, V: 2, MASK: 3, PAST_K: 4, PAST_V: 5, NONPAD: 6 } as const;

export interface AttentionAttrs {
  readonly is_causal: number;
  readonly kv_num_heads: number | undefined;
  readonly q_num_heads: number | undefined;
  readonly qk_matmul_output_mode: number;
  readonly scale: number | undefined;
  readonly softcap: number;
  readonly softmax_precision: number | undefined;
  readonly left_window_size: number;
  readonly right_window_size: number;
}

export interface AttentionDims {
  /** Q, K, V came 3-D [batch, seq, heads * head_size] (and Y leaves so). */
  readonly packed: boolean;
  readonly batch: Dim;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly qSeq: Dim;
  readonly kvSeq: Dim;
  readonly past: Dim;
  /** past + kvSeq */
  readonly total: Dim;
  readonly headSize: number;
  readonly vHeadSize: number;
}

const known = (d: Dim | undefined): d is number => typeof d === 'number';
const sum = (a: Dim, b: Dim): Dim => (known(a) && known(b) ? a + b : `${a}+${b}`);

export function attentionDims(name: string, attrs: AttentionAttrs, inputs: readonly (ValueInfo | undefined)[]): AttentionDims {
  const where = `Attention '${name}'`;
  const [q, k, v] = inputs;
  if (!q || !k || !v) throw new ShapeError(`${where}: needs inputs Q, K and V`);
  const rank = q.shape.length;
  const shapes = `Q ${fmtShape(q.shape)}, K ${fmtShape(k.shape)}, V ${fmtShape(v.shape)}`;
  if ((rank !== 3 && rank !== 4) || k.shape.length !== rank || v.shape.length !== rank) {
    throw new ShapeError(`${where}: Q, K and V must all be 3-D or all 4-D, got ${shapes}`);
  }
  if (!['float32', 'float16', 'float64'].includes(q.dtype)) throw new UnsupportedError(`${where}: Q must be a float tensor, got ${q.dtype}`);
  const packed = rank === 3;
  let qHeads: number, kvHeads: number, headSize: number, vHeadSize: number;
  const last = (t: ValueInfo, what: string) => {
    const d = t.shape[rank - 1];
    if (!known(d)) throw new ShapeError(`${where}: the last dim of ${what} ${fmtShape(t.shape)} must be static`);
    return d;
  };
  if (packed) {
    if (!attrs.q_num_heads || !attrs.kv_num_heads) throw new ShapeError(`${where}: 3-D inputs (${shapes}) need q_num_heads and kv_num_heads`);
    qHeads = attrs.q_num_heads; kvHeads = attrs.kv_num_heads;
    const [qh, kh, vh] = [last(q, 'Q'), last(k, 'K'), last(v, 'V')];
    if (qh % qHeads || kh % kvHeads || vh % kvHeads) throw new ShapeError(`${where}: hidden sizes of ${shapes} must divide into ${qHeads} query / ${kvHeads} kv heads`);
    headSize = qh / qHeads; vHeadSize = vh / kvHeads;
    if (kh / kvHeads !== headSize) throw new ShapeError(`${where}: Q and K head sizes differ (${shapes}, ${qHeads}/${kvHeads} heads)`);
  } else {
    const [qn, kn] = [q.shape[1], k.shape[1]];
    if (!known(qn) || !known(kn)) throw new ShapeError(`${where}: head counts of ${shapes} must be static`);
    qHeads = qn; kvHeads = kn; headSize = last(q, 'Q'); vHeadSize = last(v, 'V');
    if (last(k, 'K') !== headSize || v.shape[1] !== kvHeads) throw new ShapeError(`${where}: K and V must be [batch, kv_heads, kv_seq, head_size] matching Q, got ${shapes}`);
  }
  if (qHeads % kvHeads) throw new ShapeError(`${where}: ${qHeads} query heads are not a multiple of ${kvHeads} kv heads (${shapes})`);
  const seqAxis = packed ? 1 : 2;
  const [pk, pv] = [inputs[ATT.PAST_K], inputs[ATT.PAST_V]];
  if (!pk !== !pv) throw new ShapeError(`${where}: past_key and past_value go together`);
  if (pk && inputs[ATT.NONPAD]) throw new ShapeError(`${where}: nonpad_kv_seqlen cannot be used with past_key/past_value`);
  const past = pk ? pk.shape[2] : 0;
  if (pk && (pk.shape.length !== 4 || pk.shape[1] !== kvHeads || pk.shape[3] !== headSize || pv!.shape[3] !== vHeadSize)) {
    throw new ShapeError(`${where}: past_key ${fmtShape(pk.shape)} / past_value ${fmtShape(pv!.shape)} must be [batch, ${kvHeads}, past, ${headSize} / ${vHeadSize}]`);
  }
  const dims = { packed, batch: q.shape[0], qHeads, kvHeads, qSeq: q.shape[seqAxis], kvSeq: k.shape[seqAxis], past, total: sum(past, k.shape[seqAxis]), headSize, vHeadSize };
  const mask = inputs[ATT.MASK];
  if (mask) {
    const full = [dims.batch, qHeads, dims.qSeq, dims.total];
    const ok = mask.shape.length <= 4 && mask.shape.every((d, i) => {
      const want = full[4 - mask.shape.length + i];
      if (i === mask.shape.length - 1) return !known(d) || !known(want) || d <= want;
      return d === 1 || !known(d) || !known(want) || d === want;
    });
    if (!ok) throw new ShapeError(`${where}: attn_mask ${fmtShape(mask.shape)} does not broadcast to ${fmtShape(full)}`);
    if (mask.dtype !== 'bool' && mask.dtype !== q.dtype) throw new ShapeError(`${where}: attn_mask must be bool or ${q.dtype}, got ${mask.dtype}`);
  }
  return dims;
}

export function attentionOutputs(dims: AttentionDims, dtype: ValueInfo['dtype']): ValueInfo[] {
  const { batch, qHeads, kvHeads, qSeq, total, headSize, vHeadSize } = dims;
  return [
    { dtype, shape: dims.packed ? [batch, qSeq, qHeads * vHeadSize] : [batch, qHeads, qSeq, vHeadSize] },
    { dtype, shape: [batch, kvHeads, total, headSize] },
    { dtype, shape: [batch, kvHeads, total, vHeadSize] },
    { dtype, shape: [batch, qHeads, qSeq, total] },
  ];
}

/** The scale of Q·K^T: the attribute or 1/sqrt(head_size). */
export const attentionScale = (attrs: AttentionAttrs, dims: AttentionDims): number => attrs.scale ?? 1 / Math.sqrt(dims.headSize);
