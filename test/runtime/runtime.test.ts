// The runtime end to end: load an artifact, check feeds, run, read outputs; against the
// reference executor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { writeArtifact } from '../../src/artifact/write.js';
import { load, KilnRuntimeError, hostFeatures } from '../../src/runtime/index.js';
import { PROBES } from '../../src/runtime/features.js';
import { addArtifact, assemble } from './harness.js';

const A = [1, 2, 3, 4, 5, 6, 7, 8];
const B = [0.25, -2, 1e-7, 3, -5, 0.1, 9, -1e4];

function reference(a: readonly number[], b: readonly number[]): Float32Array {
  const { graph } = addArtifact();
  return execute(graph, { a: Tensor.from('float32', [2, 4], a), b: Tensor.from('float32', [2, 4], b) }).get('y')!.data as Float32Array;
}

test('run: planned offsets, weights copied at load, numbers match the reference executor', async () => {
  const session = await load(addArtifact().bytes);
  assert.deepEqual(session.inputs, [{ name: 'a', dtype: 'float32', shape: [2, 4] }, { name: 'b', dtype: 'float32', shape: [2, 4] }]);
  assert.deepEqual(session.outputs, [{ name: 'y', dtype: 'float32', shape: [2, 4] }]);
  const out = await session.run({ a: new Float32Array(A), b: { data: B, shape: [2, 4] } });
  assert.deepEqual(Object.keys(out), ['y']);
  assert.equal(out.y.dtype, 'float32');
  assert.deepEqual(out.y.shape, [2, 4]);
  assert.ok(out.y.data instanceof Float32Array);
  assert.deepEqual(out.y.data, reference(A, B));
});

test('run: outputs are copies that survive the next run', async () => {
  const session = await load(addArtifact().bytes);
  const first = await session.run({ a: A, b: B });
  const kept = first.y.data.slice();
  const second = await session.run({ a: B, b: A.map((x) => x * 3) });
  assert.deepEqual(first.y.data, kept);
  assert.deepEqual(second.y.data, reference(B, A.map((x) => x * 3)));
  (first.y.data as Float32Array).fill(0);
  assert.deepEqual((await session.run({ a: A, b: B })).y.data, reference(A, B));
});

test('run: unknown, missing, wrong-dtype and wrong-shape inputs are named', async () => {
  const session = await load(addArtifact().bytes);
  const rejects = (feeds: object, message: RegExp) =>
    assert.rejects(session.run(feeds as never), (e: unknown) => e instanceof KilnRuntimeError && e.code === 'E_INPUT' && message.test(e.message));
  await rejects({ a: A, c: A }, /unknown input 'c', missing input 'b'; the model takes 'a' \(float32 \[2,4\]\), 'b'/);
  await rejects({ a: new Int32Array(8), b: B }, /input 'a' \(float32 \[2,4\]\) needs a Float32Array, got Int32Array/);
  await rejects({ a: new Float64Array(8), b: B }, /needs a Float32Array, got Float64Array/);
  await rejects({ a: A, b: { data: B, shape: [4, 2] } }, /input 'b' .* was given shape \[4,2\]; the model was compiled for \[2,4\]/);
  await rejects({ a: A.slice(1), b: B }, /input 'a' .* needs 8 elements, got 7/);
  await rejects({ a: [[...A.slice(0, 4)], [...A.slice(4)]], b: B }, /input 'a' .* was given a nested array; give its 8 elements flat, in row-major order/);
  await rejects({ a: A, b: 'text' }, /input 'b' .* needs a Float32Array, a number array or \{ data, shape \}, got string/);
  await rejects({ a: A, b: { data: new Set(), shape: [2, 4] } }, /input 'b' .* needs a Float32Array or a number array, got Set/);
  await rejects({ a: [1, 2, 3, 4, 5, 6, 7, '8'], b: B }, /element 7 is "8", not a number/);
});

test('int64 travels as BigInt64Array; integer number arrays convert', async () => {
  // y = x * 3 over int64 [3]; slots written by hand: x at 0, y at 32
  const wasm = assemble(`(module (import "env" "memory" (memory 1))
    (func (export "run") ${[0, 8, 16].map((k) => `(i64.store (i32.const ${32 + k}) (i64.mul (i64.load (i32.const ${k})) (i64.const 3)))`).join(' ')}))`);
  const manifest = {
    kiln: 'test', entry: 'run', features: [],
    memory: { bytes: 64, pages: 1, weights: { offset: 64, bytes: 0 }, arena: { offset: 64, bytes: 0 } },
    inputs: [{ name: 'x', dtype: 'int64' as const, shape: [3], offset: 0 }],
    outputs: [{ name: 'y', dtype: 'int64' as const, shape: [3], offset: 32 }],
  };
  const session = await load(writeArtifact({ manifest, wasm, weights: new Uint8Array() }));
  const big = [2n ** 60n, -5n, 7n];
  const out = await session.run({ x: BigInt64Array.from(big) });
  assert.deepEqual(out.y.data, BigInt64Array.from(big, (v) => BigInt.asIntN(64, v * 3n)));
  assert.deepEqual((await session.run({ x: [1, -2, 3] })).y.data, BigInt64Array.from([3n, -6n, 9n]));
  await assert.rejects(session.run({ x: [1, 2.5, 3] }), { code: 'E_INPUT', message: /element 1 is 2.5, not an integer/ });
});

test('load refuses a host without a required feature, naming it', async () => {
  const { bytes } = addArtifact({ features: ['simd', 'relaxed-simd'] });
  const noRelaxed = { 'simd': true, 'relaxed-simd': false, 'atomics': true, 'threads': true };
  await assert.rejects(load(bytes, { hostFeatures: noRelaxed }),
    { code: 'E_FEATURE', message: /this host lacks WebAssembly relaxed-simd, which the model was compiled for; recompile it without it \(kiln compile without --relaxed-simd\)/ });
  await load(bytes, { hostFeatures: { ...noRelaxed, 'relaxed-simd': true } });
  if (!hostFeatures()['relaxed-simd']) await assert.rejects(load(bytes), { code: 'E_FEATURE' });
});

test('feature probes are the modules wabt assembles for the same WAT, and this host has SIMD', () => {
  const zero = '(v128.const i32x4 0 0 0 0)';
  assert.deepEqual(PROBES.simd, assemble(`(module (func (result v128) ${zero}))`));
  assert.deepEqual(PROBES['relaxed-simd'], assemble(`(module (func (result v128) (f32x4.relaxed_madd ${zero} ${zero} ${zero})))`));
  assert.deepEqual(PROBES.atomics, assemble('(module (import "env" "memory" (memory 1 1)) (func (drop (i32.atomic.load (i32.const 0)))))'));
  assert.equal(hostFeatures().atomics, true);
  assert.equal(hostFeatures().simd, true);
  assert.equal(hostFeatures().simd, WebAssembly.validate(assemble(`(module (func (result v128) ${zero}))`)));
});

test('a module without the entry, or importing more than memory, is refused at load', async () => {
  await assert.rejects(load(addArtifact({ entry: 'main' }).bytes),
    { code: 'E_MODULE', message: /no function 'main' taking 0 arguments/ });
  const importsLog = assemble('(module (import "env" "memory" (memory 1)) (import "env" "log" (func $log (param i32))) (func (export "run")))');
  await assert.rejects(load(addArtifact({ wasm: importsLog }).bytes),
    { code: 'E_MODULE', message: /imports env.log \(function\), but the runtime provides only env.memory/ });
  const tooBig = assemble('(module (import "env" "memory" (memory 4)) (func (export "run")))');
  await assert.rejects(load(addArtifact({ wasm: tooBig }).bytes), { code: 'E_MODULE', message: /does not load/ });
});
