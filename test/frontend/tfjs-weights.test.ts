// The TF.js weights loader against TF.js's own decoder: shards concatenated in order, affine
// uint8/uint16 and float16 dequantization, int32/bool/string entries; missing and short shards.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTfjsWeights, type WeightGroup } from '../../src/frontend/tfjs/weights.js';
import { numberToFloat16Bits } from '../../src/ir/dtype.js';
import { rng } from '../../src/io/random.js';

const next = rng(11);
const levels = (n: number, max: number) => Array.from({ length: n }, () => Math.floor(next() * (max + 1)));

/** Little-endian bytes of `values` written with `set` at `width` bytes each. */
function bytesOf(values: readonly number[], width: number, set: (v: DataView, at: number, x: number) => void): Uint8Array {
  const b = new Uint8Array(values.length * width);
  const view = new DataView(b.buffer);
  values.forEach((x, i) => set(view, i * width, x));
  return b;
}

function stringBytes(values: readonly string[]): Uint8Array {
  return Buffer.concat(values.flatMap((s) => {
    const body = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length);
    return [len, body];
  }));
}

const ENTRIES: readonly { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array }[] = [
  { spec: { name: 'u8', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1.25, scale: 0.01 } },
    bytes: new Uint8Array(levels(6, 255)) },
  { spec: { name: 'u16', shape: [5], dtype: 'float32', quantization: { dtype: 'uint16', min: 0.5, scale: 1e-4 } },
    bytes: bytesOf(levels(5, 65535), 2, (v, at, x) => v.setUint16(at, x, true)) },
  { spec: { name: 'f16', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
    bytes: bytesOf([0.1, -2.5, 65504, 1e-6], 2, (v, at, x) => v.setUint16(at, numberToFloat16Bits(x), true)) },
  { spec: { name: 'i32q', shape: [3], dtype: 'int32', quantization: { dtype: 'uint8', min: -4, scale: 1 } },
    bytes: new Uint8Array([0, 4, 9]) },
  { spec: { name: 'f32', shape: [3], dtype: 'float32' },
    bytes: bytesOf([1.5, -0.25, 3e7], 4, (v, at, x) => v.setFloat32(at, x, true)) },
  { spec: { name: 'i32', shape: [2], dtype: 'int32' }, bytes: bytesOf([-7, 123456], 4, (v, at, x) => v.setInt32(at, x, true)) },
  { spec: { name: 'flags', shape: [3], dtype: 'bool' }, bytes: new Uint8Array([1, 0, 1]) },
  { spec: { name: 'words', shape: [2], dtype: 'string' }, bytes: stringBytes(['kiln', 'fé']) },
];

/** Writes the entries' bytes as two shards split at an odd offset; returns the folder and group. */
function writeShards(bytes: Uint8Array): { dir: string; group: WeightGroup } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-weights-'));
  const cut = 13;
  writeFileSync(join(dir, 'a.bin'), bytes.subarray(0, cut));
  writeFileSync(join(dir, 'b.bin'), bytes.subarray(cut));
  return { dir, group: { paths: ['a.bin', 'b.bin'], weights: ENTRIES.map((e) => e.spec) as WeightGroup['weights'] } };
}

test('dequantized, int, bool and string weights equal what TF.js decodes', async () => {
  const all = Buffer.concat(ENTRIES.map((e) => e.bytes));
  const { dir, group } = writeShards(all);
  const ours = loadTfjsWeights([group], dir, 'model.json');
  const theirs = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.length), ENTRIES.map((e) => e.spec));
  assert.equal(ours.size, ENTRIES.length);
  for (const { spec } of ENTRIES) {
    const a = ours.get(spec.name)!, b = theirs[spec.name];
    assert.deepEqual(a.shape, b.shape, `${spec.name}: shape`);
    assert.equal(a.dtype, b.dtype, `${spec.name}: dtype`);
    const want = spec.dtype === 'string' ? (await b.data<'string'>()).map((s) => Buffer.from(s as unknown as Uint8Array).toString('utf8'))
      : Array.from(await b.data());
    assert.deepEqual(Array.isArray(a.data) ? a.data : Array.from(a.data), want, `${spec.name}: values`);
  }
});

test('a missing shard is an IoError naming the file', () => {
  const { dir, group } = writeShards(Buffer.concat(ENTRIES.map((e) => e.bytes)));
  const missing = { ...group, paths: ['a.bin', 'gone.bin'] };
  assert.throws(() => loadTfjsWeights([missing], dir, 'model.json'),
    (e: Error & { code?: string }) => e.code === 'E_IO' && e.message.includes('gone.bin') && e.message.includes('missing'));
});

test('a short shard is a FormatError naming the weight that runs past the end', () => {
  const all = Buffer.concat(ENTRIES.map((e) => e.bytes));
  const { dir, group } = writeShards(all.subarray(0, all.length - 3));
  assert.throws(() => loadTfjsWeights([group], dir, 'model.json'),
    (e: Error & { code?: string }) => e.code === 'E_FORMAT' && e.message.includes("weight 'words'"));
});
