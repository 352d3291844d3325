// The everyday commands as a user runs them: bench and profile (output shape, JSON, exit codes,
// the HTML chart opening in Chromium), run with an image against run with the same pixels as
// .npy, --runs labelling, inspect of a .kiln (even renamed), compile refusing to overwrite its
// input, --weights float16 (smaller, same outputs), and --out-dir failing at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { Tensor } from '../../src/ir/tensor.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { humanModel, nsfwjsModel, ppocrDetModel } from '../fixtures/fixtures.js';
import { kiln, show } from './kiln-process.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-tool-'));
const at = (f: string) => join(dir, f);
const NSFW = nsfwjsModel('mobilenet_v2');
const SHAPE = ['--shape', 'input_1=1,224,224,3'];

function ok(args: string[]) {
  const r = kiln(args, {}, 300_000);
  assert.equal(r.status, 0, show(r));
  return r;
}

test('an image input gives exactly the outputs of the same pixels as .npy, and --labels names the top classes', { timeout: 300_000 }, () => {
  // a 224x224 image needs no resize: the tensor is the bytes / 255 in NHWC
  const png = new PNG({ width: 224, height: 224 });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 7919 + (i >> 10) * 31) % 256;
  writeFileSync(at('photo.png'), PNG.sync.write(png));
  const rgb = new Float32Array(224 * 224 * 3);
  for (let p = 0; p < 224 * 224; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = png.data[p * 4 + c] / 255;
  writeNpy(at('photo.npy'), new Tensor('float32', [1, 224, 224, 3], rgb));
  writeFileSync(at('labels.txt'), 'Drawing\nHentai\nNeutral\nPorn\nSexy\n');
  const viaImage = ok(['run', NSFW, '--input', `input_1=${at('photo.png')}`, '--labels', at('labels.txt'), '--out-dir', at('img')]);
  ok(['run', NSFW, '--input', `input_1=${at('photo.npy')}`, ...SHAPE, '--out-dir', at('npy')]);
  assert.deepEqual([...readNpy(at('img/output_0.npy')).numbers], [...readNpy(at('npy/output_0.npy')).numbers]);
  assert.match(viaImage.stdout, /top-5 (Drawing|Hentai|Neutral|Porn|Sexy) \[\d\]/);
  assert.match(viaImage.stdout, /first run [\d.]+ ms \(.*the first run is cold, add --runs N for the steady state\)/);
});

test('run --runs prints the first run and the steady state, each labelled', { timeout: 300_000 }, () => {
  const r = ok(['run', NSFW, ...SHAPE, '--random', '--runs', '5', '--out-dir', at('runs')]);
  assert.match(r.stdout, /first run [\d.]+ ms \(cold\); steady state [\d.]+ ms median of 5 runs \(min [\d.]+, p90 [\d.]+\) after \d+ warm-up runs/);
});

test('bench prints the steady state with GFLOP/s, as a table and as JSON', { timeout: 300_000 }, () => {
  const r = ok(['bench', NSFW, ...SHAPE, '--runs', '5', '--json']);
  const j = JSON.parse(r.stdout) as { macs: number; results: { engine: string; runs: number; medianMs: number; minMs: number; p90Ms: number; gflops: number; cpuPerWall: number; warmup: number }[] };
  assert.ok(j.macs > 2e8, `MobileNetV2 at 224 has ~300M MACs, got ${j.macs}`);
  const [k] = j.results;
  assert.equal(k.runs, 5);
  assert.ok(k.minMs <= k.medianMs && k.medianMs <= k.p90Ms && k.warmup >= 3);
  assert.ok(Math.abs(k.gflops - (2 * j.macs) / (k.medianMs * 1e6)) < 1e-9);
  const table = ok(['bench', NSFW, ...SHAPE, '--runs', '3']);
  assert.match(table.stdout, /GFLOP per run/);
  assert.match(table.stdout, /kiln \(simd, atomics, \d+ threads?\)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+/);
  const badPeer = kiln(['bench', NSFW, ...SHAPE, '--vs', 'ort-node']);
  assert.equal(badPeer.status, 2, show(badPeer));
  assert.match(badPeer.stderr, /^kiln: error: --vs ort-node runs ONNX models; .* is not one\n$/);
});

test('bench --vs tfjs runs TF.js wasm on the same input and reports the largest difference', { timeout: 300_000 }, () => {
  const j = JSON.parse(ok(['bench', NSFW, ...SHAPE, '--runs', '3', '--vs', 'tfjs', '--json']).stdout) as { results: { engine: string; maxAbsDiff?: number }[] };
  assert.equal(j.results.length, 2);
  assert.match(j.results[1].engine, /TF\.js wasm/);
  assert.ok(j.results[1].maxAbsDiff! < 1e-4, `max |diff| ${j.results[1].maxAbsDiff}`);
});

test('bench --vs ort-node runs onnxruntime-node on an ONNX model; a .kiln has no model for a peer', { timeout: 300_000 }, () => {
  const ocr = ppocrDetModel();
  const j = JSON.parse(ok(['bench', ocr, '--shape', 'x=1,3,64,64', '--runs', '3', '--vs', 'ort-node', '--json']).stdout) as { results: { engine: string; maxAbsDiff?: number }[] };
  assert.match(j.results[1].engine, /onnxruntime-node/);
  assert.ok(j.results[1].maxAbsDiff! < 1e-4, `max |diff| ${j.results[1].maxAbsDiff}`);
  ok(['compile', ocr, '--shape', 'x=1,3,64,64', '-o', at('ocr64.kiln')]);
  const r = kiln(['bench', at('ocr64.kiln'), '--runs', '2', '--vs', 'ort-node']);
  assert.equal(r.status, 2, show(r));
  assert.match(r.stderr, /--vs ort-node needs the original model; .* is a compiled \.kiln artifact/);
});

test('profile lists kernels sorted with shares summing to 1, JSON and an HTML chart; a plain .kiln is refused with the fix', { timeout: 300_000 }, async () => {
  const j = JSON.parse(ok(['profile', NSFW, ...SHAPE, '--runs', '3', '--json', '--html', at('profile.html')]).stdout) as
    { kernels: { medianMs: number; share: number; ops: string[]; macs: number }[]; byKind: { kind: string; calls: number }[] };
  assert.ok(j.kernels.length > 20);
  for (let i = 1; i < j.kernels.length; i++) assert.ok(j.kernels[i - 1].medianMs >= j.kernels[i].medianMs);
  assert.ok(Math.abs(j.kernels.reduce((n, k) => n + k.share, 0) - 1) < 1e-9);
  assert.equal(j.byKind.reduce((n, k) => n + k.calls, 0), j.kernels.length);
  assert.ok(j.kernels.some((k) => k.ops[0] === 'Conv' && k.macs > 0));
  ok(['compile', NSFW, ...SHAPE, '-o', at('plain.kiln')]);
  const refused = kiln(['profile', at('plain.kiln')]);
  assert.equal(refused.status, 2, show(refused));
  assert.match(refused.stderr, /not a profiling build.*kiln compile --profile/);
  ok(['compile', NSFW, ...SHAPE, '--profile', '-o', at('prof.kiln')]);
  assert.match(ok(['profile', at('prof.kiln'), '--runs', '2', '--top', '3']).stdout, /kernels \(top 3 of \d+\)/);

  const chromium = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) return;
  const { chromium: browserType } = await import('playwright-core');
  const browser = await browserType.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${at('profile.html')}`);
    assert.match(await page.textContent('#summary') ?? '', /kernel calls/);
    assert.ok(await page.locator('#by-kernel svg rect').count() >= 20);
    assert.equal(await page.locator('#by-kind svg rect').count(), j.byKind.length);
  } finally {
    await browser.close();
  }
});

test('inspect reads a .kiln by its magic bytes; compile refuses to overwrite its input; --weights float16 halves exactly', { timeout: 300_000 }, () => {
  const faceres = humanModel('faceres');
  const shape = ['--shape', 'input_1=1,224,224,3'];
  ok(['compile', faceres, ...shape, '-o', at('f32.kiln')]);
  ok(['compile', faceres, ...shape, '--weights', 'float16', '-o', at('f16.kiln')]);
  const source = statSync(faceres.replace(/\.json$/, '.bin')).size;
  const f16 = statSync(at('f16.kiln')).size;
  assert.ok(f16 <= 1.05 * source, `float16 artifact ${f16} bytes vs the model's weights ${source}`);
  assert.ok(statSync(at('f32.kiln')).size > 1.8 * source);
  ok(['run', at('f32.kiln'), '--random', '--out-dir', at('o32')]);
  ok(['run', at('f16.kiln'), '--random', '--out-dir', at('o16')]);
  for (let i = 0; i < 3; i++) assert.deepEqual(readFileSync(at(`o16/output_${i}.npy`)), readFileSync(at(`o32/output_${i}.npy`)));

  copyFileSync(at('f16.kiln'), at('renamed.onnx'));
  const info = JSON.parse(ok(['inspect', at('renamed.onnx'), '--json']).stdout) as { format: string; kiln: string; target: string; weightEncoding: string; inputs: { shape: number[] }[]; bytes: { file: number } };
  assert.deepEqual([info.format, info.target, info.weightEncoding, info.inputs[0].shape], ['kiln', 'wasm-simd', 'float16', [1, 224, 224, 3]]);
  assert.equal(info.bytes.file, f16);
  assert.match(ok(['inspect', at('f16.kiln')]).stdout, /Kiln artifact, format version \d+, made by kiln \d/);

  copyFileSync(faceres, at('model.json'));
  copyFileSync(faceres.replace(/\.json$/, '.bin'), at('faceres.bin'));
  const before = readFileSync(at('model.json'));
  const self = kiln(['compile', at('model.json'), ...shape, '-o', at('model.json')]);
  assert.equal(self.status, 2, show(self));
  assert.match(self.stderr, /is the model being compiled/);
  const other = kiln(['compile', at('model.json'), ...shape, '-o', at('faceres.bin')]);
  assert.equal(other.status, 2, show(other));
  assert.match(other.stderr, /exists and is not a Kiln artifact; refusing to overwrite it/);
  assert.deepEqual(readFileSync(at('model.json')), before);
  const again = kiln(['compile', at('renamed.onnx'), '-o', at('x.kiln')]);
  assert.equal(again.status, 2, show(again));
  assert.match(again.stderr, /is a compiled Kiln artifact, not a model/);
});

test('--out-dir that cannot be created fails at once with exit 2; a PNG given where a model goes is named', { timeout: 60_000 }, () => {
  const t0 = Date.now();
  const r = kiln(['run', NSFW, ...SHAPE, '--random', '--out-dir', '/proc/nope/deeper'], {}, 30_000);
  assert.equal(r.status, 2, show(r));
  assert.match(r.stderr, /^kiln: error: cannot create the output folder \/proc\/nope\/deeper: .*give --out-dir a folder you can write\n$/);
  assert.ok(Date.now() - t0 < 20_000);
  const png = new PNG({ width: 2, height: 2 });
  writeFileSync(at('tiny.png'), PNG.sync.write(png));
  const m = kiln(['inspect', at('tiny.png')]);
  assert.equal(m.status, 2, show(m));
  assert.match(m.stderr, /is a PNG image, not a model/);
});

test('sharp edges: every unknown-rank input of rvm in one error; a tf.cond left open names --freeze without "please report"; an OCR shape suggestion runs', { timeout: 300_000 }, () => {
  const rvm = humanModel('rvm');
  const all = kiln(['inspect', rvm]);
  assert.equal(all.status, 2, show(all));
  for (const input of ['r1i', 'r2i', 'r3i', 'r4i', 'downsample_ratio']) assert.match(all.stderr, new RegExp(`--shape ${input}=D0,D1`));
  assert.match(all.stderr, /--freeze NAME=FILE\.npy/);
  assert.equal(all.stderr.trim().split('\n').length, 1);
  const shapes = ['--shape', 'src=1,256,256,3', '--shape', 'r1i=1,64,64,16', '--shape', 'r2i=1,32,32,20', '--shape', 'r3i=1,16,16,40', '--shape', 'r4i=1,8,8,64', '--shape', 'downsample_ratio='];
  const cond = kiln(['compile', rvm, ...shapes, '-o', at('rvm.kiln')]);
  assert.equal(cond.status, 2, show(cond));
  assert.match(cond.stderr, /tf\.cond.*--freeze NAME=FILE\.npy/);
  assert.doesNotMatch(cond.stderr, /please report/);

  const ocr = ppocrDetModel();
  const r = kiln(['compile', ocr, '-o', at('ocr.kiln')]);
  assert.equal(r.status, 2, show(r));
  const suggested = /--shape (x=[\d,]+)/.exec(r.stderr)?.[1];
  assert.equal(suggested, 'x=1,3,224,224');
  ok(['compile', ocr, '--shape', suggested, '-o', at('ocr.kiln')]);
});
