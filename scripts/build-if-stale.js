#!/usr/bin/env node
// Runs the TypeScript compiler only when dist/ is older than a source: `npm run demo` then starts
// at once on a built tree instead of spending 10-20 s in tsc.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOTS = ['src', 'test', 'bench', 'demo'];

function* sources(dir) {
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) { if (!f.name.startsWith('.')) yield* sources(p); } else if (f.name.endsWith('.ts') && !f.name.endsWith('.d.ts')) yield p;
  }
}

function stale() {
  const config = statSync('tsconfig.json').mtimeMs;
  for (const root of ROOTS.filter((r) => existsSync(r))) {
    for (const src of sources(root)) {
      const out = join('dist', src.replace(/\.ts$/, '.js'));
      if (!existsSync(out)) return `${out} is missing`;
      const built = statSync(out).mtimeMs;
      if (built < statSync(src).mtimeMs || built < config) return `${src} changed`;
    }
  }
  return undefined;
}

const why = stale();
if (why) {
  console.error(`building (${why})...`);
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
