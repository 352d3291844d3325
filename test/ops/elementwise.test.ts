// Elementwise kernels: shape/dtype inference with symbolic dims, and kernels differentially
// against onnxruntime-node on single-node models (odd broadcasts, integer dtypes, attributes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type Attrs, type ValueInfo } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { GraphError, ShapeError, UnsupportedError } from '../../src/errors.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { dtype, float, type FloatAttr } from '../util/onnx-builder.js';
import { ortCheck, randInt } from './data-ort.js';

/** The inferred type of a one-node graph's output. */
function inferOne(op: string, inputs: readonly ValueInfo[], attrs: Attrs = {}): ValueInfo {
  const b = new GraphBuilder(op, { format: 'test' });
  const names = inputs.map((info, i) => b.addInput(`x${i}`, info));
  const y = b.add1(op, names, attrs);
  b.setOutputs([y]);
  return inferShapes(b.build()).values.get(y)!;
}

test('broadcast inference keeps symbolic dims and lets known dims win over 1', () => {
  assert.deepEqual(inferOne('Add', [{ dtype: 'float32', shape: ['N', 3, 1] }, { dtype: 'float32', shape: [4] }]),
    { dtype: 'float32', shape: ['N', 3, 4] });
  assert.deepEqual(inferOne('Where', [
    { dtype: 'bool', shape: [1, 'T'] }, { dtype: 'int64', shape: ['B', 1] }, { dtype: 'int64', shape: [] }]),
  { dtype: 'int64', shape: ['B', 'T'] });
  assert.deepEqual(inferOne('Max', [
    { dtype: 'float32', shape: [2, 1, 1] }, { dtype: 'float32', shape: ['H', 1] }, { dtype: 'float32', shape: [5] }]),
  { dtype: 'float32', shape: [2, 'H', 5] });
});

test('inference gives comparisons bool, Cast its target, Pow its base dtype', () => {
  assert.deepEqual(inferOne('Less', [{ dtype: 'int32', shape: ['N'] }, { dtype: 'int32', shape: [] }]),
    { dtype: 'bool', shape: ['N'] });
  assert.equal(inferOne('IsNaN', [{ dtype: 'float16', shape: [3] }]).dtype, 'bool');
  assert.deepEqual(inferOne('Cast', [{ dtype: 'float32', shape: ['N', 2] }], { to: 'int64' }),
    { dtype: 'int64', shape: ['N', 2] });
  assert.equal(inferOne('Pow', [{ dtype: 'int32', shape: [3] }, { dtype: 'float32', shape: [3] }]).dtype, 'int32');
});

test('inference rejects mismatched dtypes, bad broadcasts and unsupported dtypes', () => {
  assert.throws(() => inferOne('Add', [{ dtype: 'float32', shape: [3] }, { dtype: 'int64', shape: [3] }]), GraphError);
  assert.throws(() => inferOne('Mul', [{ dtype: 'float32', shape: [3] }, { dtype: 'float32', shape: [4] }]), ShapeError);
  assert.throws(() => inferOne('PRelu', [{ dtype: 'float32', shape: [3] }, { dtype: 'float32', shape: [2, 3] }]), ShapeError);
  assert.throws(() => inferOne('Sqrt', [{ dtype: 'int32', shape: [3] }]), UnsupportedError);
  assert.throws(() => inferOne('Cast', [{ dtype: 'float32', shape: [3] }], { to: 'bfloat16' }), UnsupportedError);
});

/** Seeded float tensor in [lo, hi). */
const uniform = (shape: readonly number[], seed: number, lo = -1, hi = 1, d: DType = 'float32') =>
  randomTensor(d, shape, rng(seed), lo, hi);

test('broadcasting binary and variadic ops match onnxruntime on odd shapes', async () => {
  const pairs: [number[], number[]][] = [
    [[], [2, 3]], [[1], []], [[3, 1, 5], [4, 1]], [[2, 1, 3, 1, 4], [5, 1, 1, 4]], [[1, 1], [1]],
    [[2, 3, 4], [2, 3, 4]], [[4, 1], [4, 1]], [[0, 3], [3]], [[6], [1, 6]],
  ];
  for (const [i, [sa, sb]] of pairs.entries()) {
    const a = uniform(sa, 10 + i), b = uniform(sb, 20 + i, 0.5, 2);
    for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Less', 'GreaterOrEqual', 'Equal']) {
      await ortCheck(op, [a, b], {}, { fed: [0, 1] });
    }
    await ortCheck('Pow', [b, a], {}, { fed: [0, 1] });
    await ortCheck('Mod', [a, b], { fmod: 1 }, { fed: [0, 1] });
    const c = randomTensor('bool', sa, rng(30 + i)), d = randomTensor('bool', sb, rng(40 + i));
    for (const op of ['And', 'Or', 'Xor']) await ortCheck(op, [c, d], {}, { fed: [0, 1] });
    await ortCheck('Where', [d, a, b], {}, { fed: [0, 1, 2] });
  }
  const [x, y, z] = [uniform([2, 1, 4], 1), uniform([3, 1], 2), uniform([1, 1, 1, 4], 3)];
  for (const op of ['Max', 'Min', 'Sum', 'Mean']) await ortCheck(op, [x, y, z], {}, { fed: [0, 1, 2] });
  await ortCheck('Where', [randomTensor('bool', [3, 1], rng(4)), x, z], {}, { fed: [0, 1, 2] });
  await ortCheck('PRelu', [uniform([2, 3, 4, 5], 5), uniform([3, 1, 1], 6)], {}, { fed: [0, 1] });
  await ortCheck('PRelu', [uniform([2, 3, 4, 5], 7), uniform([5], 8)], {}, { fed: [0, 1] });
});

test('integer arithmetic matches onnxruntime: truncating division, both Mods, wrap-around', async () => {
  for (const d of ['int32', 'int64'] as const) {
    const a = randInt(d, [4, 6], 1, -100, 100), b = randInt(d, [6], 2, 1, 9);
    const negB = Tensor.from(d, [6], b.toArray().map((v, i) => (i % 2 ? -v : v)));
    for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Equal', 'Greater', 'LessOrEqual']) {
      await ortCheck(op, [a, negB], {}, { fed: [0, 1] });
    }
    for (const fmod of [0, 1]) await ortCheck('Mod', [a, negB], { fmod }, { fed: [0, 1] });
    for (const op of ['Abs', 'Neg', 'Sign']) await ortCheck(op, [a]);
    await ortCheck('Clip', [a, Tensor.scalar(d, -20), Tensor.scalar(d, 30)], {}, { fed: [0] });
    await ortCheck('Clip', [a, undefined, Tensor.scalar(d, 7)], {}, { fed: [0] });
    await ortCheck('Pow', [randInt(d, [5], 3, -4, 5), randInt(d, [5], 4, 0, 4)], {}, { fed: [0, 1] });
  }
  // int32 products and sums past 2^31 wrap as in C
  const big = Tensor.from('int32', [4], [2147483647, -2147483648, 123456789, 46341]);
  await ortCheck('Add', [big, Tensor.from('int32', [4], [1, -1, 2100000000, 46341])], {}, { fed: [0, 1] });
  await ortCheck('Mul', [big, Tensor.from('int32', [4], [3, 5, 987654, 46341])], {}, { fed: [0, 1] });
  for (const d of ['int8', 'uint8', 'int16', 'uint16', 'uint32', 'uint64'] as const) {
    const lo = d.startsWith('u') ? 0 : -100;
    const a = randInt(d, [3, 5], 5, lo, 100), b = randInt(d, [5], 6, 1, 12);
    for (const fmod of [0, 1]) await ortCheck('Mod', [a, b], { fmod }, { fed: [0, 1] });
    for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor']) await ortCheck(op, [a, b], {}, { fed: [0, 1] });
    await ortCheck('BitwiseNot', [a]);
  }
  await ortCheck('BitwiseNot', [randInt('int64', [6], 7, -1000, 1000)]);
  for (const d of ['uint8', 'uint32', 'uint64'] as const) {
    const a = randInt(d, [8], 8, 0, 250), s = randInt(d, [8], 9, 0, 8);
    for (const direction of ['LEFT', 'RIGHT']) await ortCheck('BitShift', [a, s], { direction }, { fed: [0, 1] });
  }
  // bits shifted past the top of a uint64 are lost
  await ortCheck('BitShift', [Tensor.from('uint64', [2], [3 * 2 ** 40 + 5, 2 ** 50]), Tensor.from('uint64', [2], [30, 3])],
    { direction: 'LEFT' }, { fed: [0, 1] });
});

test('unary math and activations match onnxruntime, with non-default attributes', async () => {
  const x = uniform([3, 4, 5], 11, -4, 4);
  const plain = ['Abs', 'Neg', 'Floor', 'Ceil', 'Sin', 'Cos', 'Tan', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Erf', 'Sign',
    'Relu', 'Sigmoid', 'HardSwish', 'Tanh', 'Softplus', 'Softsign', 'Mish', 'Exp', 'Reciprocal'];
  for (const op of plain) await ortCheck(op, [x]);
  const pos = uniform([3, 4, 5], 12, 0.01, 10);
  for (const op of ['Sqrt', 'Log']) await ortCheck(op, [pos]);
  await ortCheck('Acosh', [uniform([10], 13, 1, 5)]);
  for (const op of ['Asin', 'Acos', 'Atanh']) await ortCheck(op, [uniform([10], 14, -0.99, 0.99)]);
  await ortCheck('Round', [Tensor.from('float32', [10], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -3.7, 1e7 + 0.5, 0])]);
  const attrs: [string, Record<string, number | string | FloatAttr>][] = [
    ['LeakyRelu', { alpha: 0.25 }], ['Elu', { alpha: 0.7 }], ['Selu', { alpha: 1.5, gamma: 0.8 }], ['Celu', { alpha: float(2) }],
    ['HardSigmoid', { alpha: 0.3, beta: 0.4 }], ['ThresholdedRelu', { alpha: 0.5 }], ['Shrink', { bias: 0.5, lambd: 1.5 }],
    ['Gelu', { approximate: 'none' }], ['Gelu', { approximate: 'tanh' }],
  ];
  for (const [op, a] of attrs) await ortCheck(op, [x], a, { opset: 21 });
  await ortCheck('Clip', [x, Tensor.scalar('float32', -1.5), Tensor.scalar('float32', 0.5)]);
  await ortCheck('Clip', [x, Tensor.scalar('float32', 2), Tensor.scalar('float32', 1)]);
  const special = Tensor.from('float32', [6], [Infinity, -Infinity, NaN, 0, -1, 3]);
  for (const [a, b] of [[1, 1], [0, 1], [1, 0]]) {
    await ortCheck('IsInf', [special], { detect_negative: a, detect_positive: b });
  }
  await ortCheck('IsNaN', [special]);
  await ortCheck('Not', [randomTensor('bool', [7], rng(15))]);
  await ortCheck('Sigmoid', [uniform([6], 16, -4, 4, 'float16')]);
  await ortCheck('Add', [uniform([6], 17, -4, 4, 'float16'), uniform([6], 18, -4, 4, 'float16')], {}, { fed: [0, 1] });
  await ortCheck('Exp', [uniform([6], 19, -4, 4, 'float64')]);
});

test('Cast matches onnxruntime between numbers, bools and strings', async () => {
  const x = Tensor.from('float32', [12], [0, -0.5, 1.7, -2.9, 100.25, -126.5, 3e-5, 1 / 3, 65504, 1e10, 7, -1]);
  const small = Tensor.from('float32', [8], [0, -0.5, 1.7, -2.9, 100.25, -126.5, 3e-5, 1 / 3]);
  for (const to of ['int8', 'int16', 'int32', 'int64', 'bool', 'float16', 'float64'] as const) {
    await ortCheck('Cast', [to === 'float16' || to === 'float64' || to === 'bool' ? x : small], { to: dtype(to) });
  }
  await ortCheck('Cast', [Tensor.from('float32', [4], [0, 1.5, 200.7, 255])], { to: dtype('uint8') });
  await ortCheck('Cast', [randInt('int64', [6], 1, -1000, 1000)], { to: dtype('float32') });
  await ortCheck('Cast', [randInt('int32', [6], 2, -1000, 1000)], { to: dtype('int8') });
  await ortCheck('Cast', [randInt('int64', [6], 3, -3, 3)], { to: dtype('bool') });
  await ortCheck('Cast', [randomTensor('bool', [6], rng(4))], { to: dtype('float32') });
  await ortCheck('Cast', [Tensor.from('float32', [5], [NaN, 0, -0, 1e-30, -Infinity])], { to: dtype('bool') });
  await ortCheck('Cast', [uniform([4], 5, -4, 4, 'float16')], { to: dtype('float32') });
  await ortCheck('Cast', [Tensor.from('float64', [3], [0.1, 1 / 3, 2 ** 40 + 0.5])], { to: dtype('float32') });
  await ortCheck('Cast', [new Tensor('string', [6], ['1.5', '-2', '1e3', 'INF', '-inf', 'NaN'])], { to: dtype('float32') });
  await ortCheck('Cast', [new Tensor('string', [3], ['12', '-7', '0'])], { to: dtype('int32') });
  const printed = [0.1, -2.5, 1e-7, 3, 123456.78, Infinity, -Infinity, NaN, -0, 1e10, 123456789, 1e-5, 1e-4, 0.00015, 12345678];
  for (const d of ['float32', 'float64', 'float16'] as const) {
    await ortCheck('Cast', [Tensor.from(d, [printed.length], printed)], { to: dtype('string') });
  }
  await ortCheck('Cast', [randInt('int64', [4], 6, -1000, 1000)], { to: dtype('string') });
});
