// Attention (opset 23-25) and RotaryEmbedding (opset 23). Attention's reference kernel is
// attention-kernel.ts; compiled models get it expanded into MatMul/Softmax (attention-expand.ts).
import { expandAttention } from './attention-expand.js';
import { attr, defineOp, type OpTable } from './op.js';
import { runAttention } from './attention-kernel.js';
import { ATT, attentionDims, attentionOutputs } from './attention-spec.js';
import { inferRotary, rotaryCompute, runRotary } from './attention-rotary.js';

export const attentionOps = {
  Attention: defineOp({
    attrs: {
      is_causal: attr.int(0), kv_num_heads: attr.int(), q_num_heads: attr.int(), qk_matmul_output_mode: attr.int(0),
      scale: attr.float(), softcap: attr.float(0), softmax_precision: attr.int(),
      left_window_size: attr.int(-1), right_window_size: attr.int(-1),
    },
    inputs: [3, 7],
    outputs: [1, 4],
    fusion: 'opaque',
    infer: ({ node, attrs, inputs }) =>
      attentionOutputs(attentionDims(node.name, attrs, inputs), inputs[ATT.Q]!.dtype).slice(0, Math.max(1, node.outputs.length)),
    run: ({ node, attrs, inputs }) =>
      runAttention(attrs, attentionDims(node.name, attrs, inputs.map((t) => t && { dtype: t.dtype, shape: t.shape })), inputs, node.outputs.length),
    expand: expandAttention,
    // Q·K^T and probabilities·V: each score of [batch, heads, q_seq, total] costs head_size + v_head_size
    macs: ({ attrs, inputs }) => {
      const dims = attentionDims('Attention', attrs, inputs);
      const sizes = [dims.batch, dims.qSeq, dims.total];
      if (!sizes.every((d) => typeof d === 'number')) return 0;
      return (sizes as number[]).reduce((n, d) => n * d, 1) * dims.qHeads * (dims.headSize + dims.vHeadSize);
    },
  }),

  RotaryEmbedding: defineOp({
    attrs: { interleaved: attr.int(0), num_heads: attr.int(), rotary_embedding_dim: attr.int(0) },
    inputs: [3, 4],
    fusion: 'injective',
    infer: inferRotary,
    run: runRotary,
    compute: rotaryCompute,
  }),
} satisfies OpTable;
