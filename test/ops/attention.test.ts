// Attention and RotaryEmbedding: the reference kernels against onnxruntime-node and the compiled
// path (the expand facet, the rotary compute) against the reference, over heads, caches, masks,
// causal offsets, softcap, output modes and partial/interleaved rotation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { opDef } from '../../src/ops/index.js';
import { resolveAttrs } from '../../src/ops/op.js';
import { execute } from '../../src/reference/execute.js';
import { compareTensors } from '../conformance/runner.js';
import { buildNodeModel, float, type OnnxAttr } from '../util/onnx-builder.js';
import { runOrt } from '../util/onnx-ort.js';
import { assertCompiledMatches } from './compiled-outputs.js';
import { rand } from './data-ort.js';
import { inferNode } from './nn-helpers.js';

type Input = readonly [name: string, value: Tensor] | undefined;

/** One node with every given input fed; Kiln's reference must match ORT and the compiled model the reference. */
async function check(op: string, inputs: readonly Input[], attrs: Readonly<Record<string, OnnxAttr>>, outputs: readonly string[], opset: number,
  withOrt = true): Promise<void> {
  const given = inputs.filter((i): i is readonly [string, Tensor] => i !== undefined);
  const build = (types: readonly DType[]) => buildNodeModel({
    op, opset, attrs,
    inputs: given.map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })),
    nodeInputs: inputs.map((i) => i?.[0] ?? ''),
    outputs: outputs.map((name, k) => ({ name, dtype: types[k] ?? 'float32' })).filter((o) => o.name),
  });
  const g = importOnnx(build([]), `${op}.onnx`);
  const feeds = Object.fromEntries(given);
  const model = build(outputs.map((o) => (o ? g.values.get(o)!.dtype : 'float32')));
  const what = `${op} ${JSON.stringify(attrs)} on ${given.map(([n, t]) => `${n}[${t.shape.join(',')}]`).join(' ')}`;
  const want = withOrt ? await runOrt(model, feeds) : new Map<string, Tensor>(), got = execute(g, feeds);
  if (withOrt) for (const o of g.outputs) assert.equal(compareTensors(got.get(o)!, want.get(o)!, { rtol: 1e-4, atol: 1e-5 }), undefined, `${what}: ${o} vs onnxruntime`);
  await assertCompiledMatches(g, feeds, what, 1e-5);
}

const bools = (shape: number[], seed: number) => Tensor.from('bool', shape, rand(shape, seed).toArray().map((v) => (v > -0.6 ? 1 : 0)));

test('Attention 4-D: plain, scaled, float and bool masks (broadcast, shorter than the keys), causal', async () => {
  const q = rand([2, 3, 4, 8], 1), k = rand([2, 3, 6, 8], 2), v = rand([2, 3, 6, 5], 3);
  await check('Attention', [['Q', q], ['K', k], ['V', v]], {}, ['Y'], 23);
  await check('Attention', [['Q', q], ['K', k], ['V', v], ['mask', rand([4, 6], 4)]], { scale: float(0.3) }, ['Y'], 23);
  await check('Attention', [['Q', q], ['K', k], ['V', v], ['mask', bools([2, 1, 4, 6], 5)]], { is_causal: 1 }, ['Y', '', '', 'qk'], 23);
  await check('Attention', [['Q', q], ['K', k], ['V', v], ['mask', bools([3, 4, 6], 6)]], { qk_matmul_output_mode: 2 }, ['Y', '', '', 'qk'], 23);
  // onnxruntime wants the mask as long as the keys; the spec pads a shorter one with disallowed keys
  await check('Attention', [['Q', q], ['K', k], ['V', v], ['mask', bools([3, 4, 4], 6)]], { qk_matmul_output_mode: 2 }, ['Y', '', '', 'qk'], 23, false);
});

test('Attention 3-D grouped-query heads with past/present, causal offset by the cache, softcap, output modes', async () => {
  const q = rand([2, 3, 12], 10), k = rand([2, 3, 6], 11), v = rand([2, 3, 4], 12);
  const pk = rand([2, 2, 4, 3], 13), pv = rand([2, 2, 4, 2], 14);
  for (const mode of [0, 1, 2, 3]) {
    await check('Attention', [['Q', q], ['K', k], ['V', v], undefined, ['pk', pk], ['pv', pv]],
      // onnxruntime leaves the causal frontier out of the mode-2 scores, the spec (and its conformance cases) not
      { q_num_heads: 4, kv_num_heads: 2, is_causal: mode === 2 ? 0 : 1, softcap: float(mode ? 0.8 : 0), qk_matmul_output_mode: mode }, ['Y', 'present_k', 'present_v', 'qk'], 23);
  }
});

test('Attention: nonpad_kv_seqlen (external cache) with causal frontier per batch, fully masked rows give zeros', async () => {
  const q = rand([2, 2, 3, 4], 20), k = rand([2, 2, 5, 4], 21), v = rand([2, 2, 5, 4], 22);
  await check('Attention', [['Q', q], ['K', k], ['V', v], undefined, undefined, undefined, ['lens', Tensor.from('int64', [2], [4, 5])]], { is_causal: 1 }, ['Y'], 24);
  // every key of query row 1 masked out
  const mask = Tensor.from('bool', [3, 5], [1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  await check('Attention', [['Q', q], ['K', k], ['V', v], ['mask', mask]], { qk_matmul_output_mode: 3 }, ['Y', '', '', 'qk'], 23);
});

test('RotaryEmbedding: 4-D and 3-D, with and without position_ids, partial and interleaved rotation', async () => {
  const pos = Tensor.from('int64', [2, 3], [0, 4, 2, 5, 1, 3]);
  for (const interleaved of [0, 1]) {
    await check('RotaryEmbedding', [['X', rand([2, 2, 3, 8], 30)], ['cos', rand([6, 4], 31)], ['sin', rand([6, 4], 32)], ['pos', pos]], { interleaved }, ['Y'], 23);
    await check('RotaryEmbedding', [['X', rand([2, 3, 12], 33)], ['cos', rand([2, 3, 2], 34)], ['sin', rand([2, 3, 2], 35)]],
      { interleaved, num_heads: 2, rotary_embedding_dim: 4 }, ['Y'], 23);
  }
});

test('attention inference: output shapes, ShapeError naming the bad shapes', () => {
  const f32 = (shape: (number | string)[]) => ({ dtype: 'float32' as const, shape });
  const [y, pk, pv, qk] = inferNode('Attention', [f32(['N', 5, 12]), f32(['N', 7, 6]), f32(['N', 7, 4]), undefined, f32(['N', 2, 'P', 3]), f32(['N', 2, 'P', 2])],
    { q_num_heads: 4, kv_num_heads: 2 }, 4);
  assert.deepEqual([y.shape, pk.shape, pv.shape, qk.shape], [['N', 5, 8], ['N', 2, 'P+7', 3], ['N', 2, 'P+7', 2], ['N', 4, 5, 'P+7']]);
  assert.throws(() => inferNode('Attention', [f32([1, 3, 4, 8]), f32([1, 2, 4, 8]), f32([1, 2, 4, 8])]), (e: Error) => e instanceof ShapeError && /3 query heads/.test(e.message));
  assert.throws(() => inferNode('Attention', [f32([1, 4, 8]), f32([1, 4, 8]), f32([1, 4, 8])]), (e: Error) => e instanceof ShapeError && /q_num_heads/.test(e.message));
  assert.throws(() => inferNode('Attention', [f32([1, 2, 4, 8]), f32([1, 2, 6, 8]), f32([1, 2, 6, 8]), f32([3, 4, 6])]), ShapeError);
  assert.throws(() => inferNode('RotaryEmbedding', [f32([1, 2, 3, 8]), f32([1, 3, 3]), f32([1, 3, 3])]), ShapeError);
});

test('macs: Attention counts both products, LSTM both projections of every step', () => {
  const f32 = (shape: number[]) => ({ dtype: 'float32' as const, shape });
  const att = opDef('Attention')!, lstm = opDef('LSTM')!;
  const attInputs = [f32([2, 4, 3, 8]), f32([2, 2, 5, 8]), f32([2, 2, 5, 6])];
  const defaults = (def: typeof att) => resolveAttrs(def.attrs, {});
  assert.equal(att.macs!({ attrs: defaults(att), inputs: attInputs, outputs: [] } as never), 2 * 4 * 3 * 5 * (8 + 6));
  const lstmInputs = [f32([7, 2, 3]), f32([2, 20, 3]), f32([2, 20, 5])];
  assert.equal(lstm.macs!({ attrs: defaults(lstm), inputs: lstmInputs, outputs: [f32([7, 2, 2, 5])] } as never), 7 * 2 * 2 * 5 * 4 * (3 + 5));
});
