// The compiled form of Attention as canonical ops for static shapes: heads split by Reshape/Transpose,
// the KV cache by Concat, grouped KV heads by Expand, scores by MatMul, the additive bias of mask,
// causal frontier, window and padding, Softmax with fully-masked rows zeroed by Where.
import type { DType } from '../ir/dtype.js';
import type { Emitter } from '../ir/emitter.js';
import type { Node } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { ATT, attentionDims, attentionScale, type AttentionAttrs } from './attention-spec.js';
import type { ExpandContext } from './facets.js';

/** ONNX TensorProto element types softmax_precision names. */
const PRECISION: Readonly<Record<number, DType>> = { 1: 'float32', 10: 'float16', 11: 'float64' };

/** The `expand` facet of Attention, for static shapes; false while one is symbolic. */
export function expandAttention({ node: n, attrs, inputs, emit }: ExpandContext<AttentionAttrs>): boolean {
  if (inputs.some((i) => i && !isStatic(i.shape))) return false;
  expandOne(emit, n, attrs, inputs.map((i) => i && { dtype: i.dtype, shape: i.shape as number[] }));
  return true;
}

function expandOne(e: Emitter, n: Node, attrs: AttentionAttrs, infos: readonly ({ dtype: DType; shape: number[] } | undefined)[]): void {
  const dims = attentionDims(n.name, attrs, infos);
  const dt = infos[ATT.Q]!.dtype;
  const B = infos[ATT.Q]!.shape[0], S = dims.qSeq as number, T = dims.total as number, P = dims.past as number;
  const { qHeads: Hq, kvHeads: Hkv, headSize: D, vHeadSize: Dv } = dims;
  const input = (i: number) => n.inputs[i] || undefined;
  const c = (v: number) => e.scalar(dt, v);
  const heads = (v: string, h: number, d: number) => (dims.packed
    ? e.op1('Transpose', [e.op1('Reshape', [v, e.ints([B, -1, h, d])])], { perm: [0, 2, 1, 3] })
    : v);
  const q = heads(input(ATT.Q)!, Hq, D);
  let k = heads(input(ATT.K)!, Hkv, D), v = heads(input(ATT.V)!, Hkv, Dv);
  if (input(ATT.PAST_K)) {
    k = e.op1('Concat', [input(ATT.PAST_K)!, k], { axis: 2 });
    v = e.op1('Concat', [input(ATT.PAST_V)!, v], { axis: 2 });
  }
  const outputs = n.outputs;
  if (outputs[1]) e.rename(e.op1('Identity', [k]), outputs[1]);
  if (outputs[2]) e.rename(e.op1('Identity', [v]), outputs[2]);
  // each kv head serves Hq / Hkv consecutive query heads
  const grouped = (x: string, d: number) => (Hq === Hkv ? x : e.op1('Reshape', [
    e.op1('Expand', [e.unsqueeze(x, 2), e.ints([B, Hkv, Hq / Hkv, T, d])]), e.ints([B, Hq, T, d])]));
  const root = c(Math.sqrt(attentionScale(attrs, dims)));
  // K scaled before its heads are repeated for the query groups
  const kT = e.op1('Transpose', [grouped(e.op1('Mul', [k, root]), D)], { perm: [0, 1, 3, 2] });
  let scores = e.op1('MatMul', [e.op1('Mul', [q, root]), kT]);
  if (attrs.softcap > 0) scores = e.op1('Mul', [e.op1('Tanh', [e.op1('Div', [scores, c(attrs.softcap)])]), c(attrs.softcap)]);
  const bias = attentionBias(e, attrs, dt, input, infos, { B, S, T, P });
  const withBias = bias ? e.op1('Add', [scores, bias]) : scores;
  const precision = attrs.softmax_precision === undefined ? dt : PRECISION[attrs.softmax_precision] ?? dt;
  const cast = (x: string, to: DType, from: DType) => (to === from ? x : e.op1('Cast', [x], { to }));
  let probs = cast(e.op1('Softmax', [cast(withBias, precision, dt)], { axis: -1 }), dt, precision);
  if (bias) {
    // a row whose bias disallows every key gives zeros, not Softmax's NaN
    const masked = e.op1('Equal', [e.op1('ReduceMax', [bias, e.ints([-1])], { keepdims: 1 }), c(-Infinity)]);
    probs = e.op1('Where', [masked, c(0), probs]);
  }
  const y4 = e.op1('MatMul', [probs, grouped(v, Dv)]);
  const y = dims.packed ? e.op1('Reshape', [e.op1('Transpose', [y4], { perm: [0, 2, 1, 3] }), e.ints([B, S, Hq * Dv])]) : y4;
  e.rename(y, outputs[0]);
  if (outputs[3]) {
    const mode = attrs.qk_matmul_output_mode;
    e.rename(mode === 3 ? probs : mode === 2 ? withBias : scores, outputs[3]);
  }
}

/** The additive bias (0 or -inf, plus a float mask) broadcast onto [B, Hq, S, T], or undefined when there is none. */
function attentionBias(e: Emitter, attrs: AttentionAttrs, dt: DType, input: (i: number) => string | undefined,
  infos: readonly ({ dtype: DType; shape: number[] } | undefined)[], sizes: { B: number; S: number; T: number; P: number }): string | undefined {
  const { B, S, T, P } = sizes;
  const zero = e.scalar(dt, 0), ninf = e.scalar(dt, -Infinity);
  const allow = (ok: string) => e.op1('Where', [ok, zero, ninf]);
  const parts: string[] = [];
  const mask = input(ATT.MASK);
  if (mask) {
    const info = infos[ATT.MASK]!, bool = info.dtype === 'bool';
    let m = bool ? allow(mask) : mask;
    const short = T - info.shape[info.shape.length - 1];
    // keys past the mask's last dim are disallowed
    if (short > 0) m = e.op1('Concat', [m, e.constant(Tensor.from(dt, [...info.shape.slice(0, -1), short], new Array<number>(info.shape.slice(0, -1).reduce((a, b) => a * b, short)).fill(-Infinity)), 'pad')], { axis: -1 });
    parts.push(m);
  }
  const nonpad = input(ATT.NONPAD);
  const iIdx = e.constant(Tensor.from('int64', [S, 1], Array.from({ length: S }, (_, i) => i)), 'query');
  const jIdx = e.constant(Tensor.from('int64', [1, T], Array.from({ length: T }, (_, j) => j)), 'key');
  // absolute query position i + offset: [S, 1], or [B, 1, S, 1] with a per-batch external cache
  const position = () => (nonpad
    ? e.op1('Add', [iIdx, e.op1('Reshape', [e.op1('Sub', [nonpad, e.constant(Tensor.scalar('int64', S), 'q_len')]), e.ints([B, 1, 1, 1])])])
    : e.op1('Add', [iIdx, e.constant(Tensor.scalar('int64', P), 'past')]));
  if (attrs.is_causal) parts.push(allow(e.op1('LessOrEqual', [jIdx, position()])));
  if (attrs.left_window_size >= 0) {
    parts.push(allow(e.op1('LessOrEqual', [e.op1('Sub', [position(), jIdx]), e.constant(Tensor.scalar('int64', attrs.left_window_size), 'left')])));
  }
  if (attrs.right_window_size >= 0) {
    parts.push(allow(e.op1('LessOrEqual', [e.op1('Sub', [jIdx, position()]), e.constant(Tensor.scalar('int64', attrs.right_window_size), 'right')])));
  }
  if (nonpad) parts.push(allow(e.op1('Less', [jIdx, e.op1('Reshape', [nonpad, e.ints([B, 1, 1, 1])])])));
  if (!parts.length) return undefined;
  return parts.reduce((acc, p) => e.op1('Add', [acc, p]));
}
