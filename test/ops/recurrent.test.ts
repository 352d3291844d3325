// RNN, GRU and LSTM against onnxruntime-node (reference kernel) and compiled through the
// expand pass against the reference: directions, sequence_lens, peepholes, clip,
// activations with alpha/beta, input_forget, linear_before_reset, layout 1, omitted outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { rng } from '../../src/io/random.js';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { compareTensors } from '../conformance/runner.js';
import { buildNodeModel, float, floats, type OnnxAttr } from '../util/onnx-builder.js';
import { runOrt } from '../util/onnx-ort.js';
import { assertCompiledMatches } from './compiled-outputs.js';
import { rand } from './data-ort.js';
import { inferNode } from './nn-helpers.js';

const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;
/** Inputs fed at run time; the weights are initializers, as in real models. */
const FED = new Set(['X', 'sequence_lens', 'initial_h', 'initial_c']);
const NAMES = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];

interface Case {
  readonly op: keyof typeof GATES;
  readonly seq: number; readonly batch: number; readonly input: number; readonly hidden: number;
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
  /** Which optional inputs to give. */
  readonly with?: readonly ('B' | 'sequence_lens' | 'initial_h' | 'initial_c' | 'P')[];
  readonly lens?: readonly number[];
  /** Output names, '' for an omitted one. */
  readonly outputs?: readonly string[];
  /** Compare with ORT (it has no layout 1 on CPU). */
  readonly ort?: boolean;
}

function tensors(c: Case, seed: number): (Tensor | undefined)[] {
  const dirs = c.attrs?.direction === 'bidirectional' ? 2 : 1, gh = GATES[c.op] * c.hidden;
  const batchMajor = c.attrs?.layout === 1;
  const state = batchMajor ? [c.batch, dirs, c.hidden] : [dirs, c.batch, c.hidden];
  const has = (k: string) => (c.with ?? []).includes(k as never);
  const all = [
    rand(batchMajor ? [c.batch, c.seq, c.input] : [c.seq, c.batch, c.input], seed),
    rand([dirs, gh, c.input], seed + 1), rand([dirs, gh, c.hidden], seed + 2),
    has('B') ? rand([dirs, 2 * gh], seed + 3) : undefined,
    has('sequence_lens') ? Tensor.from('int32', [c.batch], c.lens ?? []) : undefined,
    has('initial_h') ? rand(state, seed + 4) : undefined,
    has('initial_c') ? rand(state, seed + 5) : undefined,
    has('P') ? rand([dirs, 3 * c.hidden], seed + 6) : undefined,
  ];
  return all.slice(0, c.op === 'LSTM' ? 8 : 6);
}

async function check(c: Case, seed: number): Promise<void> {
  const inputs = tensors(c, seed);
  const present = inputs.flatMap((t, i) => (t ? [{ t, name: NAMES[i] }] : []));
  const outputs = c.outputs ?? (c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);
  let trimmed = inputs.length;
  while (trimmed > 3 && !inputs[trimmed - 1]) trimmed--;
  const model = buildNodeModel({
    op: c.op,
    inputs: present.filter((p) => FED.has(p.name)).map(({ t, name }) => ({ name, dtype: t.dtype, shape: t.shape })),
    initializers: Object.fromEntries(present.filter((p) => !FED.has(p.name)).map(({ t, name }) => [name, t])),
    nodeInputs: inputs.slice(0, trimmed).map((t, i) => (t ? NAMES[i] : '')),
    outputs: outputs.filter((o) => o).map((name) => ({ name, dtype: 'float32' })),
    attrs: { hidden_size: c.hidden, ...c.attrs },
    opset: 22,
  });
  const feeds = Object.fromEntries(present.filter((p) => FED.has(p.name)).map(({ t, name }) => [name, t]));
  const what = `${c.op} ${JSON.stringify(c.attrs ?? {})} with ${(c.with ?? []).join(',')}`;
  const g = importOnnx(model, `${c.op}.onnx`);
  if (c.ort !== false) {
    const want = await runOrt(model, feeds), got = execute(g, feeds);
    for (const o of g.outputs) assert.equal(compareTensors(got.get(o)!, want.get(o)!), undefined, `${what}: ${o} vs onnxruntime`);
  }
  await assertCompiledMatches(g, feeds, what, 1e-5);
}

test('LSTM: bidirectional with sequence_lens, peepholes, initial states and bias', async () => {
  await check({ op: 'LSTM', seq: 5, batch: 3, input: 4, hidden: 6, attrs: { direction: 'bidirectional' },
    with: ['B', 'sequence_lens', 'initial_h', 'initial_c', 'P'], lens: [5, 2, 3] }, 1);
  await check({ op: 'LSTM', seq: 4, batch: 2, input: 3, hidden: 5, attrs: { direction: 'reverse' }, with: ['B', 'P'] }, 2);
});

test('LSTM: clip, input_forget, activations with alpha/beta, omitted outputs', async () => {
  await check({ op: 'LSTM', seq: 3, batch: 2, input: 3, hidden: 4,
    attrs: { clip: float(0.7), input_forget: 1, activations: ['HardSigmoid', 'ScaledTanh', 'Softsign'], activation_alpha: floats([0.3, 1.5]), activation_beta: floats([0.4, 0.8]) },
    with: ['B', 'initial_h'] }, 3);
  await check({ op: 'LSTM', seq: 3, batch: 2, input: 3, hidden: 4, outputs: ['', 'Y_h'], with: ['B'] }, 4);
  await check({ op: 'LSTM', seq: 3, batch: 2, input: 3, hidden: 4, outputs: ['Y', '', 'Y_c'], with: ['initial_c'] }, 5);
});

test('GRU: linear_before_reset 0 and 1, both directions with sequence_lens', async () => {
  for (const lbr of [0, 1]) {
    await check({ op: 'GRU', seq: 6, batch: 3, input: 5, hidden: 4, attrs: { direction: 'bidirectional', linear_before_reset: lbr },
      with: ['B', 'sequence_lens', 'initial_h'], lens: [1, 6, 4] }, 10 + lbr);
    await check({ op: 'GRU', seq: 3, batch: 2, input: 2, hidden: 3, attrs: { linear_before_reset: lbr, activations: ['Sigmoid', 'Relu'] } }, 12 + lbr);
  }
});

test('RNN: reverse with sequence_lens, Relu and LeakyRelu, clip', async () => {
  await check({ op: 'RNN', seq: 5, batch: 2, input: 3, hidden: 4, attrs: { direction: 'reverse', activations: ['Relu'] },
    with: ['B', 'sequence_lens', 'initial_h'], lens: [3, 5] }, 20);
  await check({ op: 'RNN', seq: 4, batch: 3, input: 2, hidden: 3,
    attrs: { direction: 'bidirectional', activations: ['LeakyRelu', 'Tanh'], activation_alpha: floats([0.2]), clip: float(1.5) }, with: ['B'] }, 21);
});

test('layout 1 (batch-major) equals layout 0 on transposed tensors', async () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    const c: Case = { op, seq: 4, batch: 3, input: 2, hidden: 3, attrs: { direction: 'bidirectional', layout: 1 },
      with: ['B', 'sequence_lens', 'initial_h'], lens: [4, 1, 2], ort: false };
    await check(c, 30);
    const [x, w, r, b, lens, h0] = tensors(c, 30);
    const t = (v: Tensor, perm: number[]) => execute(importOnnx(buildNodeModel({ op: 'Transpose', inputs: [{ name: 'v', dtype: 'float32', shape: v.shape }], outputs: [{ name: 'o', dtype: 'float32' }], attrs: { perm } }), 't.onnx'), { v }).get('o')!;
    const run = (attrs: Record<string, number | string>, ins: (Tensor | undefined)[]) => execute(importOnnx(buildNodeModel({
      op, inputs: ins.flatMap((v, i) => (v ? [{ name: NAMES[i], dtype: v.dtype, shape: v.shape }] : [])), nodeInputs: ins.map((v, i) => (v ? NAMES[i] : '')),
      outputs: [{ name: 'Y', dtype: 'float32' }, { name: 'Y_h', dtype: 'float32' }], attrs: { hidden_size: 3, direction: 'bidirectional', ...attrs }, opset: 22,
    }), 'm.onnx'), Object.fromEntries(ins.flatMap((v, i) => (v ? [[NAMES[i], v]] : []))));
    const batchMajor = run({ layout: 1 }, [x, w, r, b, lens, h0]);
    const seqMajor = run({}, [t(x!, [1, 0, 2]), w, r, b, lens, t(h0!, [1, 0, 2])]);
    assert.equal(compareTensors(batchMajor.get('Y')!, t(seqMajor.get('Y')!, [2, 0, 1, 3])), undefined, `${op} Y`);
    assert.equal(compareTensors(batchMajor.get('Y_h')!, t(seqMajor.get('Y_h')!, [1, 0, 2])), undefined, `${op} Y_h`);
  }
});

test('recurrent inference: shapes of every layout, ShapeError naming the bad input', () => {
  const f32 = (shape: (number | string)[]) => ({ dtype: 'float32' as const, shape });
  const [y, yh, yc] = inferNode('LSTM', [f32(['T', 'N', 3]), f32([2, 16, 3]), f32([2, 16, 4])], { direction: 'bidirectional' }, 3);
  assert.deepEqual([y.shape, yh.shape, yc.shape], [['T', 2, 'N', 4], [2, 'N', 4], [2, 'N', 4]]);
  assert.deepEqual(inferNode('GRU', [f32([5, 2, 3]), f32([1, 12, 3]), f32([1, 12, 4])], { layout: 1 }, 2)[0].shape, [5, 2, 1, 4]);
  assert.throws(() => inferNode('GRU', [f32([5, 2, 3]), f32([1, 12, 3]), f32([1, 12, 5])], {}, 2), (e: Error) => e instanceof ShapeError && /R \[1,12,5\]/.test(e.message));
  assert.throws(() => inferNode('RNN', [f32([5, 2, 3]), f32([1, 4, 3]), f32([1, 4, 4])], { direction: 'bidirectional' }), ShapeError);
});

test('random sizes and options: each op against onnxruntime and compiled', async () => {
  const next = rng(77);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  for (let i = 0; i < 9; i++) {
    const op = (['RNN', 'GRU', 'LSTM'] as const)[i % 3];
    const seq = int(1, 7), batch = int(1, 4);
    const optional = ['B', 'sequence_lens', 'initial_h', ...(op === 'LSTM' ? ['initial_c', 'P'] as const : [])] as const;
    const attrs: Record<string, OnnxAttr> = { direction: pick(['forward', 'reverse', 'bidirectional']) };
    if (op === 'GRU') attrs.linear_before_reset = int(0, 1);
    if (next() < 0.3) attrs.clip = float(0.5 + next());
    await check({
      op, seq, batch, input: int(1, 6), hidden: int(1, 6), attrs,
      with: optional.filter(() => next() < 0.6), lens: Array.from({ length: batch }, () => int(1, seq)),
    }, 100 + i);
  }
});
