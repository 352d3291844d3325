// MatMul and Gemm: numpy shape rules with symbolic dims, and properties tying the kernels
// together (batched = per-slice products, Gemm = MatMul of transposed operands, exact ints).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { float } from '../util/onnx-builder.js';
import { inferNode, matchesOrt, rand, runNode } from './nn-helpers.js';

const f32 = (shape: (number | string)[]) => ({ dtype: 'float32' as const, shape });

test('MatMul inference: batch broadcasting, 1-D promotion, symbolic dims', () => {
  const shape = (a: (number | string)[], b: (number | string)[]) => inferNode('MatMul', [f32(a), f32(b)])[0].shape;
  assert.deepEqual(shape(['B', 1, 4, 5], [3, 5, 6]), ['B', 3, 4, 6]);
  assert.deepEqual(shape([5], ['N', 5, 6]), ['N', 6]);
  assert.deepEqual(shape(['T', 5], [5]), ['T']);
  assert.deepEqual(shape([5], [5]), []);
  assert.deepEqual(shape(['N', 'T', 64], [64, 10]), ['N', 'T', 10]);
  assert.throws(() => shape([4, 5], [4, 5]), (e: unknown) => e instanceof ShapeError && /MatMul/.test(e.message));
  assert.throws(() => shape([2, 4, 5], [3, 5, 6]), ShapeError);
});

test('Gemm inference: transposes and the broadcast of C', () => {
  const shape = (a: number[], b: number[], attrs = {}, c?: (number | string)[]) =>
    inferNode('Gemm', [f32(a), f32(b), c && f32(c)], attrs)[0].shape;
  assert.deepEqual(shape([3, 4], [4, 5]), [3, 5]);
  assert.deepEqual(shape([4, 3], [5, 4], { transA: 1, transB: 1 }, [5]), [3, 5]);
  assert.deepEqual(shape([3, 4], [4, 5], {}, [3, 1]), [3, 5]);
  assert.throws(() => shape([3, 4], [4, 5], {}, [5, 3]), ShapeError);
  assert.throws(() => shape([3, 4], [5, 4]), ShapeError);
});

test('batched MatMul with broadcast equals the product of each slice pair', () => {
  const a = rand([2, 1, 5, 7], 1), b = rand([3, 7, 6], 2);
  const [y] = runNode('MatMul', [a, b]);
  assert.deepEqual(y.shape, [2, 3, 5, 6]);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      const ai = Tensor.from('float32', [5, 7], a.numbers.subarray(i * 35, (i + 1) * 35));
      const bj = Tensor.from('float32', [7, 6], b.numbers.subarray(j * 42, (j + 1) * 42));
      const [yij] = runNode('MatMul', [ai, bj]);
      assert.deepEqual(Array.from(y.numbers.subarray((i * 3 + j) * 30, (i * 3 + j + 1) * 30)), Array.from(yij.numbers));
    }
  }
});

test('Gemm with every transpose combination equals MatMul of the plain operands', () => {
  const transpose = (t: Tensor) => {
    const [r, c] = t.shape, v = new Array<number>(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) v[j * r + i] = t.numbers[i * c + j];
    return Tensor.from(t.dtype, [c, r], v);
  };
  // odd sizes exercise the edges of the register tiles
  const a = rand([7, 9], 3), b = rand([9, 6], 4);
  const [want] = runNode('MatMul', [a, b]);
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      const [y] = runNode('Gemm', [transA ? transpose(a) : a, transB ? transpose(b) : b], { transA, transB });
      assert.deepEqual(Array.from(y.numbers), Array.from(want.numbers), `transA=${transA} transB=${transB}`);
    }
  }
});

test('integer MatMul is exact', () => {
  const a = Tensor.from('int32', [3, 4], [1, -2, 3, 40000, 5, 6, -7, 8, 9, 10, 11, -12]);
  const b = Tensor.from('int32', [4, 2], [100000, 2, 3, -4, 5, 6, 7, 8]);
  const [y] = runNode('MatMul', [a, b]);
  const [f] = runNode('MatMul', [Tensor.from('float64', [3, 4], a.numbers), Tensor.from('float64', [4, 2], b.numbers)]);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.numbers), Array.from(f.numbers));
});

test('MatMul matches onnxruntime with batch broadcasting and 1-D operands', async () => {
  const pairs: [number[], number[]][] = [
    [[2, 1, 3, 4, 5], [3, 5, 6]], [[5], [2, 5, 3]], [[4, 5], [5]], [[3, 1, 7, 9], [1, 4, 9, 13]], [[1, 33, 17], [17, 30]],
  ];
  let seed = 300;
  for (const [a, b] of pairs) await matchesOrt('MatMul', [rand(a, seed++), rand(b, seed++)], {});
  const ints = (shape: number[], s: number) => randomTensor('int32', shape, rng(s));
  await matchesOrt('MatMul', [ints([2, 3, 4], 1), ints([4, 5], 2)], {}, ['int32']);
});

test('Gemm matches onnxruntime for every transpose and C broadcast', async () => {
  const [m, n, k] = [5, 7, 6];
  let seed = 400;
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      for (const cShape of [undefined, [], [n], [m, 1], [1, n], [m, n]]) {
        const a = rand(transA ? [k, m] : [m, k], seed++), b = rand(transB ? [n, k] : [k, n], seed++);
        await matchesOrt('Gemm', [a, b, cShape && rand(cShape, seed++)], { transA, transB, alpha: float(0.5), beta: float(2) });
      }
    }
  }
  await matchesOrt('Gemm', [rand([3, 4], 1), rand([4, 2], 2), rand([2], 3)], { beta: float(0) });
});

test('Einsum inference: labels, ellipsis broadcast, implicit output, errors', () => {
  const shape = (eq: string, ...shapes: (number | string)[][]) =>
    inferNode('Einsum', shapes.map((s) => f32(s)), { equation: eq })[0].shape;
  assert.deepEqual(shape('...ij,...jk->...ik', ['B', 1, 3, 4], [5, 4, 6]), ['B', 5, 3, 6]);
  assert.deepEqual(shape('ij,jk', ['N', 4], [4, 6]), ['N', 6]);
  assert.deepEqual(shape('ii->i', [3, 3]), [3]);
  assert.deepEqual(shape('i,i', [3], [3]), []);
  assert.throws(() => shape('ij,jk->ik', [3, 4], [5, 6]), ShapeError);
  assert.throws(() => shape('ij->ik', [3, 4]), ShapeError);
  assert.throws(() => shape('ijk->i', [3, 4]), ShapeError);
});

test('Einsum matches onnxruntime', async () => {
  const cases: [string, number[][]][] = [
    ['...ij,...jk->...ik', [[2, 1, 3, 4], [1, 5, 4, 6]]],
    ['bij,bkj->bik', [[2, 3, 4], [2, 5, 4]]],
    ['ij->ji', [[3, 5]]],
    ['bii->bi', [[2, 4, 4]]],
    ['i,j->ij', [[3], [4]]],
    ['ij,jk', [[3, 4], [4, 2]]],
    ['ab,bc,cd->ad', [[2, 3], [3, 4], [4, 5]]],
    ['abc->', [[2, 3, 4]]],
  ];
  let seed = 700;
  for (const [equation, shapes] of cases) {
    await matchesOrt('Einsum', shapes.map((s) => rand(s, seed++)), { equation });
  }
});
