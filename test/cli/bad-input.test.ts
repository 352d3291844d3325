// Bad input to the built CLI: broken model files, bad arguments and bad .npy feeds each end
// with exit code 2 and ONE line `kiln: error: ...` naming the problem — no stack unless
// KILN_DEBUG is set — and never a hang (every child runs under a timeout).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import protobuf from 'protobufjs';
import { humanModel, ppocrDetModel } from '../fixtures/fixtures.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { serializeNpy } from '../../src/io/npy.js';
import { buildGraphModel } from '../util/onnx-builder.js';
import { assertUserError, kiln, show } from './kiln-process.js';

const OCR = ppocrDetModel();
let dir = '';
const at = (name: string) => join(dir, name);

/** A tiny TensorFlow GraphDef, Placeholder -> Relu, written field by field. */
function tinyGraphDef(): Uint8Array {
  const dtypeAttr = (w: protobuf.Writer, key: string) => {
    w.uint32((5 << 3) | 2).fork(); // NodeDef.attr map entry
    w.uint32((1 << 3) | 2).string(key);
    w.uint32((2 << 3) | 2).fork().uint32((6 << 3) | 0).int32(1).ldelim(); // AttrValue.type = DT_FLOAT
    w.ldelim();
  };
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('x').uint32((2 << 3) | 2).string('Placeholder');
  dtypeAttr(w, 'dtype');
  w.ldelim();
  w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('y').uint32((2 << 3) | 2).string('Relu')
    .uint32((3 << 3) | 2).string('x');
  dtypeAttr(w, 'T');
  w.ldelim();
  return w.finish();
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiln-bad-'));
  const onnx = readFileSync(OCR);
  writeFileSync(at('truncated.onnx'), onnx.subarray(0, Math.floor(onnx.length / 2)));
  const corrupt = Buffer.from(onnx);
  corrupt.fill(0xff, 0, 16); // the first field tags become an endless varint
  writeFileSync(at('corrupt.onnx'), corrupt);
  const graphDef = tinyGraphDef();
  writeFileSync(at('truncated.pb'), graphDef.subarray(0, graphDef.length - 6));
  copyFileSync(humanModel('selfie'), at('selfie.json')); // its selfie.bin stays behind
  writeFileSync(at('garbage.json'), '{ "modelTopology": [1, 2,, oops');
  writeFileSync(at('not-a-model.json'), '{"name": "kiln", "version": "1.0.0"}');
  writeFileSync(at('model.txt'), 'hello');
  writeFileSync(at('x-f64.npy'), serializeNpy(randomTensor('float64', [1, 3, 64, 64], rng(1))));
  writeFileSync(at('x-shape.npy'), serializeNpy(randomTensor('float32', [1, 4, 64, 64], rng(1))));
  const npy = serializeNpy(randomTensor('float32', [1, 3, 64, 64], rng(1)));
  writeFileSync(at('x-truncated.npy'), npy.subarray(0, npy.length - 100));
  // x -> Relu -> FrobnicateTensor -> Relu -> MysteryOp -> y: two op types no opset defines
  const v = (name: string) => ({ name, dtype: 'float32' as const, shape: [2, 3] });
  writeFileSync(at('unknown-op.onnx'), buildGraphModel({
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['a'] },
      { op: 'FrobnicateTensor', inputs: ['a'], outputs: ['b'], name: 'frob' },
      { op: 'Relu', inputs: ['b'], outputs: ['c'] },
      { op: 'MysteryOp', inputs: ['c'], outputs: ['y'], name: 'mystery' },
    ],
    inputs: [v('x')], outputs: [v('y')],
  }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a truncated .onnx is a format error naming the file', () => {
  assertUserError(kiln(['inspect', at('truncated.onnx')]), /truncated\.onnx/);
});

test('a corrupted .onnx is a format error naming the file', () => {
  assertUserError(kiln(['run', at('corrupt.onnx'), '--random']), /corrupt\.onnx/);
});

test('a truncated .pb is a format error naming the file', () => {
  assertUserError(kiln(['inspect', at('truncated.pb')]), /truncated\.pb/);
});

test('a model with unknown ops lists every one of them, with a node name', () => {
  for (const command of ['inspect', 'run']) {
    assertUserError(kiln([command, at('unknown-op.onnx'), ...(command === 'run' ? ['--random'] : [])]), /unsupported ONNX ops: (?=.*FrobnicateTensor.*'frob')(?=.*MysteryOp.*'mystery')/);
  }
});

test('a model.json whose weight shard is missing names the missing file', () => {
  assertUserError(kiln(['inspect', at('selfie.json')]), /selfie\.bin/);
});

test('garbage model.json and a JSON file that is no model are format errors', () => {
  assertUserError(kiln(['inspect', at('garbage.json')]), /garbage\.json: not valid JSON/);
  assertUserError(kiln(['inspect', at('not-a-model.json')]), /not-a-model\.json: not a TF\.js model\.json/);
});

test('an unknown extension says which formats Kiln reads', () => {
  assertUserError(kiln(['inspect', at('model.txt')]), /unknown model format '\.txt'; Kiln reads .*\.onnx.*\.pb.*model\.json/);
});

test('nonexistent files: the model, an --input .npy, a folder without model.json', () => {
  assertUserError(kiln(['inspect', at('nope.onnx')]), /cannot read .*nope\.onnx: no such file/);
  assertUserError(kiln(['run', OCR, '--input', `x=${at('nope.npy')}`]), /cannot read .*nope\.npy: no such file/);
  assertUserError(kiln(['inspect', dir]), /folder without a model\.json/);
});

test('a --shape that contradicts the model names input, model shape and given shape', () => {
  assertUserError(kiln(['inspect', OCR, '--shape', 'x=1,4,64,64']),
    /input 'x' has shape \[[^\]]*,3,[^\]]*\], given \[1,4,64,64\]/);
  assertUserError(kiln(['run', OCR, '--random', '--shape', 'x=1,3,64']), /given \[1,3,64\]/);
  assertUserError(kiln(['inspect', OCR, '--shape', 'y=1,3,64,64']), /'y'.*not an input.*'x'/);
  assertUserError(kiln(['inspect', OCR, '--shape', 'x=1,3,a,64']), /non-negative integers/);
});

test('.npy feeds: wrong dtype, wrong shape, truncated file, unknown input name, missing input', () => {
  assertUserError(kiln(['run', OCR, '--input', `x=${at('x-f64.npy')}`]), /input 'x' is float32 but the file holds float64/);
  assertUserError(kiln(['run', OCR, '--input', `x=${at('x-shape.npy')}`]),
    /input 'x' has shape \[[^\]]*\] but the file holds \[1,4,64,64\]/);
  assertUserError(kiln(['run', OCR, '--input', `x=${at('x-truncated.npy')}`]), /x-truncated\.npy: truncated/);
  assertUserError(kiln(['run', OCR, '--input', `image=${at('x-shape.npy')}`]), /'image'.*not an input.*its inputs are 'x'/);
  assertUserError(kiln(['run', OCR]), /no data for input 'x'.*--random/);
  assertUserError(kiln(['run', OCR, '--random']), /--random needs sizes for the symbolic dims of input 'x'.*--shape x=/);
});

test('bad arguments: an unknown option, a missing MODEL, a bad --seed', () => {
  assertUserError(kiln(['run', OCR, '--frobnicate']), /unknown option '--frobnicate'/);
  assertUserError(kiln(['inspect']), /missing required argument 'MODEL'/);
  assertUserError(kiln(['run', OCR, '--random', '--seed', '-3']), /--seed must be an integer/);
});

test('KILN_DEBUG=1 adds the stack after the one-line message', () => {
  const r = kiln(['inspect', at('truncated.onnx')], { KILN_DEBUG: '1' });
  assert.equal(r.status, 2, show(r));
  const lines = r.stderr.split('\n');
  const errorLine = lines.findIndex((l) => l.startsWith('kiln: error: '));
  assert.ok(errorLine >= 0, show(r));
  assert.match(lines[errorLine], new RegExp(basename(at('truncated.onnx')).replace('.', '\\.')));
  assert.ok(lines.slice(errorLine + 1).some((l) => /^\s+at /.test(l)), `a stack trace expected\n${show(r)}`);
});
