// Outputs whose length the run decides (NonZero, NonMaxSuppression): compiled for their bound,
// trimmed by the runtime to the count the kernel stored; against the reference executor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compile/compile.js';
import { ShapeError } from '../../src/errors.js';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load, type Session } from '../../src/runtime/index.js';
import { validateManifest } from '../../src/runtime/manifest.js';
import { toFeed } from '../../src/artifact/feeds.js';

function graph(op: string, inputs: readonly Tensor[], attrs = {}, constants: ReadonlyMap<number, Tensor> = new Map()): Graph {
  const b = new GraphBuilder(op, { format: 'test' });
  const names = inputs.map((t, i) => (constants.has(i) ? b.addConstant(`c${i}`, constants.get(i)!) : b.addInput(`x${i}`, { dtype: t.dtype, shape: t.shape })));
  b.setOutputs([b.add1(op, names, attrs, 'y')]);
  return inferShapes(b.build());
}

/** Runs `session` on `inputs` (one per graph input) and checks 'y' equals the reference, shape included. */
async function agrees(g: Graph, session: Session, inputs: readonly Tensor[]): Promise<void> {
  const feeds = Object.fromEntries(g.inputs.map((n, i) => [n, toFeed(inputs[i])]));
  const want = execute(g, Object.fromEntries(g.inputs.map((n, i) => [n, inputs[i]]))).get('y')!;
  const got = (await session.run(feeds)).y;
  assert.deepEqual(got.shape, want.shape);
  assert.deepEqual(Array.from(got.data as BigInt64Array, Number), Array.from(want.numbers));
}

test('NonZero: one artifact for any number of hits, none to all, NaN counting as non-zero', async () => {
  const shape = [3, 4, 5];
  const g = graph('NonZero', [new Tensor('float32', shape, new Float32Array(60))]);
  const { bytes } = await compile(g);
  const session = await load(bytes);
  assert.deepEqual(session.outputs[0].shape, [3, 60], 'the output slot holds the bound');
  const sparse = randomTensor('float32', shape, rng(1), -1, 1).numbers.map((x, i) => (i % 7 === 0 ? x : 0));
  const cases = [new Float32Array(60), Float32Array.from({ length: 60 }, (_, i) => i + 1), Float32Array.from(sparse),
    Float32Array.from({ length: 60 }, (_, i) => (i === 59 ? NaN : i === 17 ? -0 : 0))];
  for (const data of cases) await agrees(g, session, [new Tensor('float32', shape, data)]);
  const ints = graph('NonZero', [new Tensor('int32', [7], new Int32Array(7))]);
  await agrees(ints, await load((await compile(ints, { target: 'wasm' })).bytes), [Tensor.from('int32', [7], [0, 3, 0, -1, 0, 0, 9])]);
});

test('NonMaxSuppression: both box formats, thresholds and the per-class limit fed at run time or constant', async () => {
  const [B, C, N] = [2, 3, 9];
  const next = rng(7);
  const boxes = (center: boolean) => Tensor.from('float32', [B, N, 4], Array.from({ length: B * N }, () => {
    const [y, x, h, w] = [next() * 10, next() * 10, 1 + next() * 4, 1 + next() * 4];
    return center ? [x, y, w, h] : next() < 0.5 ? [y, x, y + h, x + w] : [y + h, x + w, y, x];
  }).flat());
  const scores = randomTensor('float32', [B, C, N], rng(8), 0, 1);
  for (const center of [0, 1]) {
    const b = boxes(center === 1);
    const inputs = [b, scores, Tensor.from('int64', [1], [4]), Tensor.from('float32', [1], [0.3]), Tensor.from('float32', [1], [0.2])];
    const g = graph('NonMaxSuppression', inputs, { center_point_box: center });
    const session = await load((await compile(g)).bytes);
    for (const [limit, iou, score] of [[4, 0.3, 0.2], [100, 0.5, 0], [0, 0.3, 0.2], [2, 0, 0.9], [9, 1, -1]]) {
      await agrees(g, session, [b, scores, Tensor.from('int64', [1], [limit]), Tensor.from('float32', [1], [iou]), Tensor.from('float32', [1], [score])]);
    }
    // a constant limit bounds the output tighter
    const fixed = graph('NonMaxSuppression', inputs, { center_point_box: center }, new Map([[2, inputs[2]]]));
    const tight = await load((await compile(fixed)).bytes);
    assert.deepEqual(tight.outputs[0].shape, [B * C * 4, 3]);
    await agrees(fixed, tight, [b, scores, inputs[3], inputs[4]]);
  }
});

test('a data-dependent length feeding another node is refused, naming the node and what to do', async () => {
  const b = new GraphBuilder('nz', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [4] });
  b.setOutputs([b.add1('Cast', [b.add1('NonZero', ['x'], {}, 'nz')], { to: 'float32' }, 'y')]);
  await assert.rejects(compile(inferShapes(b.build())), (e: unknown) => e instanceof ShapeError &&
    /node 'nz' \(NonZero\) gives 'nz' the shape \[1,nonzero_\d+\], which depends on input values; compiled models give such a tensor only as a model output/.test(e.message));
});

test('the manifest refuses bad dynamic extents', () => {
  const base = {
    kiln: 'x', entry: 'run', features: [], memory: { bytes: 64, pages: 1, weights: { offset: 0, bytes: 0 }, arena: { offset: 64, bytes: 0 } },
    inputs: [{ name: 'a', dtype: 'float32', shape: [2], offset: 0 }],
  };
  const out = (dynamic: unknown) => ({ ...base, outputs: [{ name: 'y', dtype: 'int64', shape: [2, 3], offset: 8, dynamic }] });
  assert.deepEqual(validateManifest(out([{ axis: 1, countOffset: 56 }])).outputs[0].dynamic, [{ axis: 1, countOffset: 56 }]);
  assert.throws(() => validateManifest(out([{ axis: 2, countOffset: 56 }])), /dynamic\[0\]\.axis/);
  assert.throws(() => validateManifest(out([{ axis: 0, countOffset: 62 }])), /countOffset/);
  assert.throws(() => validateManifest(out([{ axis: 0, countOffset: 64 }])), /countOffset/);
  assert.throws(() => validateManifest(out({ axis: 0 })), /dynamic/);
  assert.throws(() => validateManifest({ ...base, inputs: [{ ...base.inputs[0], dynamic: [] }], outputs: [] }), /absent on inputs/);
});
