// Builds and runs bench/native/fma-peak.c with the system C compiler at -O3 -march=native, and
// prints its GFLOP/s beside lscpu's model name: the peak native kernels are compared with.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/fixtures/fixtures.js';
import { findCompiler } from '../../src/target/c/host.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-fma-'));
try {
  execFileSync(findCompiler(), ['-O3', '-march=native', '-ffp-contract=fast', '-o', join(dir, 'fma'), join(REPO_ROOT, 'bench/native/fma-peak.c')]);
  const cpu = execFileSync('lscpu', { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Model name'))?.replace(/^Model name:\s*/, '') ?? 'unknown CPU';
  process.stdout.write(`${cpu}: ${execFileSync(join(dir, 'fma'), { encoding: 'utf8' })}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
