// uint32, uint64 and float16 tensors through whole compiled models: unsigned division, remainder,
// comparison, shifts and casts as the reference computes them, halves rounded as it rounds them.
import { test } from 'node:test';
import { Tensor } from '../../src/ir/tensor.js';
import { checkCompiledNode } from './compiled-check.js';

const U32 = [0, 1, 7, 100, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 65536, 3];
const U32_B = [1, 3, 7, 9, 2, 0x80000001, 0xffffffff, 5, 255, 0xfffffff0];
// uint64 values the reference holds exactly (it keeps them in doubles): below 2^53, including past 2^32 and 2^31
const U64 = [0, 1, 7, 100, 2 ** 40 + 3, 2 ** 31, 2 ** 52 + 1, 2 ** 33, 65536, 3];
const U64_B = [1, 3, 7, 9, 2, 2 ** 32 + 1, 5, 2 ** 20, 255, 2 ** 45];

test('uint32 and uint64 arithmetic and comparisons: unsigned as the reference', async () => {
  for (const [d, a, b] of [['uint32', U32, U32_B], ['uint64', U64, U64_B]] as const) {
    const A = Tensor.from(d, [a.length], a), B = Tensor.from(d, [b.length], b);
    for (const op of ['Div', 'Mod', 'Less', 'GreaterOrEqual', 'Max', 'Min', 'Equal', 'BitwiseXor']) {
      await checkCompiledNode(op, {}, [A, B]);
    }
    if (d === 'uint32') for (const op of ['Add', 'Sub', 'Mul']) await checkCompiledNode(op, {}, [A, B]);
    await checkCompiledNode('Pow', {}, [Tensor.from(d, [6], [0, 1, 2, 3, 10, 65535]), Tensor.from(d, [6], [5, 9, 31, 20, 4, 2])]);
    const shifts = Tensor.from(d, [a.length], a.map((_, i) => i % 8));
    await checkCompiledNode('BitShift', { direction: 'RIGHT' }, [A, shifts]);
    if (d === 'uint32') await checkCompiledNode('BitShift', { direction: 'LEFT' }, [A, shifts]);
  }
});

test('casts into and out of uint32/uint64 and float16', async () => {
  const floats = Tensor.from('float32', [8], [0, 1.5, 3.99, 4294967295, 100000, 7, 2 ** 31, 12345.5]);
  for (const to of ['uint32', 'uint64', 'float16']) await checkCompiledNode('Cast', { to }, [floats]);
  for (const to of ['float32', 'float64', 'int64', 'int32']) await checkCompiledNode('Cast', { to }, [Tensor.from('uint32', [U32.length], U32)]);
  for (const to of ['float32', 'float64', 'uint32']) await checkCompiledNode('Cast', { to }, [Tensor.from('uint64', [U64.length], U64)]);
});

test('float16 ops: each stored result rounds to half as the reference rounds it', async () => {
  const x = Tensor.from('float16', [2, 6], [0.5, -1.25, 3.1, 65504, -0.0001, 2.5, 100, -7, 0.333, 1e-7, 6e4, -2]);
  const y = Tensor.from('float16', [2, 6], [1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6]);
  for (const op of ['Add', 'Mul', 'Div', 'Max']) await checkCompiledNode(op, {}, [x, y]);
  for (const op of ['Relu', 'Neg', 'Abs', 'IsNaN']) await checkCompiledNode(op, {}, [x]);
  // exp/sigmoid compute in f32, the reference in f64: both round to the same half or a neighbour
  await checkCompiledNode('Sigmoid', {}, [x], 1e-3);
  await checkCompiledNode('ReduceSum', { keepdims: 1 }, [y], 0);
});

test('uint32 and uint64 reductions: max, min, sum over values past the signed range', async () => {
  const u32 = Tensor.from('uint32', [2, 4], [0x80000000, 5, 0xffffffff, 7, 1, 2, 3, 0x90000000]);
  const u64 = Tensor.from('uint64', [2, 4], [2 ** 52, 5, 2 ** 40, 7, 1, 2, 3, 2 ** 33]);
  for (const x of [u32, u64]) {
    for (const op of ['ReduceMax', 'ReduceMin', 'ReduceSum']) await checkCompiledNode(op, { keepdims: 0 }, [x]);
  }
});
