// Differential check of one node against onnxruntime-node for the data-movement op tests:
// the same single-node ONNX model runs on both engines; outputs must agree and match the
// shapes Kiln inferred.
import assert from 'node:assert/strict';
import type { DType } from '../../src/ir/dtype.js';
import { fmtShape, isStatic, numel } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { execute } from '../../src/reference/execute.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { compareTensors, type Tolerance } from '../conformance/runner.js';
import { buildNodeModel, type OnnxAttr } from '../util/onnx-builder.js';
import { runOrt } from '../util/onnx-ort.js';

export interface CheckOptions {
  readonly outputs?: number;
  /** Input positions fed at run time; the others are initializers. Default: only input 0. */
  readonly fed?: readonly number[];
  readonly tolerance?: Tolerance;
  readonly opset?: number;
}

/** Runs `op` on both engines; undefined inputs are omitted optional inputs. Returns Kiln's outputs. */
export async function ortCheck(op: string, inputs: readonly (Tensor | undefined)[],
  attrs: Readonly<Record<string, OnnxAttr>> = {}, opts: CheckOptions = {}): Promise<Tensor[]> {
  const fed = new Set(opts.fed ?? [0]);
  const name = (i: number) => (fed.has(i) ? `in${i}` : `init${i}`);
  const present = inputs.flatMap((t, i) => (t ? [{ t, i }] : []));
  const build = (outTypes: readonly DType[]) => buildNodeModel({
    op,
    inputs: present.filter(({ i }) => fed.has(i)).map(({ t, i }) => ({ name: name(i), dtype: t.dtype, shape: t.shape })),
    initializers: Object.fromEntries(present.filter(({ i }) => !fed.has(i)).map(({ t, i }) => [name(i), t])),
    nodeInputs: inputs.map((t, i) => (t ? name(i) : '')),
    outputs: outTypes.map((dtype, k) => ({ name: `out${k}`, dtype })),
    attrs,
    opset: opts.opset,
  });
  // Kiln ignores declared output types; its inference gives the ones ORT insists on
  const g = importOnnx(build(new Array<DType>(opts.outputs ?? 1).fill('float32')), `${op}.onnx`);
  const feeds = Object.fromEntries(present.filter(({ i }) => fed.has(i)).map(({ t, i }) => [name(i), t]));
  const expected = await runOrt(build(g.outputs.map((o) => g.values.get(o)!.dtype)), feeds);
  const got = execute(g, feeds);
  const what = `${op} ${JSON.stringify(attrs, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`;
  return g.outputs.map((o, k) => {
    const actual = got.get(o)!;
    const inferred = g.values.get(o)!.shape;
    if (isStatic(inferred)) assert.deepEqual(actual.shape, inferred, `${what}: ran ${fmtShape(actual.shape)}, inferred ${fmtShape(inferred)}`);
    const diff = compareTensors(actual, expected.get(`out${k}`)!, opts.tolerance);
    assert.equal(diff, undefined, `${what} output ${k}: ${diff}`);
    return actual;
  });
}

/** Seeded float32 tensor in [-1, 1). */
export function rand(shape: readonly number[], seed: number, dtype: DType = 'float32'): Tensor {
  return randomTensor(dtype, shape, rng(seed), -1, 1);
}

/** Seeded integer tensor in [lo, hi). */
export function randInt(dtype: DType, shape: readonly number[], seed = 1, lo = -50, hi = 50): Tensor {
  const next = rng(seed);
  return Tensor.from(dtype, shape, Array.from({ length: numel(shape) }, () => lo + Math.floor(next() * (hi - lo))));
}
