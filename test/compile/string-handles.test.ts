// String tensors in compiled models: string values run as int32 handles through movement ops,
// Gather and Equal, and come back as strings; ops that read string contents are refused by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { stringsToHandles } from '../../src/compile/string-handles.js';
import { UnsupportedError } from '../../src/errors.js';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { rng } from '../../src/io/random.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { KilnRuntimeError, load } from '../../src/runtime/index.js';
import { validateManifest } from '../../src/runtime/manifest.js';

const WORDS = ['', 'a', 'b', 'kiln', 'Kiln', 'naïve', '日本', 'a ', 'kiln'];

function words(n: number, seed: number): string[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]);
}

/**
 * x [2,3] and y [3,2] string inputs: Transpose, Gather, Concat with a constant, Pad with '' and
 * Equal against y, so handles from inputs and constants meet in one comparison.
 */
function stringGraph(): Graph {
  const b = new GraphBuilder('strings', { format: 'test' });
  const x = b.addInput('x', { dtype: 'string', shape: [2, 3] });
  const y = b.addInput('y', { dtype: 'string', shape: [3, 2] });
  const t = b.add1('Transpose', [x], { perm: [1, 0] }, 't');
  const picked = b.add1('Gather', [t, b.addConstant('rows', Tensor.from('int64', [3], [2, 0, 2]))], { axis: 0 }, 'picked');
  const words = b.addConstant('words', new Tensor('string', [1, 2], ['kiln', 'oven']));
  const joined = b.add1('Concat', [picked, words], { axis: 0 }, 'joined');
  const padded = b.add1('Pad', [joined, b.addConstant('pads', Tensor.from('int64', [4], [0, 0, 0, 1]))], {}, 'padded');
  const same = b.add1('Equal', [picked, y], {}, 'same');
  b.setOutputs([padded, same]);
  return inferShapes(b.build());
}

test('string inputs and constants compile to handles and give the reference outputs', async () => {
  const g = stringGraph();
  const session = await load((await compile(g)).bytes);
  assert.deepEqual(session.inputs.map((i) => i.dtype), ['string', 'string']);
  for (const seed of [1, 2, 3]) {
    const feeds = { x: words(6, seed), y: words(6, seed + 10) };
    const want = execute(g, { x: new Tensor('string', [2, 3], feeds.x), y: new Tensor('string', [3, 2], feeds.y) });
    const got = await session.run(feeds);
    assert.deepEqual(got.padded.shape, [4, 3]);
    assert.deepEqual(got.padded.data, want.get('padded')!.data);
    assert.deepEqual(Array.from(got.same.data as Uint8Array), Array.from(want.get('same')!.numbers));
  }
});

test('equal strings share one handle across inputs and constants; the table starts with the empty string', () => {
  const { graph, strings, values } = stringsToHandles(stringGraph());
  assert.deepEqual(strings, ['', 'kiln', 'oven']);
  assert.deepEqual([...values], ['x', 'y', 'padded']);
  assert.equal(graph.values.get('x')!.dtype, 'int32');
  assert.deepEqual(Array.from(graph.constants.get('words')!.numbers), [1, 2]);
});

test('a node that reads string contents is refused, naming the node and the value', async () => {
  const b = new GraphBuilder('cast', { format: 'test' });
  const x = b.addInput('x', { dtype: 'string', shape: [2] });
  b.setOutputs([b.add1('Cast', [x], { to: 'float32' }, 'y')]);
  const g = inferShapes(b.build());
  await assert.rejects(compile(g), (e: unknown) => e instanceof UnsupportedError
    && /Cast \(1 node, e\.g\. 'y': it computes with the contents of string value 'x'/.test(e.message) && /--engine reference$/.test(e.message));
});

test('a string input refuses numbers, naming the input', async () => {
  const session = await load((await compile(stringGraph())).bytes);
  await assert.rejects(session.run({ x: [1, 2, 3, 4, 5, 6], y: words(6, 1) }),
    (e: unknown) => e instanceof KilnRuntimeError && /input 'x' \(string \[2,3\]\) needs an array of strings, got number at element 0/.test(e.message));
  await assert.rejects(session.run({ x: new Int32Array(6), y: words(6, 1) }),
    (e: unknown) => e instanceof KilnRuntimeError && /needs an array of strings/.test(e.message));
});

test('the manifest string table must hold distinct strings', () => {
  const m = { kiln: '0', entry: 'run', features: [], memory: { bytes: 0, pages: 1, weights: { offset: 0, bytes: 0 }, arena: { offset: 0, bytes: 0 } }, inputs: [], outputs: [] };
  assert.deepEqual(validateManifest({ ...m, strings: ['', 'a'] }).strings, ['', 'a']);
  assert.throws(() => validateManifest({ ...m, strings: ['', 3] }), /strings\[1\]' must be a string/);
  assert.throws(() => validateManifest({ ...m, strings: ['a', 'a'] }), /must be distinct strings/);
});
