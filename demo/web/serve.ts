// `npm run demo:web`: compiles the nsfwjs MobileNetV2 (a profiling build, so the page can time
// each kernel) and serves the page, the runtime's own files, the artifact, and TF.js with the
// model for the comparison, from localhost. Usage: node dist/demo/web/serve.js [--port N]
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { dirname, extname, join, normalize } from 'node:path';
import { compileModel } from '../../src/api/compile.js';
import { nsfwjsModel, REPO_ROOT } from '../../test/fixtures/fixtures.js';

const require = createRequire(import.meta.url);
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json', '.wasm': 'application/wasm' };

/** Files under `root` only, never above it. */
function under(root: string, rel: string): string | undefined {
  const path = normalize(join(root, rel));
  return path.startsWith(root + '/') && existsSync(path) ? path : undefined;
}

export async function startServer(port = 0): Promise<{ url: string; close: () => void }> {
  const modelJson = nsfwjsModel('mobilenet_v2');
  const { bytes } = await compileModel(modelJson, { shapes: { input_1: [1, 224, 224, 3] }, profile: true });
  const roots: Record<string, string> = {
    '/dist/': join(REPO_ROOT, 'dist'),
    '/tfjs/': dirname(require.resolve('@tensorflow/tfjs/dist/tf.min.js')),
    '/tfjs-wasm/': dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js')),
    '/nsfwjs/': dirname(modelJson),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let body: Uint8Array | undefined;
    if (path === '/') body = readFileSync(join(REPO_ROOT, 'demo/web/index.html'));
    else if (path === '/model/nsfwjs.kiln') body = bytes;
    else {
      const prefix = Object.keys(roots).find((p) => path.startsWith(p));
      const file = prefix && under(roots[prefix], path.slice(prefix.length));
      // from dist only compiled .js: the page imports the runtime, the chart and the resize code
      if (file && (prefix !== '/dist/' || file.endsWith('.js'))) body = readFileSync(file);
    }
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': path === '/' ? 'text/html' : TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const { url } = await startServer(at > 0 ? Number(process.argv[at + 1]) : 8080);
  console.log(`Kiln web demo at ${url} (Ctrl-C stops it)`);
}
