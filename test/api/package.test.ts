// The compile API as another project uses it: a separate package installs this one (npm install
// of the folder), imports `kiln-ml` and `kiln-ml/runtime` by name, compiles a TF.js model from
// in-memory buffers and an ONNX model from bytes, and runs them; the outputs must match the
// reference executor's on the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsfwjsModel, ppocrDetModel, REPO_ROOT } from '../fixtures/fixtures.js';

const CONSUMER = `
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileModel, importModel, signature, execute, Tensor } from 'kiln-ml';
import { load } from 'kiln-ml/runtime';

const [nsfwJson, ocrOnnx] = process.argv.slice(2);
const results = {};
function maxDiff(a, b) { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; }
function input(n) { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = ((i * 2654435761) % 1000) / 1000; return x; }

// TF.js layers model from buffers: model.json text and its shards by their manifest paths
const modelJson = readFileSync(nsfwJson, 'utf8');
const shards = {};
for (const g of JSON.parse(modelJson).weightsManifest) for (const p of g.paths) shards[p] = readFileSync(join(dirname(nsfwJson), p));
const nsfw = await compileModel({ modelJson, shards, name: 'nsfwjs' }, { shapes: { input_1: [1, 224, 224, 3] }, weights: 'float16' });
const x = input(224 * 224 * 3);
const session = await load(nsfw.bytes);
const out = await session.run({ input_1: x });
const ref = execute(nsfw.graph, { input_1: new Tensor('float32', [1, 224, 224, 3], x) });
const name = session.outputs[0].name;
results.nsfw = { kernels: nsfw.report.kernels, artifactBytes: nsfw.report.artifactBytes, diff: maxDiff(out[name].data, ref.get(name).numbers), sig: signature(nsfw.graph) };

// ONNX from bytes, a symbolic input fixed by shapes
const ocr = await compileModel({ onnx: readFileSync(ocrOnnx) }, { shapes: { x: [1, 3, 64, 64] }, target: 'wasm' });
const y = input(3 * 64 * 64);
const o = await (await load(ocr.bytes)).run({ x: y });
const oname = Object.keys(o)[0];
const oref = execute(ocr.graph, { x: new Tensor('float32', [1, 3, 64, 64], y) });
results.ocr = { features: ocr.report.features, diff: maxDiff(o[oname].data, oref.get(oname).numbers) };
const g = await importModel({ onnx: readFileSync(ocrOnnx) });
results.symbolic = signature(g).inputs[0].shape;
console.log(JSON.stringify(results));
`;

test('a separate package installs kiln-ml, compiles from buffers with the exported API and runs with kiln-ml/runtime', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-consumer-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  writeFileSync(join(dir, 'main.js'), CONSUMER);
  const npm = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', REPO_ROOT], { cwd: dir, encoding: 'utf8' });
  assert.equal(npm.status, 0, npm.stderr);
  const r = spawnSync(process.execPath, ['main.js', nsfwjsModel('mobilenet_v2'), ppocrDetModel()], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    nsfw: { kernels: number; artifactBytes: number; diff: number; sig: { inputs: { name: string; shape: number[] }[] } };
    ocr: { features: string[]; diff: number }; symbolic: (string | number)[];
  };
  assert.ok(j.nsfw.kernels > 20);
  assert.ok(j.nsfw.diff < 1e-4, `nsfwjs compiled vs reference: ${j.nsfw.diff}`);
  assert.deepEqual(j.nsfw.sig.inputs[0].shape, [1, 224, 224, 3]);
  assert.deepEqual(j.ocr.features, ['atomics'], 'the wasm target: no SIMD, threads');
  assert.ok(j.ocr.diff < 1e-3, `PP-OCR det compiled vs reference: ${j.ocr.diff}`);
  assert.ok(j.symbolic.some((d) => typeof d === 'string'), 'the imported ONNX keeps its symbolic dims');
});
