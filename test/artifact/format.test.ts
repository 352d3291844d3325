// The .kiln format: writer and parser round trip, and every way a file can be damaged is
// refused with a typed error that says where.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { assembleArtifact, writeArtifact } from '../../src/artifact/write.js';
import { FORMAT_VERSION, HEADER_BYTES, parseArtifact, SECTION_HEADER_BYTES, SECTIONS } from '../../src/runtime/artifact.js';
import { crc32 } from '../../src/runtime/crc32.js';
import { KilnRuntimeError } from '../../src/runtime/errors.js';
import { tensorBytes } from '../../src/artifact/layout.js';
import { Tensor } from '../../src/ir/tensor.js';
import { addArtifact } from '../runtime/harness.js';

const parts = addArtifact();

/** [start, end) of each section (header included) in the artifact, from the parsed lengths. */
function sectionSpans(bytes: Uint8Array): { name: string; start: number; payload: number; end: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let at = HEADER_BYTES;
  return SECTIONS.map(({ name }) => {
    const start = at;
    at += SECTION_HEADER_BYTES + Math.ceil(view.getUint32(start + 4, true) / 16) * 16;
    return { name, start, payload: start + SECTION_HEADER_BYTES, end: at };
  });
}

function parseError(bytes: Uint8Array): KilnRuntimeError {
  try {
    parseArtifact(bytes);
  } catch (e) {
    assert.ok(e instanceof KilnRuntimeError, `expected a KilnRuntimeError, got ${e}`);
    return e;
  }
  assert.fail('the damaged artifact parsed');
}

test('round trip: manifest, module and weights come back; sections aligned; CRC as zlib computes it', () => {
  const art = parseArtifact(parts.bytes);
  assert.equal(art.formatVersion, FORMAT_VERSION);
  assert.deepEqual(art.manifest, parts.manifest);
  assert.deepEqual(art.wasm, parts.wasm);
  assert.deepEqual(art.weights, parts.weights);
  assert.equal(parts.bytes.length % 16, 0);
  const view = new DataView(parts.bytes.buffer);
  for (const s of sectionSpans(parts.bytes)) {
    assert.equal(s.start % 16, 0);
    const payload = parts.bytes.subarray(s.payload, s.payload + view.getUint32(s.start + 4, true));
    assert.equal(view.getUint32(s.start + 8, true), zlibCrc32(payload));
  }
  const big = new Uint8Array(100_003).map((_, i) => (i * 7919) % 251);
  assert.equal(crc32(big), zlibCrc32(big));
});

test('a flipped byte anywhere is refused; in a payload as a checksum error naming the section', () => {
  const spans = sectionSpans(parts.bytes);
  for (let i = 0; i < parts.bytes.length; i++) {
    const bad = parts.bytes.slice();
    bad[i] ^= 0x20;
    const e = parseError(bad);
    const inPayload = spans.find((s) => i >= s.payload &&
      i < s.payload + new DataView(parts.bytes.buffer).getUint32(s.start + 4, true));
    if (inPayload) {
      assert.equal(e.code, 'E_CHECKSUM', `byte ${i}: ${e.message}`);
      assert.match(e.message, new RegExp(`${inPayload.name} section fails its CRC-32`));
    }
  }
});

test('truncation at every length is refused, naming the section that is cut', () => {
  const spans = sectionSpans(parts.bytes);
  for (let n = 0; n < parts.bytes.length; n++) {
    const e = parseError(parts.bytes.subarray(0, n));
    assert.equal(e.code, 'E_FORMAT');
    if (n < 4) assert.match(e.message, /not a Kiln artifact/);
    else if (n < HEADER_BYTES) assert.match(e.message, /truncated inside its 16-byte header/);
    else {
      const cut = spans.find((s) => n >= s.start && n < s.end)!;
      assert.match(e.message, new RegExp(`truncated.*the ${cut.name} section`), `length ${n}: ${e.message}`);
    }
  }
});

test('format versions other than this one are refused, naming both and what to do', () => {
  const withVersion = (v: number) => {
    const b = parts.bytes.slice();
    new DataView(b.buffer).setUint32(4, v, true);
    return parseError(b);
  };
  const newer = withVersion(FORMAT_VERSION + 1);
  assert.equal(newer.code, 'E_VERSION');
  assert.match(newer.message, new RegExp(`version ${FORMAT_VERSION + 1} is newer than this runtime reads \\(version ${FORMAT_VERSION}\\); upgrade`));
  const older = withVersion(FORMAT_VERSION - 1);
  assert.equal(older.code, 'E_VERSION');
  assert.match(older.message, new RegExp(`version ${FORMAT_VERSION - 1} is older .* recompile the model`));
});

test('not an artifact, or a manifest that does not parse or lacks fields', () => {
  assert.match(parseError(new TextEncoder().encode('{"format":"graph-model"}')).message, /not a Kiln artifact/);
  const withManifest = (text: string) =>
    parseError(assembleArtifact([new TextEncoder().encode(text), parts.wasm, parts.weights]));
  assert.match(withManifest('{"kiln": ').message, /manifest is not valid UTF-8 JSON/);
  const json = JSON.parse(JSON.stringify(parts.manifest));
  const without = (edit: (m: any) => void) => { const m = structuredClone(json); edit(m); return withManifest(JSON.stringify(m)); };
  assert.match(without((m) => delete m.entry).message, /field 'entry' must be a nonempty string \(missing\)/);
  assert.match(without((m) => { m.inputs[1].dtype = 'complex64'; }).message, /field 'inputs\[1\]\.dtype' must be a dtype the runtime knows, got "complex64"/);
  assert.match(without((m) => { m.features = ['simd', 'gpu']; }).message, /features\[1\]' must be one of simd, relaxed-simd, atomics/);
  assert.match(without((m) => { m.memory.pages = 0; }).message, /memory.pages' must be enough 64 KiB pages/);
  assert.match(without((m) => { m.outputs[0].offset = m.memory.bytes; }).message, /outputs\[0\]' must be within memory.bytes/);
  assert.match(without((m) => { m.memory.weights.bytes += 16; }).message, /says the weights section holds \d+ bytes but it holds \d+/);
  assert.equal(without((m) => delete m.memory).code, 'E_FORMAT');
});

test('the writer refuses what the runtime would refuse', () => {
  assert.throws(() => writeArtifact({ ...parts, manifest: { ...parts.manifest, entry: '' } }), { code: 'E_INPUT', message: /cannot write artifact: .*'entry'/ });
  assert.throws(() => writeArtifact({ ...parts, weights: new Uint8Array(3) }), { code: 'E_INPUT', message: /makes the weights section \d+ bytes but 3 weight bytes were given/ });
});

test('constants are written in the widths the runtime reads, not the IR storage', () => {
  const bytes = tensorBytes(Tensor.from('int64', [3], [-3, 2 ** 40, 7]));
  assert.deepEqual(new BigInt64Array(bytes.slice().buffer), BigInt64Array.from([-3n, 2n ** 40n, 7n]));
  const u8 = tensorBytes(Tensor.from('uint8', [2], [255, 1]));
  assert.deepEqual([...u8], [255, 1]);
});
