// `kiln compile` and the compiled engine of `kiln run` as a user runs them: the artifact runs to
// the reference executor's outputs, and broken artifacts, hosts without a needed feature and ops
// that cannot be compiled each end in one error line with exit 2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { hostFeatures } from '../../src/runtime/index.js';
import { buildGraphModel } from '../util/onnx-builder.js';
import { kiln, show, type KilnResult } from './kiln-process.js';

let dir = '';
const at = (name: string) => join(dir, name);

function assertUserError(r: KilnResult, why: RegExp): void {
  assert.equal(r.status, 2, show(r));
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line expected\n${show(r)}`);
  assert.match(lines[0], /^kiln: error: /, show(r));
  assert.match(lines[0], why, show(r));
}

/** x [2, 12] @ w [12, 8] + b, then Relu: a conv-net head in miniature, with symbolic batch. */
function denseModel(): Uint8Array {
  const next = rng(3);
  return buildGraphModel({
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'Add', inputs: ['h', 'b'], outputs: ['hb'] },
      { op: 'Relu', inputs: ['hb'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 12] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 8] }],
    initializers: { w: randomTensor('float32', [12, 8], next, -1, 1), b: randomTensor('float32', [8], next, -1, 1) },
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiln-compile-'));
  writeFileSync(at('dense.onnx'), denseModel());
  writeNpy(at('x.npy'), randomTensor('float32', [2, 12], rng(7), -2, 2));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs kiln and returns output_0.npy; the reference executor's run is the oracle. */
function runOutput(args: readonly string[], out: string, nodeFlags: readonly string[] = []): Tensor {
  const r = kiln(['run', ...args, '--input', `x=${at('x.npy')}`, '--out-dir', at(out)], {}, 120_000, nodeFlags);
  assert.equal(r.status, 0, show(r));
  return readNpy(join(at(out), 'output_0.npy'));
}

function assertClose(got: Tensor, want: Tensor): void {
  assert.deepEqual(got.shape, want.shape);
  want.numbers.forEach((w, i) => assert.ok(Math.abs(got.numbers[i] - w) <= 1e-6 + 1e-5 * Math.abs(w), `[${i}] ${got.numbers[i]} vs ${w}`));
}

test('compile writes a .kiln that runs to the reference executor\'s outputs, for both targets', () => {
  const want = runOutput([at('dense.onnx'), '--engine', 'reference'], 'ref');
  for (const target of ['wasm-simd', 'wasm']) {
    const file = at(`dense-${target}.kiln`);
    const r = kiln(['compile', at('dense.onnx'), '-o', file, '--shape', 'x=2,12', '--target', target]);
    assert.equal(r.status, 0, show(r));
    // MatMul, its bias Add and the Relu are one fused kernel
    assert.match(r.stdout, /kernels: 1 calls/);
    assert.equal(readFileSync(file).subarray(0, 4).toString('latin1'), 'KILN');
    assertClose(runOutput([file], `out-${target}`), want);
  }
  // a model runs compiled by default, for the shapes of its feeds
  assertClose(runOutput([at('dense.onnx')], 'direct'), want);
});

test('a compile without fixed input dims says to pass --shape', () => {
  assertUserError(kiln(['compile', at('dense.onnx'), '-o', at('no.kiln')]), /input 'x' has shape \[batch,12\].*--shape x=1,12/);
});

test('a corrupted, a truncated and a foreign .kiln each give one error line', () => {
  const good = readFileSync(at('dense-wasm-simd.kiln'));
  const flipped = Buffer.from(good);
  flipped[flipped.length - 40] ^= 0xff;
  writeFileSync(at('flipped.kiln'), flipped);
  writeFileSync(at('truncated.kiln'), good.subarray(0, good.length >> 1));
  writeFileSync(at('foreign.kiln'), Buffer.from('not an artifact at all, just text'));
  assertUserError(kiln(['run', at('flipped.kiln'), '--random']), /flipped\.kiln: .*(checksum|corrupt)/i);
  assertUserError(kiln(['run', at('truncated.kiln'), '--random']), /truncated\.kiln: .*(truncated|corrupt)/i);
  assertUserError(kiln(['run', at('foreign.kiln'), '--random']), /foreign\.kiln: /);
  assertUserError(kiln(['run', at('flipped.kiln'), '--random', '--engine', 'reference']), /only the compiled engine runs/);
});

test('a .kiln compiled for relaxed SIMD refuses a host without it, and runs on one with it', () => {
  const file = at('relaxed.kiln');
  const r = kiln(['compile', at('dense.onnx'), '-o', file, '--shape', 'x=2,12', '--relaxed-simd']);
  assert.equal(r.status, 0, show(r));
  assert.match(r.stdout, /relaxed-simd/);
  const hostHasIt = hostFeatures()['relaxed-simd'];
  const without = hostHasIt ? ['--no-experimental-wasm-relaxed-simd'] : [];
  assertUserError(kiln(['run', file, '--random'], {}, 120_000, without), /lacks WebAssembly relaxed-simd.*recompile/);
  const withIt = hostHasIt ? [] : ['--experimental-wasm-relaxed-simd'];
  assertClose(runOutput([file], 'relaxed', withIt), runOutput([at('dense.onnx'), '--engine', 'reference'], 'ref2'));
});

test('every node that cannot be compiled is named in one line that points to --engine reference', () => {
  // compiled models hold strings as opaque handles: a Cast to or from string needs their contents, an Equal does not
  writeFileSync(at('uncompiled.onnx'), buildGraphModel({
    nodes: [
      { op: 'Cast', name: 'n0', inputs: ['x'], outputs: ['y0'], attrs: { to: 8 } },
      { op: 'Equal', name: 'n1', inputs: ['y0', 'y0'], outputs: ['y1'] },
      { op: 'Cast', name: 'n2', inputs: ['y0'], outputs: ['y2'], attrs: { to: 1 } },
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
    outputs: [{ name: 'y1', dtype: 'bool', shape: [2, 3] }, { name: 'y2', dtype: 'float32', shape: [2, 3] }],
  }));
  const pattern = /cannot compile this op yet: Cast \(2 nodes, e\.g\. 'n0': it computes with the contents of string value 'y0'.*\); run it with --engine reference$/m;
  assertUserError(kiln(['run', at('uncompiled.onnx'), '--random']), pattern);
  assertUserError(kiln(['compile', at('uncompiled.onnx'), '-o', at('u.kiln')]), pattern);
  const reference = kiln(['run', at('uncompiled.onnx'), '--random', '--engine', 'reference', '--out-dir', at('u-out')]);
  assert.equal(reference.status, 0, show(reference));
});

test('--opt-level: every level compiles to the same outputs; a level outside 0-3 is one error line', () => {
  const want = runOutput([at('dense.onnx'), '--engine', 'reference'], 'ref-levels');
  for (const level of ['0', '1', '2', '3']) {
    const file = at(`dense-O${level}.kiln`);
    const r = kiln(['compile', at('dense.onnx'), '-o', file, '--shape', 'x=2,12', '--opt-level', level]);
    assert.equal(r.status, 0, show(r));
    assertClose(runOutput([file], `out-O${level}`), want);
    assertClose(runOutput([at('dense.onnx'), '--opt-level', level], `run-O${level}`), want);
  }
  assertUserError(kiln(['compile', at('dense.onnx'), '-o', at('x.kiln'), '--shape', 'x=2,12', '--opt-level', '4']), /--opt-level must be one of 0, 1, 2, 3, got '4'/);
  assertUserError(kiln(['run', at('dense.onnx'), '--random', '--shape', 'x=2,12', '--opt-level', 'fast']), /--opt-level must be one of/);
});

test('KILN_DEBUG=1 prints each graph pass with its time and node counts', () => {
  const r = kiln(['compile', at('dense.onnx'), '-o', at('debug.kiln'), '--shape', 'x=2,12', '--opt-level', '1'], { KILN_DEBUG: '1' });
  assert.equal(r.status, 0, show(r));
  for (const pass of ['fold-constants', 'simplify', 'cse', 'dce']) assert.match(r.stderr, new RegExp(`^kiln: debug: pass ${pass}: [\\d.]+ ms, \\d+ -> \\d+ nodes$`, 'm'));
  assert.doesNotMatch(r.stderr, /pass fold-pad/, 'level 1 runs no level-2 pass');
});

test('--freeze fixes a shape-deciding input to a .npy value, so the model compiles; without it the error points there', () => {
  // Reshape to a run-time shape: the output shape follows from the values of 'shape'
  writeFileSync(at('reshape.onnx'), buildGraphModel({
    nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] }, { op: 'Relu', inputs: ['r'], outputs: ['y'] }],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 12] }, { name: 'shape', dtype: 'int64', shape: [3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['a', 'b', 'c'] }],
  }));
  writeNpy(at('shape.npy'), Tensor.from('int64', [3], [4, 3, 2]));
  assertUserError(kiln(['compile', at('reshape.onnx'), '-o', at('r.kiln')]), /depends on input values; compile with the inputs that decide it fixed \(--freeze NAME=FILE\.npy\)/);
  const r = kiln(['compile', at('reshape.onnx'), '-o', at('r.kiln'), '--freeze', `shape=${at('shape.npy')}`]);
  assert.equal(r.status, 0, show(r));
  const got = runOutput([at('r.kiln')], 'frozen');
  const want = runOutput([at('reshape.onnx'), '--engine', 'reference', '--input', `shape=${at('shape.npy')}`], 'frozen-ref');
  assert.deepEqual(got.shape, [4, 3, 2]);
  assertClose(got, want);
  assertUserError(kiln(['compile', at('reshape.onnx'), '-o', at('r.kiln'), '--freeze', `s=${at('shape.npy')}`]), /--freeze names 's', which is not an input of the model; its inputs are 'x'/);
  assertUserError(kiln(['compile', at('reshape.onnx'), '-o', at('r.kiln'), '--freeze', `shape=${at('x.npy')}`]), /--freeze shape: input 'shape' is int64 but the value is float32/);
  assertUserError(kiln(['run', at('r.kiln'), '--freeze', `shape=${at('shape.npy')}`]), /--shape and --freeze apply to models, not \.kiln artifacts/);
});

test('a model on strings runs compiled from .npy unicode arrays or --random, as the reference does', () => {
  writeFileSync(at('strings.onnx'), buildGraphModel({
    nodes: [{ op: 'Equal', inputs: ['x', 'y'], outputs: ['same'] }, { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [1, 0] } }],
    inputs: [{ name: 'x', dtype: 'string', shape: [2, 3] }, { name: 'y', dtype: 'string', shape: [2, 3] }],
    outputs: [{ name: 'same', dtype: 'bool', shape: [2, 3] }, { name: 't', dtype: 'string', shape: [3, 2] }],
  }));
  writeNpy(at('sx.npy'), new Tensor('string', [2, 3], ['a', 'kiln', '', 'b', 'naïve', 'c']));
  writeNpy(at('sy.npy'), new Tensor('string', [2, 3], ['a', 'Kiln', '', 'x', 'naïve', 'c']));
  const values = (t: Tensor) => [t.dtype, t.shape, t.dtype === 'string' ? t.data : t.toArray()];
  const outputs = (args: readonly string[], out: string) => {
    const r = kiln(['run', at('strings.onnx'), ...args, '--out-dir', at(out)]);
    assert.equal(r.status, 0, show(r));
    return [0, 1].map((i) => readNpy(join(at(out), `output_${i}.npy`)));
  };
  for (const feed of [['--input', `x=${at('sx.npy')}`, '--input', `y=${at('sy.npy')}`], ['--random']]) {
    const [compiled, reference] = [outputs(feed, 's-c'), outputs([...feed, '--engine', 'reference'], 's-r')];
    assert.deepEqual(compiled.map(values), reference.map(values));
  }
  assert.deepEqual(outputs(['--input', `x=${at('sx.npy')}`, '--input', `y=${at('sy.npy')}`], 's-v').map(values),
    [['bool', [2, 3], [1, 0, 1, 0, 1, 1]], ['string', [3, 2], ['a', 'b', 'kiln', 'naïve', '', 'c']]]);
});
