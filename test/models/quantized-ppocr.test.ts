// A quantised real model: PP-OCRv4 det with every Conv weight stored as int8 behind a
// DequantizeLinear (weight-only QDQ, as quantisation tools export) and its input passed through
// QuantizeLinear -> DequantizeLinear (uint8 activations). Kiln's reference and compiled engines
// run it against onnxruntime-node on the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compile } from '../../src/compile/compile.js';
import { withInputShapes } from '../../src/frontend/load.js';
import { decodeModel } from '../../src/frontend/onnx/import.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { onnxType } from '../../src/frontend/onnx/schema.js';
import { tensorFromProto, tensorToProto } from '../../src/frontend/onnx/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { Tensor } from '../../src/ir/tensor.js';
import { roundEven } from '../../src/ops/quantize-params.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { fromRuntimeTensor, toFeed } from '../../src/artifact/feeds.js';
import { ppocrDetModel } from '../fixtures/fixtures.js';
import { agreement } from '../util/agreement.js';
import { runOrt } from '../util/onnx-ort.js';

interface PlainNode { name: string; opType: string; domain: string; input: string[]; output: string[]; attribute: unknown[] }

/** The model with int8 per-tensor symmetric Conv weights behind DequantizeLinear, and a Q/DQ pair on input `x`. */
function quantise(bytes: Uint8Array): Uint8Array {
  const type = onnxType('ModelProto');
  const model = decodeModel(bytes, 'det.onnx');
  const g = model.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const front: PlainNode[] = [];
  const node = (opType: string, input: string[], output: string[]): PlainNode =>
    ({ name: `${output[0]}/${opType}`, opType, domain: '', input, output, attribute: [] });
  const added: object[] = [];
  const weights = new Set(g.node.filter((n) => n.opType === 'Conv' && inits.has(n.input[1])).map((n) => n.input[1]));
  for (const name of weights) {
    const w = tensorFromProto(inits.get(name)!, name);
    const peak = Math.max(...Array.from(w.numbers, Math.abs));
    const scale = Math.fround(peak / 127);
    added.push(tensorToProto(Tensor.from('int8', w.shape, Array.from(w.numbers, (v) => roundEven(v / scale))), `${name}_q`),
      tensorToProto(Tensor.scalar('float32', scale), `${name}_s`), tensorToProto(Tensor.scalar('int8', 0), `${name}_z`));
    front.push(node('DequantizeLinear', [`${name}_q`, `${name}_s`, `${name}_z`], [name]));
  }
  added.push(tensorToProto(Tensor.scalar('float32', 4 / 255), 'x_s'), tensorToProto(Tensor.scalar('uint8', 128), 'x_z'));
  front.push(node('QuantizeLinear', ['x', 'x_s', 'x_z'], ['x_q']), node('DequantizeLinear', ['x_q', 'x_s', 'x_z'], ['x_dq']));
  const plain = type.toObject(model as never, { arrays: true }) as { graph: { node: PlainNode[]; initializer: { name: string }[] } };
  plain.graph.initializer = [...plain.graph.initializer.filter((t) => !weights.has(t.name)), ...(added as { name: string }[])];
  plain.graph.node = [...front, ...plain.graph.node.map((n) => ({ ...n, input: n.input.map((i) => (i === 'x' ? 'x_dq' : i)) }))];
  return type.encode(type.fromObject(plain)).finish();
}

test('PP-OCRv4 det with int8 weights and a uint8 input (QDQ): both Kiln engines match onnxruntime-node', async () => {
  const model = quantise(readFileSync(ppocrDetModel()));
  const shape = [1, 3, 640, 640];
  const x = randomTensor('float32', shape, rng(1), -2, 2);
  const want = (await runOrt(model, { x }, false)).values().next().value!;
  const g = importOnnx(model, 'det-qdq.onnx');
  const counts = (op: string) => g.nodes.filter((n) => n.op === op).length;
  // the weights' DequantizeLinear nodes fold to float constants at import (their run is the fold); the input's pair stays
  assert.ok(counts('DequantizeLinear') === 1 && counts('QuantizeLinear') === 1, `the input's Q/DQ pair reaches the graph: ${counts('DequantizeLinear')} DQ, ${counts('QuantizeLinear')} Q`);
  const reference = execute(g, { x }).get(g.outputs[0])!;
  const session = await load((await compile(withInputShapes(g, { x: shape }), { target: 'wasm-simd' })).bytes);
  const compiled = fromRuntimeTensor((await session.run({ x: toFeed(x) }))[g.outputs[0]]);
  for (const [engine, got] of [['reference', reference], ['compiled', compiled]] as const) {
    assert.deepEqual(got.shape, want.shape, `${engine} shape`);
    const { maxMagnitude: peak, maxAbsError: worst } = agreement(got.numbers, want.numbers);
    assert.ok(peak > 0.1, `${engine}: the output should reach high probabilities, peak ${peak}`);
    // the same float convs as the float model, summed in another order: as tight as its test
    assert.ok(worst <= 1e-4 * peak, `${engine}: max |Kiln - ORT| = ${worst} exceeds 1e-4 of the peak ${peak}`);
  }
});
