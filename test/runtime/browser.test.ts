// The runtime in a browser: headless Chromium loads kiln/runtime's own files as ES modules from a
// localhost server, runs a compiled real model (SIMD, and relaxed-SIMD FMA, which Chromium validates)
// and must give Node's outputs: on 2 module workers where the page is cross-origin isolated (a
// second server sends COOP/COEP), on 1 thread with one warning where it is not. Skipped when
// Chromium is not installed (apt-get install chromium).
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
import type { Page } from 'playwright-core';

const CHROMIUM = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && `headless Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set KILN_CHROMIUM)`;

const RUNTIME_DIR = join(REPO_ROOT, 'dist/src/runtime');
const files = new Map<string, Uint8Array>();
const servers: Server[] = [];
/** The same files from a plain server and from one whose every response makes pages cross-origin isolated. */
let origin = '', isolatedOrigin = '';
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

async function serve(headers: Record<string, string>): Promise<string> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = path.startsWith('/runtime/') ? runtimeFile(path.slice('/runtime/'.length)) : files.get(path) ?? (path === '/' ? Buffer.from('<!doctype html><title>kiln</title>') : undefined);
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { ...headers, 'content-type': path.endsWith('.js') ? 'text/javascript' : path === '/' ? 'text/html' : 'application/octet-stream' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  if (skip) return;
  origin = await serve({});
  isolatedOrigin = await serve(ISOLATION);
});
after(() => { for (const s of servers) s.close(); });

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
  const node = await load(simd);
  const want = await node.run({ input_1: input });
  await node.dispose();
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

    // threads: 2 module workers where the page is isolated; 1 thread and one warning where it is not
    const threaded = (page: Page) => page.evaluate(async (output): Promise<PageResult & { threads: number[]; isolated: boolean }> => {
      const { load } = await import('/runtime/index.js' as string) as typeof import('../../src/runtime/index.js');
      const bytes = new Uint8Array(await (await fetch('/simd.kiln')).arrayBuffer());
      const x = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
      const sessions = [await load(bytes, { threads: 2 }), await load(bytes, { threads: 2 })];
      const out = (await sessions[0].run({ input_1: x }))[output];
      const again = (await sessions[1].run({ input_1: x }))[output];
      const same = Array.from(again.data as Float32Array).every((v, i) => Object.is(v, (out.data as Float32Array)[i]));
      await Promise.all(sessions.map((s) => s.dispose()));
      return { shape: [...out.shape], data: Array.from(out.data as Float32Array), relaxed: false, error: same ? undefined : 'sessions differ',
        threads: sessions.map((s) => s.threads), isolated: crossOriginIsolated };
    }, name);
    const warnings: string[] = [];
    const isolated = await browser.newPage();
    isolated.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await isolated.goto(`${isolatedOrigin}/`);
    const two = await threaded(isolated);
    assert.ok(two.isolated, 'the COOP/COEP headers make the page cross-origin isolated');
    assert.deepEqual(two.threads, [2, 2]);
    assert.equal(two.error, undefined);
    assert.deepEqual(two.data, Array.from(want[name].data as Float32Array), '2 browser workers: Node\'s outputs bit for bit');
    assert.equal(warnings.length, 0, `no warning on an isolated page: ${warnings.join(' | ')}`);

    const plain = await browser.newPage();
    plain.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await plain.goto(`${origin}/`);
    const one = await threaded(plain);
    assert.ok(!one.isolated);
    assert.deepEqual(one.threads, [1, 1]);
    assert.deepEqual(one.data, Array.from(want[name].data as Float32Array));
    assert.equal(warnings.length, 1, `one warning for two sessions: ${warnings.join(' | ')}`);
    assert.match(warnings[0], /runs? on 1 thread.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
  } finally {
    await browser.close();
  }
});
