// Silero VAD (the ONNX models the @ricky0123/vad-web package ships) run as a streaming detector:
// 100 frames of audio, each call fed the recurrent state the previous call returned, on Kiln's
// reference executor and on onnxruntime-node side by side. The models branch on the sample rate
// and on their input's shape with If; the LSTM state carries from frame to frame.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { compile } from '../../src/compile/compile.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { subgraphsOf } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { REPO_ROOT } from '../fixtures/fixtures.js';
import { fromOrt, toOrt } from '../util/onnx-ort.js';

const DIST = join(REPO_ROOT, 'node_modules/@ricky0123/vad-web/dist');
const FRAMES = 100;

/** Speech-like audio: seeded noise, with voiced bursts (harmonics of a wandering pitch) every few frames. */
function audioFrame(frame: number, samples: number, rate: number): Tensor {
  let seed = 0x9e3779b9 ^ frame;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const voiced = Math.floor(frame / 12) % 2 === 1;
  const pitch = 120 + 40 * Math.sin(frame / 7);
  const data = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = (frame * samples + i) / rate;
    const voice = voiced ? [1, 2, 3, 4].reduce((s, h) => s + Math.sin(2 * Math.PI * pitch * h * t) / h, 0) * 0.3 : 0;
    data[i] = voice + 0.01 * noise();
  }
  return new Tensor('float32', [1, samples], data);
}

/** The largest difference relative to the value's size (at least 1): the LSTM cell state grows past 10. */
const maxDiff = (a: Tensor, b: Tensor) => a.toArray().reduce((m, v, i) => Math.max(m, Math.abs(v - b.numbers[i]) / Math.max(1, Math.abs(b.numbers[i]))), 0);

interface Variant {
  readonly file: string;
  readonly rate: number;
  readonly samples: number;
  /** Freeze the sample-rate input at import (the model then has no If on it). */
  readonly freezeRate?: boolean;
  /** The recurrent state inputs, the outputs that feed them back, and their zero start. */
  readonly state: readonly { readonly input: string; readonly output: string; readonly shape: readonly number[] }[];
}

const VARIANTS: readonly Variant[] = [
  // with a 512-sample frame the 8 kHz branch does not even type: the rate frozen at import (--freeze sr) picks the branch there
  { file: 'silero_vad_v5.onnx', rate: 16000, samples: 512, freezeRate: true, state: [{ input: 'state', output: 'stateN', shape: [2, 1, 128] }] },
  { file: 'silero_vad_v5.onnx', rate: 8000, samples: 256, state: [{ input: 'state', output: 'stateN', shape: [2, 1, 128] }] },
  {
    file: 'silero_vad_legacy.onnx', rate: 16000, samples: 1536,
    state: [{ input: 'h', output: 'hn', shape: [2, 1, 64] }, { input: 'c', output: 'cn', shape: [2, 1, 64] }],
  },
];

for (const v of VARIANTS) {
  const path = join(DIST, v.file);
  test(`${v.file} at ${v.rate} Hz, ${FRAMES} frames with its state fed back, agrees with onnxruntime-node`, { skip: !existsSync(path) && 'no @ricky0123/vad-web' }, async () => {
    const bytes = readFileSync(path);
    // the models branch on dims of their inputs (to squeeze one of 1) with branches of different
    // ranks: the frame's shapes, given at import as `kiln run --shape` does, decide those Ifs there
    const shapes = { input: [1, v.samples], ...Object.fromEntries(v.state.map((s) => [s.input, s.shape])) };
    const sr = Tensor.scalar('int64', v.rate);
    const g = importOnnx(bytes, path, { shapes, values: v.freezeRate ? { sr } : {} });
    assert.equal(g.nodes.some((n) => subgraphsOf(n).length), !v.freezeRate, 'the model branches with If on the sample rate unless it is frozen');
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    try {
      let kilnState = v.state.map((s) => Tensor.zeros('float32', s.shape));
      let ortState = kilnState;
      let worstProb = 0, worstState = 0, speech = 0;
      for (let f = 0; f < FRAMES; f++) {
        const input = audioFrame(f, v.samples, v.rate);
        const feeds = (state: readonly Tensor[]) => ({ input, ...Object.fromEntries(v.state.map((s, i) => [s.input, state[i]])) });
        const got = execute(g, v.freezeRate ? feeds(kilnState) : { ...feeds(kilnState), sr });
        const res = await session.run(Object.fromEntries(Object.entries({ ...feeds(ortState), sr }).map(([k, t]) => [k, toOrt(t)])));
        const want = new Map(session.outputNames.map((n) => [n, fromOrt(res[n])]));
        const prob = got.get('output')!, wantProb = want.get('output')!;
        assert.deepEqual(prob.shape, wantProb.shape);
        worstProb = Math.max(worstProb, maxDiff(prob, wantProb));
        if (wantProb.numbers[0] > 0.5) speech++;
        kilnState = v.state.map((s) => got.get(s.output)!);
        ortState = v.state.map((s) => want.get(s.output)!);
        worstState = Math.max(worstState, ...kilnState.map((t, i) => maxDiff(t, ortState[i])));
      }
      assert.ok(worstProb < 1e-4, `speech probability differs by ${worstProb}`);
      assert.ok(worstState < 1e-4, `state differs by ${worstState}`);
      // the audio alternates silence and voice: a detector that agrees on it must see both
      assert.ok(speech > 0 && speech < FRAMES, `onnxruntime calls ${speech} of ${FRAMES} frames speech`);
    } finally {
      await session.release();
    }
  });
}

test(`silero_vad_v5.onnx compiled with the sample rate frozen (its Ifs fold away) agrees with onnxruntime-node over ${FRAMES} frames`, { skip: !existsSync(join(DIST, 'silero_vad_v5.onnx')) && 'no @ricky0123/vad-web' }, async () => {
  const path = join(DIST, 'silero_vad_v5.onnx');
  const bytes = readFileSync(path);
  const sr = Tensor.scalar('int64', 16000);
  const g = importOnnx(bytes, path, { shapes: { input: [1, 512], state: [2, 1, 128] }, values: { sr } });
  const compiled = await load((await compile(g)).bytes);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    let state = new Float32Array(2 * 128);
    let ortState = Tensor.zeros('float32', [2, 1, 128]);
    let worst = 0;
    for (let f = 0; f < FRAMES; f++) {
      const input = audioFrame(f, 512, 16000);
      const got = await compiled.run({ input: input.numbers as Float32Array, state });
      const res = await session.run({ input: toOrt(input), state: toOrt(ortState), sr: toOrt(sr) });
      const want = fromOrt(res.output);
      worst = Math.max(worst, Math.abs((got.output.data as Float32Array)[0] - want.numbers[0]));
      state = Float32Array.from(got.stateN.data as Float32Array);
      ortState = fromOrt(res.stateN);
    }
    assert.ok(worst < 1e-4, `speech probability differs by ${worst}`);
  } finally {
    await session.release();
  }
});
