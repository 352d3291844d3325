// TopK and NonMaxSuppression: data-dependent inference, and kernels against onnxruntime-node
// (ties, both directions, negative axes, box encodings, thresholds, several batches/classes);
// compiled TopK (heap kernel and rank compute) against the reference on ties, NaNs and every dtype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensorBytes } from '../../src/artifact/layout.js';
import { compile } from '../../src/compile/compile.js';
import { ShapeError } from '../../src/errors.js';
import { float16BitsToNumber, type DType } from '../../src/ir/dtype.js';
import { GraphBuilder } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { rng } from '../../src/io/random.js';
import { ranksFaster } from '../../src/ops/topk-compute.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { arrayClass } from '../../src/runtime/dtypes.js';
import { allSymbolic, i64, inferTypes } from './data-graph.js';
import { ortCheck, rand, randInt } from './data-ort.js';

test('TopK and NonMaxSuppression inference', () => {
  const [values, indices] = inferTypes('TopK', [{ dtype: 'float32', shape: ['N', 10] }, i64([3])], {}, 2);
  assert.deepEqual(values, { dtype: 'float32', shape: ['N', 3] });
  assert.deepEqual(indices, { dtype: 'int64', shape: ['N', 3] });
  const unknownK = inferTypes('TopK', [{ dtype: 'int32', shape: [4, 5] }, { dtype: 'int64', shape: [1] }], { axis: 0 }, 2);
  assert.ok(allSymbolic(unknownK[0].shape.slice(0, 1)));
  assert.equal(unknownK[1].shape[1], 5);
  const nms = inferTypes('NonMaxSuppression', [{ dtype: 'float32', shape: [1, 6, 4] }, { dtype: 'float32', shape: [1, 2, 6] }])[0];
  assert.equal(nms.dtype, 'int64');
  assert.ok(typeof nms.shape[0] === 'string' && nms.shape[1] === 3);
  assert.throws(() => inferTypes('TopK', [{ dtype: 'float32', shape: [4] }, i64([1])], { axis: 1 }, 2), ShapeError);
});

test('TopK agrees with onnxruntime: ties by lower index, smallest, negative axis, integers', async () => {
  const ties = randInt('int32', [3, 12, 2], 1, 0, 4);
  for (const largest of [0, 1]) {
    await ortCheck('TopK', [ties, i64([5])], { axis: 1, largest }, { outputs: 2 });
    await ortCheck('TopK', [rand([4, 3, 9], 2), i64([9])], { axis: -1, largest }, { outputs: 2 });
  }
  await ortCheck('TopK', [rand([6, 2], 3, 'float64'), i64([0])], { axis: 0 }, { outputs: 2 });
  await ortCheck('TopK', [randInt('int64', [20], 4, -5, 5), i64([7])], { largest: 0 }, { outputs: 2 });
});

test('TopK puts NaN above every number, ties by lower index', async () => {
  const x = Tensor.from('float32', [6], [1, NaN, -Infinity, NaN, 1, -0]);
  const run = (largest: number) => execute(topKGraph('float32', [6], [{ axis: 0, k: 6, largest }]), { x }).get('v0_0')!;
  assert.deepEqual(Array.from(run(1).numbers), [NaN, NaN, 1, 1, -0, -Infinity]);
  assert.deepEqual(Array.from(run(0).numbers), [-Infinity, -0, 1, 1, NaN, NaN]);
});

interface TopKCase { readonly axis: number; readonly k: number; readonly largest: number }

/** One graph, input `x`, a TopK node per case with outputs v0_i (values) and v1_i (indices). */
function topKGraph(dtype: DType, shape: readonly number[], cases: readonly TopKCase[]) {
  const b = new GraphBuilder('topk', { format: 'test' });
  const x = b.addInput('x', { dtype, shape });
  const outs = cases.flatMap(({ axis, k, largest }, i) => {
    const [vals, idx] = b.addNode('TopK', [x, b.addConstant(`k${i}`, Tensor.from('int64', [1], [k]))], { axis, largest }, { outputs: 2 });
    return [b.addNode('Identity', [vals], {}, { name: `v0_${i}` })[0], b.addNode('Identity', [idx], {}, { name: `v1_${i}` })[0]];
  });
  b.setOutputs(outs);
  return inferShapes(b.build());
}

/** Few distinct values (so most compare equal) and, for floats, NaNs, infinities and both zeros. */
function tiesAndNaNs(dtype: DType, shape: readonly number[], seed: number): Tensor {
  const next = rng(seed);
  const size = shape.reduce((a, d) => a * d, 1);
  const float = dtype.startsWith('float');
  const special = [NaN, Infinity, -Infinity, -0, 0];
  const lo = dtype.startsWith('uint') ? 0 : -3;
  return Tensor.from(dtype, shape, Array.from({ length: size }, () => {
    const r = next();
    return float && r < 0.2 ? special[Math.floor(r * 25)] : lo + Math.floor(next() * 7) + (float ? 0.5 * Math.floor(next() * 2) : 0);
  }));
}

const TOPK_DTYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];

test('compiled TopK gives the reference outputs: every dtype, axes, k, both directions, ties and NaNs', async () => {
  const shape = [3, 40, 5];
  const cases: TopKCase[] = [
    ...[0, 1].flatMap((largest) => [{ axis: 1, k: 7, largest }, { axis: -1, k: 2, largest }, { axis: 1, k: 40, largest }]),
    { axis: 0, k: 3, largest: 1 }, { axis: 2, k: 1, largest: 0 }, { axis: 1, k: 0, largest: 1 }, { axis: -1, k: 5, largest: 0 },
  ];
  // both lowerings: lines of 40 and 2 of 5 keep the heap, 3 of 3 and 5 of 5 rank
  assert.ok(!ranksFaster(40, 7) && !ranksFaster(40, 40) && !ranksFaster(5, 2) && ranksFaster(3, 3) && ranksFaster(5, 5));
  for (const dtype of TOPK_DTYPES) {
    const g = topKGraph(dtype, shape, cases);
    const x = tiesAndNaNs(dtype, shape, TOPK_DTYPES.indexOf(dtype) + 1);
    const want = execute(g, { x });
    const session = await load((await compile(g)).bytes);
    const bytes = tensorBytes(x);
    const got = await session.run({ x: new (arrayClass(dtype as never))(bytes.buffer, bytes.byteOffset, x.size) });
    for (const name of g.outputs) {
      const w = want.get(name)!;
      const data = Array.from(got[name].data as ArrayLike<number | bigint>, (e) => (dtype === 'float16' && name.startsWith('v0') ? float16BitsToNumber(Number(e)) : Number(e)));
      assert.deepEqual(got[name].shape, w.shape, `${dtype} ${name} shape`);
      w.numbers.forEach((e, i) => assert.ok(Object.is(e, data[i]), `${dtype} ${name}[${i}] (${JSON.stringify(cases[+name.split('_')[1]])}): compiled ${data[i]}, reference ${e}`));
    }
  }
});

/** Random corner boxes [B, N, 4] of size ~0.5..1 centred in a unit square, so many overlap. */
function boxes(b: number, n: number, seed: number): Tensor {
  const r = rand([b, n, 4], seed).numbers;
  const out: number[] = [];
  for (let i = 0; i < r.length; i += 4) {
    const [cy, cx, h, w] = [(r[i] + 1) / 2, (r[i + 1] + 1) / 2, 0.75 + r[i + 2] / 4, 0.75 + r[i + 3] / 4];
    out.push(cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2);
  }
  return Tensor.from('float32', [b, n, 4], out);
}

test('NonMaxSuppression agrees with onnxruntime', async () => {
  const scores = Tensor.from('float32', [2, 3, 12], rand([2, 3, 12], 5).numbers.map((v) => (v + 1) / 2));
  const box = boxes(2, 12, 6);
  const params = (max: number, iou: number, score?: number) => [
    i64([max]), Tensor.from('float32', [1], [iou]), score === undefined ? undefined : Tensor.from('float32', [1], [score])];
  for (const center_point_box of [0, 1]) {
    await ortCheck('NonMaxSuppression', [box, scores, ...params(4, 0.3, 0.2)], { center_point_box }, { fed: [0, 1] });
    const [all] = await ortCheck('NonMaxSuppression', [box, scores, ...params(100, 0.6)], { center_point_box }, { fed: [0, 1] });
    assert.ok(all.shape[0] > 6 && all.shape[0] < 72, `suppression kept ${all.shape[0]} of 72 boxes`);
  }
  // corners given in either order
  const flipped = Tensor.from('float32', box.shape, Array.from(box.numbers, (v, i) => box.numbers[i % 4 < 2 ? i + 2 : i - 2]));
  await ortCheck('NonMaxSuppression', [flipped, scores, ...params(3, 0.4, 0.5)], {}, { fed: [0, 1] });
  await ortCheck('NonMaxSuppression', [box, scores], {}, { fed: [0, 1] });
});
