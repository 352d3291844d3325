// The runtime in a browser: headless Chromium loads kiln/runtime's own files as ES modules from a
// localhost server, runs a compiled real model (SIMD, and relaxed-SIMD FMA, which Chromium validates)
// and must give Node's outputs. Skipped when Chromium is not installed (apt-get install chromium).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { compile } from '../../src/compile/compile.js';
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { load } from '../../src/runtime/index.js';
import { nsfwjsModel, REPO_ROOT } from '../fixtures/fixtures.js';
import { agreement } from '../util/agreement.js';

const CHROMIUM = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && `headless Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set KILN_CHROMIUM)`;

const RUNTIME_DIR = join(REPO_ROOT, 'dist/src/runtime');
const files = new Map<string, Uint8Array>();
let server: Server | undefined;
let origin = '';

before(async () => {
  if (skip) return;
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = path.startsWith('/runtime/') ? runtimeFile(path.slice('/runtime/'.length)) : files.get(path) ?? (path === '/' ? Buffer.from('<!doctype html><title>kiln</title>') : undefined);
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : path === '/' ? 'text/html' : 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

/** Only the runtime's own compiled files: a browser importing anything else from dist fails the test. */
function runtimeFile(name: string): Buffer | undefined {
  const path = normalize(join(RUNTIME_DIR, name));
  return path.startsWith(RUNTIME_DIR) && path.endsWith('.js') && existsSync(path) ? readFileSync(path) : undefined;
}

interface PageResult { readonly shape: number[]; readonly data: number[]; readonly error?: string; readonly relaxed: boolean }

test('headless Chromium runs a compiled MobileNetV2 with kiln/runtime alone and gives Node\'s outputs', { skip, timeout: 180_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const g = withInputShapes(await loadModel(nsfwjsModel('mobilenet_v2')), { input_1: [1, 224, 224, 3] });
  const input = randomTensor('float32', [1, 224, 224, 3], rng(11)).numbers as Float32Array;
  const simd = (await compile(g)).bytes, relaxed = (await compile(g, { relaxedSimd: true })).bytes;
  const want = await (await load(simd)).run({ input_1: input });
  const name = g.outputs[0];
  files.set('/simd.kiln', simd).set('/relaxed.kiln', relaxed).set('/input.bin', new Uint8Array(input.buffer));

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const runIn = (file: string) => page.evaluate(async ([file, output]): Promise<PageResult> => {
      const { hostFeatures, load } = await import('/runtime/index.js' as string) as typeof import('../../src/runtime/index.js');
      const bytes = new Uint8Array(await (await fetch(file)).arrayBuffer());
      const x = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
      const session = await load(bytes);
      const out = (await session.run({ input_1: x }))[output];
      let error: string | undefined;
      try { await session.run({ input_1: new Float32Array(3) }); } catch (e) { error = `${(e as { code: string }).code}: ${(e as Error).message}`; }
      return { shape: [...out.shape], data: Array.from(out.data as Float32Array), error, relaxed: hostFeatures()['relaxed-simd'] };
    }, [file, name] as const);

    const got = await runIn('/simd.kiln');
    assert.deepEqual(got.shape, want[name].shape);
    assert.deepEqual(got.data, Array.from(want[name].data as Float32Array), 'the same wasm on the same input: identical outputs');
    assert.match(got.error ?? '', /^E_INPUT: input 'input_1' \(float32 \[1,224,224,3\]\) needs 150528 elements, got 3/);

    // relaxed FMA rounds once per multiply-add: close to, not equal to, the separate multiply and add
    const fused = await runIn('/relaxed.kiln');
    assert.ok(fused.relaxed, 'Chromium validates relaxed SIMD');
    const { maxAbsError, maxMagnitude } = agreement(Float32Array.from(fused.data), Array.from(want[name].data as Float32Array));
    assert.ok(maxAbsError <= 1e-4 * maxMagnitude, `relaxed SIMD differs by ${maxAbsError} of ${maxMagnitude}`);
  } finally {
    await browser.close();
  }
});
