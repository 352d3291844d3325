// The runtime must load in a browser without the compiler: its sources import only each other,
// except the Node worker script, which only Node loads, importing Node's worker API.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../fixtures/fixtures.js';

test('src/runtime imports nothing but its own files', () => {
  const dir = join(REPO_ROOT, 'src/runtime');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('index.ts'));
  for (const f of files) {
    const specifiers = [...readFileSync(join(dir, f), 'utf8').matchAll(/\b(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
    for (const s of specifiers) {
      if (f === 'worker-node.ts' && s === 'node:worker_threads') continue;
      assert.match(s, /^\.\/[\w-]+\.js$/, `${f} imports '${s}'`);
    }
  }
});

test('src/runtime/native imports only the runtime and Node built-ins (it is the Node-only entry point)', () => {
  const dir = join(REPO_ROOT, 'src/runtime/native');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const specifiers = [...readFileSync(join(dir, f), 'utf8').matchAll(/\b(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
    for (const s of specifiers) assert.match(s, /^(?:\.\.?\/[\w-]+\.js|node:[\w/]+)$/, `native/${f} imports '${s}'`);
  }
});
