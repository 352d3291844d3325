// Every op with a compute definition, as a one-node graph compiled for both wasm targets and run
// through the runtime, against the reference executor on the same inputs. Tolerance rtol 1e-5 /
// atol 1e-6: compiled reductions add in another order (vector lanes, then across them) and the
// wasm intrinsics are within a few ulp of Math.*, so bitwise equality is not the contract. Dot
// products (Conv, MatMul, Gemm) get atol 1e-5: their outputs near 0 are differences of terms
// near 4, where one float32 rounding of a term is already ~5e-7.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, type CompileTarget } from '../../src/compile/compile.js';
import { tensorBytes } from '../../src/artifact/layout.js';
import type { DType } from '../../src/ir/dtype.js';
import { GraphBuilder, type Attrs, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { OPS } from '../../src/ops/index.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { arrayClass } from '../../src/runtime/dtypes.js';

interface In { shape: number[]; dtype?: DType; values?: number[]; constant?: boolean; range?: [number, number] }
/** An undefined input is an omitted optional one. */
/**
 * `plus`: ops whose one-node graph folds to a constant (Shape, Range, ...) get output 0 added to a fed
 * input of this type, so there is a kernel to compile; their computes run in test/lower.
 */
interface Case { inputs: (In | undefined)[]; plus?: In; attrs?: Attrs; outputs?: number; atol?: number }

const X = (range?: [number, number]): In => ({ shape: [2, 3, 7], range });
const i64 = (values: number[]): In => ({ shape: [values.length], dtype: 'int64', values, constant: true });
const IMG: In = { shape: [1, 3, 9, 9] };
const unary = (range?: [number, number], dtype?: DType): Case => ({ inputs: [{ ...X(range), dtype }] });
const binary = (dtype?: DType, range?: [number, number]): Case => ({ inputs: [{ ...X(range), dtype }, { shape: [7], dtype, range }] });
const reduce: Case = { inputs: [X(), i64([1])], attrs: { keepdims: 0 } };
const POOL = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] };

const UNIT: [number, number] = [-0.9, 0.9], POSITIVE: [number, number] = [0.1, 3];
const int = (dtype: DType, shape: number[], constant = false): In =>
  ({ shape, dtype, constant, range: dtype === 'int8' ? [-128, 128] : dtype === 'uint8' ? [0, 256] : [-9000, 9000] });
const scalar = (value: number, dtype?: DType): In => ({ shape: [], dtype, values: [value], constant: true });
/** Quantised ops and the misc family (src/ops/quantize*.ts, misc.ts). */
const QUANT_CASES: Readonly<Record<string, Case>> = {
  QuantizeLinear: { inputs: [X([-4, 4]), { shape: [3], values: [0.02, 0.03, 0.05], constant: true }, { shape: [3], dtype: 'int8', values: [-3, 0, 7], constant: true }], attrs: { axis: 1 } },
  DequantizeLinear: { inputs: [int('int8', [2, 3, 7]), scalar(0.1), scalar(-5, 'int8')] },
  DynamicQuantizeLinear: { inputs: [X()], outputs: 3 },
  MatMulInteger: { inputs: [int('uint8', [2, 5, 6]), int('int8', [6, 8], true), scalar(128, 'uint8')] },
  QLinearMatMul: { inputs: [int('uint8', [5, 6]), scalar(0.02), scalar(120, 'uint8'), int('int8', [6, 8], true), scalar(0.01), scalar(0, 'int8'), scalar(0.05), scalar(130, 'uint8')] },
  ConvInteger: { inputs: [int('uint8', [1, 4, 9, 10]), int('uint8', [8, 4, 3, 3], true), scalar(100, 'uint8')], attrs: { pads: [1, 1, 1, 1] } },
  QLinearConv: { inputs: [int('uint8', [1, 4, 9, 10]), scalar(0.02), scalar(120, 'uint8'), int('int8', [8, 4, 3, 3], true),
    { shape: [8], values: [1, 2, 3, 4, 5, 6, 7, 8].map((v) => v / 500), constant: true }, { shape: [8], dtype: 'int8', values: new Array<number>(8).fill(0), constant: true },
    scalar(0.3), scalar(125, 'uint8'), int('int32', [8], true)], attrs: { pads: [1, 1, 1, 1], strides: [2, 1] } },
  CumProd: { inputs: [X([0.5, 1.5]), scalar(1, 'int64')], attrs: { exclusive: 1 } },
  CenterCropPad: { inputs: [X(), { shape: [2], dtype: 'int64', values: [5, 4], constant: true }], attrs: { axes: [1, 2] } },
  Dropout: { inputs: [X(), scalar(0.5), scalar(0, 'bool')], outputs: 2 },
};
const CASES: Readonly<Record<string, Case | readonly Case[]>> = {
  ...Object.fromEntries(['Abs', 'Neg', 'Floor', 'Ceil', 'Round', 'Exp', 'Sin', 'Cos', 'Tan', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Erf',
    'Sign', 'IsNaN', 'Relu', 'Sigmoid', 'HardSwish', 'Tanh', 'Softplus', 'Softsign', 'Mish', 'IsInf', 'LeakyRelu', 'Elu', 'Celu',
    'ThresholdedRelu', 'Selu', 'HardSigmoid', 'Gelu', 'Shrink', 'Identity', 'Reciprocal'].map((op) => [op, unary()])),
  ...Object.fromEntries(['Asin', 'Acos', 'Atanh'].map((op) => [op, unary(UNIT)])),
  ...Object.fromEntries(['Sqrt', 'Log'].map((op) => [op, unary(POSITIVE)])),
  Acosh: unary([1.1, 4]),
  Not: unary(undefined, 'bool'),
  BitwiseNot: unary([-100, 100], 'int32'),
  Clip: { inputs: [X(), { shape: [], values: [-0.5], constant: true }, { shape: [], values: [1], constant: true }] },
  Cast: { inputs: [X([-50, 50])], attrs: { to: 'int32' } },
  ...Object.fromEntries(['Add', 'Sub', 'Mul', 'Div', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'PRelu']
    .map((op) => [op, binary()])),
  Pow: binary(undefined, POSITIVE),
  Atan2: binary(undefined, [-3, 3]),
  ...Object.fromEntries(['And', 'Or', 'Xor'].map((op) => [op, binary('bool')])),
  ...Object.fromEntries(['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'].map((op) => [op, binary('int32', [-100, 100])])),
  Mod: { inputs: [{ ...X([-50, 50]), dtype: 'int32' }, { shape: [7], dtype: 'int32', values: [3, -4, 5, 7, -2, 9, 11], constant: true }] },
  ...Object.fromEntries(['Max', 'Min', 'Sum', 'Mean'].map((op) => [op, { inputs: [X(), { shape: [7] }, { shape: [3, 1] }] }])),
  Where: { inputs: [{ ...X(), dtype: 'bool' }, { shape: [7] }, X()] },
  ...Object.fromEntries(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2',
    'ReduceSumSquare', 'ReduceLogSumExp'].map((op) => [op, reduce])),
  ReduceLogSum: { inputs: [X(POSITIVE), i64([1])], attrs: { keepdims: 1 } },
  ArgMax: { inputs: [X()], attrs: { axis: 1, keepdims: 0 } },
  ArgMin: { inputs: [X()], attrs: { axis: -1 } },
  BitShift: { inputs: [{ ...X([0, 100]), dtype: 'uint8' }, { shape: [7], dtype: 'uint8', values: [0, 1, 2, 3, 1, 2, 0], constant: true }], attrs: { direction: 'LEFT' } },
  CumSum: { inputs: [X(), { shape: [], dtype: 'int64', values: [1], constant: true }] },
  Hardmax: { inputs: [X()], attrs: { axis: -1 } },
  LpNormalization: { inputs: [X()], attrs: { axis: -1, p: 2 } },
  Softmax: { inputs: [X()], attrs: { axis: -1 } },
  LogSoftmax: { inputs: [X()], attrs: { axis: 1 } },
  Conv: [
    { inputs: [{ shape: [1, 4, 9, 10] }, { shape: [8, 4, 3, 3], constant: true }, { shape: [8], constant: true }], attrs: { pads: [1, 1, 1, 1] }, atol: 1e-5 },
    { inputs: [{ shape: [1, 4, 13] }, { shape: [6, 2, 3], constant: true }], attrs: { pads: [1, 2], strides: [2], group: 2 }, atol: 1e-5 },
  ],
  ConvTranspose: [
    { inputs: [{ shape: [1, 4, 5, 6] }, { shape: [4, 8, 2, 2], constant: true }, { shape: [8], constant: true }], attrs: { strides: [2, 2] }, atol: 1e-5 },
    { inputs: [{ shape: [1, 4, 5, 7] }, { shape: [4, 3, 3, 3], constant: true }], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], group: 2 }, atol: 1e-5 },
    { inputs: [{ shape: [1, 3, 4, 5] }, { shape: [3, 4, 3, 2], constant: true }], attrs: { strides: [2, 1], dilations: [1, 2] }, atol: 1e-5 },
  ],
  MatMul: { inputs: [{ shape: [2, 5, 6] }, { shape: [6, 8], constant: true }], atol: 1e-5 },
  Einsum: [
    { inputs: [{ shape: [2, 4, 6] }, { shape: [2, 6, 8] }], attrs: { equation: 'bij,bjk->bik' }, atol: 1e-5 },
    { inputs: [{ shape: [3, 3] }, { shape: [3, 5] }], attrs: { equation: 'ii,ij->j' }, atol: 1e-5 },
  ],
  Shape: { inputs: [X()], attrs: { start: 1 }, plus: { shape: [2], dtype: 'int64' } },
  Size: { inputs: [X()], plus: { shape: [], dtype: 'int64' } },
  ConstantOfShape: { inputs: [i64([3, 5])], attrs: { value: Tensor.from('int32', [1], [-7]) }, plus: { shape: [3, 5], dtype: 'int32' } },
  Range: { inputs: [{ shape: [], values: [-1.3], constant: true }, { shape: [], values: [2.2], constant: true }, { shape: [], values: [0.3], constant: true }],
    plus: { shape: [12] } },
  EyeLike: { inputs: [{ shape: [4, 6] }], attrs: { k: 1 } },
  TopK: { inputs: [X(), i64([3])], attrs: { axis: -1 }, outputs: 2 },
  ScatterND: { inputs: [{ shape: [4, 5, 3] }, { shape: [2, 1], dtype: 'int64', values: [1, -1] }, { shape: [2, 5, 3] }], attrs: { reduction: 'add' } },
  ScatterElements: { inputs: [{ shape: [3, 5] }, { shape: [3, 3], dtype: 'int64', values: [0, 2, 4, -1, 1, 3, 2, 0, -5] }, { shape: [3, 3] }], attrs: { axis: 1 } },
  OneHot: { inputs: [{ shape: [2, 3], dtype: 'int64', values: [0, 4, -1, -5, 5, 2] }, { shape: [], dtype: 'int64', values: [5], constant: true },
    { shape: [2], values: [-1, 3] }], attrs: { axis: 1 } },
  Gemm: { inputs: [{ shape: [4, 6] }, { shape: [8, 6], constant: true }, { shape: [8], constant: true }], attrs: { transB: 1 }, atol: 1e-5 },
  BatchNormalization: [
    { inputs: [{ shape: [1, 4, 5, 5] }, ...[0, 1, 2].map(() => ({ shape: [4], constant: true })), { shape: [4], constant: true, range: POSITIVE }] },
    { inputs: [{ shape: [2, 4, 5, 5] }, ...[0, 1, 2].map(() => ({ shape: [4], constant: true })), { shape: [4], constant: true, range: POSITIVE }],
      attrs: { training_mode: 1 }, outputs: 3, atol: 1e-5 },
  ],
  GroupNormalization: { inputs: [{ shape: [1, 6, 5, 5] }, { shape: [6], constant: true }, { shape: [6], constant: true }], attrs: { num_groups: 3 }, atol: 1e-5 },
  MeanVarianceNormalization: { inputs: [{ shape: [2, 3, 4, 5] }], atol: 1e-5 },
  LRN: { inputs: [{ shape: [1, 5, 4, 6] }], attrs: { size: 3, alpha: 0.01 } },
  InstanceNormalization: { inputs: [{ shape: [1, 4, 5, 5] }, { shape: [4], constant: true }, { shape: [4], constant: true }] },
  LayerNormalization: { inputs: [{ shape: [2, 3, 8] }, { shape: [8], constant: true }, { shape: [8], constant: true }], attrs: { axis: -1 } },
  MaxPool: [{ inputs: [IMG], attrs: POOL }, { inputs: [IMG], attrs: { ...POOL, storage_order: 1 }, outputs: 2 }],
  AveragePool: { inputs: [IMG], attrs: POOL },
  LpPool: { inputs: [IMG], attrs: { ...POOL, p: 2 } },
  GlobalMaxPool: { inputs: [IMG] },
  GlobalAveragePool: { inputs: [IMG] },
  GlobalLpPool: { inputs: [IMG], attrs: { p: 2 } },
  Reshape: { inputs: [X(), i64([7, -1])] },
  Flatten: { inputs: [X()], attrs: { axis: 2 } },
  Squeeze: { inputs: [{ shape: [2, 1, 7] }, i64([1])] },
  Unsqueeze: { inputs: [X(), i64([1])] },
  Expand: { inputs: [{ shape: [3, 1] }, i64([2, 3, 5])] },
  Tile: { inputs: [X(), i64([2, 1, 3])] },
  Transpose: { inputs: [X()], attrs: { perm: [2, 0, 1] } },
  Concat: { inputs: [X(), { shape: [2, 2, 7] }], attrs: { axis: 1 } },
  Split: { inputs: [{ shape: [2, 4, 7] }, i64([1, 3])], attrs: { axis: 1 }, outputs: 2 },
  Slice: { inputs: [{ shape: [4, 9, 7] }, i64([1, 8]), i64([4, 0]), i64([0, 1]), i64([2, -3])] },
  Pad: { inputs: [X(), i64([0, 1, 0, 0, 2, 1])], attrs: { mode: 'reflect' } },
  DepthToSpace: { inputs: [{ shape: [1, 8, 2, 3] }], attrs: { blocksize: 2 } },
  SpaceToDepth: { inputs: [{ shape: [1, 2, 4, 6] }], attrs: { blocksize: 2 } },
  Trilu: { inputs: [{ shape: [2, 5, 6] }, { shape: [], dtype: 'int64', values: [1], constant: true }], attrs: { upper: 0 } },
  Gather: { inputs: [X(), i64([2, 0, 2])], attrs: { axis: 1 } },
  GatherElements: { inputs: [X(), { shape: [2, 2, 7], dtype: 'int64', values: Array.from({ length: 28 }, (_, i) => (i * 5) % 3), constant: true }], attrs: { axis: 1 } },
  Resize: [
    { inputs: [IMG, undefined, { shape: [4], values: [1, 1, 2, 2], constant: true }], attrs: { mode: 'nearest' } },
    { inputs: [IMG, undefined, { shape: [4], values: [1, 1, 1.5, 0.7], constant: true }], attrs: { mode: 'linear' } },
    { inputs: [IMG, { shape: [8], values: [0, 0, 0.1, -0.2, 1, 1, 0.9, 1.1], constant: true }, undefined, i64([1, 3, 6, 5])],
      attrs: { mode: 'cubic', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 3 } },
  ],
  GatherND: { inputs: [X(), { shape: [2, 2], dtype: 'int64', values: [1, 2, 0, 1], constant: true }] },
  RotaryEmbedding: [
    { inputs: [{ shape: [2, 2, 3, 8] }, { shape: [5, 4] }, { shape: [5, 4] }, { shape: [2, 3], dtype: 'int64', values: [0, 4, 2, 1, 3, 3] }] },
    { inputs: [{ shape: [2, 3, 12] }, { shape: [2, 3, 2] }, { shape: [2, 3, 2] }], attrs: { num_heads: 2, rotary_embedding_dim: 4, interleaved: 1 } },
  ],
  ...QUANT_CASES,
};

function oneNodeGraph(op: string, c: Case, seed: number): { g: Graph; feeds: Record<string, Tensor> } {
  const b = new GraphBuilder(op, { format: 'test' });
  const next = rng(seed);
  const feeds: Record<string, Tensor> = {};
  const names = c.inputs.map((s, i) => {
    if (!s) return '';
    const dtype = s.dtype ?? 'float32';
    const t = s.values ? Tensor.from(dtype, s.shape, s.values)
      : dtype === 'bool' ? Tensor.from('bool', s.shape, Array.from({ length: s.shape.reduce((a, d) => a * d, 1) }, () => (next() < 0.5 ? 1 : 0)))
      : randomTensor(dtype, s.shape, next, ...(s.range ?? [-2, 2]));
    if (s.constant) return b.addConstant(`c${i}`, t);
    feeds[`x${i}`] = t;
    return b.addInput(`x${i}`, { dtype, shape: s.shape });
  });
  const outs = b.addNode(op, names, c.attrs ?? {}, { outputs: c.outputs ?? 1 });
  if (c.plus) {
    feeds.plus = randomTensor(c.plus.dtype ?? 'float32', c.plus.shape, next, -50, 50);
    b.setOutputs(b.addNode('Add', [outs[0], b.addInput('plus', { dtype: c.plus.dtype ?? 'float32', shape: c.plus.shape })], {}));
  } else b.setOutputs(outs);
  return { g: inferShapes(b.build()), feeds };
}

const toRuntime = (t: Tensor) => {
  const bytes = tensorBytes(t);
  return new (arrayClass(t.dtype as never))(bytes.buffer, bytes.byteOffset, t.size);
};

async function checkCompiled(op: string, c: Case, target: CompileTarget): Promise<void> {
  const { g, feeds } = oneNodeGraph(op, c, op.length);
  const want = execute(g, feeds);
  const { bytes } = await compile(g, { target });
  const session = await load(bytes);
  const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toRuntime(t)])));
  for (const [name, w] of want) {
    const data = Array.from(got[name].data as ArrayLike<number | bigint>, Number);
    assert.deepEqual(got[name].shape, w.shape, `${op} ${name} shape`);
    w.numbers.forEach((x, i) => {
      const y = data[i];
      assert.ok(Object.is(x, y) || Math.abs(x - y) <= (c.atol ?? 1e-6) + 1e-5 * Math.abs(x), `${op} (${target}) ${name}[${i}]: compiled ${y}, reference ${x}`);
    });
  }
}

const COMPILABLE = Object.entries(OPS).filter(([, d]) => d.compute).map(([op]) => op).sort();

describe('every op with a compute definition compiles and runs as the reference executor does', () => {
  it('has a case for each such op', () => {
    assert.deepEqual(COMPILABLE.filter((op) => !CASES[op]), [], 'ops with a compute definition but no case here: add one');
  });
  for (const op of COMPILABLE.filter((o) => CASES[o])) {
    it(op, async () => {
      for (const c of [CASES[op]].flat()) {
        for (const target of ['wasm-simd', 'wasm'] as const) await checkCompiled(op, c, target);
      }
    });
  }
});
