// The web demo (`npm run demo:web`) in headless Chromium: the page is fed the mandrill image
// (baboon-image-uri on npm), must show the top class Kiln gives in Node for the same pixels and
// the same preprocessing, positive times for Kiln and TF.js wasm, and a kernel chart; a screenshot
// is saved. Skipped when Chromium is not installed (apt-get install chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileModel } from '../../src/api/compile.js';
import { decodeImage, resizeBilinear } from '../../src/io/image.js';
import { load } from '../../src/runtime/index.js';
import { startServer } from '../../demo/web/serve.js';
import { nsfwjsModel, REPO_ROOT } from '../fixtures/fixtures.js';

const CHROMIUM = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && `headless Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set KILN_CHROMIUM)`;
const CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

function mandrill(): Uint8Array {
  const uri = createRequire(import.meta.url)('baboon-image-uri') as string;
  return Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
}

test('the web demo classifies the mandrill in Chromium as Kiln does in Node, with both times and a kernel chart', { skip, timeout: 300_000 }, async () => {
  const png = mandrill();
  // Node: the same preprocessing (RGB / 255, align-corners bilinear to 224x224), the same compiled model
  const img = decodeImage(png, 'mandrill');
  const input = resizeBilinear(img, 224, 224, 'align-corners').map((v) => v / 255);
  const { bytes } = await compileModel(nsfwjsModel('mobilenet_v2'), { shapes: { input_1: [1, 224, 224, 3] } });
  const session = await load(bytes);
  const scores = (await session.run({ input_1: input }))[session.outputs[0].name].data as Float32Array;
  const want = CLASSES[[...scores.keys()].sort((a, b) => scores[b] - scores[a])[0]];

  const dir = join(REPO_ROOT, 'dist/test-output');
  mkdirSync(dir, { recursive: true });
  const imageFile = join(dir, 'mandrill.png');
  writeFileSync(imageFile, png);
  const server = await startServer(0);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => /^(ready|error)/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 120_000 });
    await page.setInputFiles('#file', imageFile);
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 120_000 });
    assert.equal(await page.textContent('#status'), 'done', errors.join('\n'));
    assert.equal(await page.textContent('#top-class'), want);
    for (const id of ['#kiln-ms', '#tfjs-ms']) {
      const ms = Number(await page.textContent(id));
      assert.ok(ms > 0 && ms < 60_000, `${id} shows ${ms}`);
    }
    assert.ok(await page.locator('#chart svg rect').count() >= 10, 'the kernel chart has its bars');
    assert.match(await page.textContent('#classes') ?? '', new RegExp(`${want}\\s*\\d+\\.\\d+%`));
    await page.screenshot({ path: join(dir, 'demo-web.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
