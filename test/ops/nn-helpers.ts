// Test helpers for the neural-network op families: run or infer one node through the real
// graph pipeline (builder, shape inference, verifier, executor), compare tensors, and
// check one ONNX node against onnxruntime-node.
import assert from 'node:assert/strict';
import type { Attrs, ValueInfo } from '../../src/ir/graph.js';
import { GraphBuilder } from '../../src/ir/graph.js';
import { fmtShape } from '../../src/ir/shape.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { randomTensor, rng } from '../../src/io/random.js';
import type { DType } from '../../src/ir/dtype.js';
import { buildNodeModel, type OnnxAttr } from '../util/onnx-builder.js';
import { runKiln, runOrt } from '../util/onnx-ort.js';

/** One node whose inputs are graph inputs of the given types ('' for an omitted optional input). */
function oneNode(op: string, inputs: readonly (ValueInfo | undefined)[], attrs: Attrs, outputs: number) {
  const b = new GraphBuilder(op, { format: 'test' });
  const names = inputs.map((t, i) => (t ? b.addInput(`in${i}`, t) : ''));
  const outs = b.addNode(op, names, attrs, { outputs });
  b.setOutputs(outs);
  const g = inferShapes(b.build());
  verifyGraph(g, opDef);
  return { g, names, outs };
}

/** Output types of one node, as shape inference computes them. */
export function inferNode(op: string, inputs: readonly (ValueInfo | undefined)[], attrs: Attrs = {}, outputs = 1): ValueInfo[] {
  const { g, outs } = oneNode(op, inputs, attrs, outputs);
  return outs.map((o) => g.values.get(o)!);
}

/** Runs one node on the reference executor; checks the result against the inferred types. */
export function runNode(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const { g, names, outs } = oneNode(op, inputs.map((t) => t && { dtype: t.dtype, shape: t.shape }), attrs, outputs);
  const feeds = Object.fromEntries(names.flatMap((n, i) => (n ? [[n, inputs[i]!]] : [])));
  const result = execute(g, feeds);
  return outs.map((o) => {
    const t = result.get(o)!;
    assert.deepEqual(t.shape, g.values.get(o)!.shape, `${op}: run shape differs from inferred shape`);
    return t;
  });
}

/** Seeded float32 tensor in [-1, 1). */
export function rand(shape: readonly number[], seed: number): Tensor {
  return randomTensor('float32', shape, rng(seed), -1, 1);
}

/** Largest |a - e| / (atol + rtol*|e|) must stay <= 1; shapes must match exactly. */
export function assertClose(actual: Tensor, expected: Tensor, what: string, rtol = 1e-4, atol = 1e-5): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape ${fmtShape(actual.shape)} vs ${fmtShape(expected.shape)}`);
  const a = actual.numbers, e = expected.numbers;
  let worst = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - e[i]) / (atol + rtol * Math.abs(e[i]));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  assert.ok(worst <= 1, `${what}: element ${at} is ${a[at]}, expected ${e[at]}`);
}

/**
 * Runs one ONNX node on onnxruntime-node and, through Kiln's ONNX importer, on the reference
 * executor, and asserts every output agrees. Inputs are graph inputs (undefined: omitted).
 */
export async function matchesOrt(op: string, inputs: readonly (Tensor | undefined)[],
  attrs: Readonly<Record<string, OnnxAttr>>, outputs: readonly DType[] = ['float32'], tol = { rtol: 1e-4, atol: 1e-5 }): Promise<void> {
  const specs = inputs.flatMap((t, i) => (t ? [{ name: `in${i}`, dtype: t.dtype, shape: t.shape }] : []));
  const model = buildNodeModel({
    op, attrs, inputs: specs,
    nodeInputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: outputs.map((dtype, i) => ({ name: `out${i}`, dtype })),
  });
  const feeds = Object.fromEntries(specs.map((s, i) => [s.name, inputs.filter((t) => t)[i]!]));
  const want = await runOrt(model, feeds), got = runKiln(model, feeds);
  const what = `${op} ${JSON.stringify(attrs)} on ${inputs.map((t) => (t ? fmtShape(t.shape) : '-')).join(' ')}`;
  outputs.forEach((_, i) => assertClose(got.get(`out${i}`)!, want.get(`out${i}`)!, `${what} output ${i}`, tol.rtol, tol.atol));
}
