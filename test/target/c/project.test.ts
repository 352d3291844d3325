// `kiln compile --target c -o DIR` on a real model: the project builds with its own Makefile under
// -Wall -Wextra -Werror, and its example main prints the reference executor's outputs for the
// input it feeds (element k of every input is k mod 7).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tensor } from '../../../src/ir/tensor.js';
import { numel } from '../../../src/ir/shape.js';
import { execute } from '../../../src/reference/execute.js';
import { humanModel, REPO_ROOT } from '../../fixtures/fixtures.js';
import { PASS_FIXTURES, staticFixture } from '../../passes/fixture-models.js';
import { testCompiler } from './harness.js';

const cc = testCompiler();
let make: string | undefined;
try { execFileSync('make', ['--version'], { stdio: 'ignore' }); make = 'make'; } catch { /* skipped below */ }
const skip = !cc ? 'no C compiler (install gcc or clang, or set $CC)' : !make ? 'no make (apt-get install make)' : false;
if (skip) console.log(`# skipped: ${skip}`);

describe('embedded C project', { skip }, () => {
  it('human blazeface: builds warning-free with its Makefile and prints the reference outputs', async () => {
    const g = await staticFixture(PASS_FIXTURES.find((m) => m.label === 'human blazeface')!);
    const feeds = Object.fromEntries(g.inputs.map((n) => {
      const shape = g.values.get(n)!.shape as number[];
      return [n, Tensor.from('float32', shape, Array.from({ length: numel(shape) }, (_, k) => k % 7))];
    }));
    const want = execute(g, feeds);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-project-'));
    try {
      execFileSync(process.execPath, [join(REPO_ROOT, 'bin/kiln.js'), 'compile', humanModel('blazeface'), '-o', dir, '--target', 'c', '--cpu', 'x86-64'], { stdio: ['ignore', 'pipe', 'pipe'] });
      execFileSync(make!, ['-s', '-C', dir, `CC=${cc}`, 'CFLAGS=-O1 -Wall -Wextra -Werror'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const printed = execFileSync(join(dir, 'model'), { encoding: 'utf8' }).trim().split('\n');
      assert.equal(printed.length, g.outputs.length);
      for (const line of printed) {
        const [, name, values] = /^output \d+ \((.*)\):(.*)$/.exec(line)!;
        const ref = want.get(name)!.numbers;
        values.trim().split(/\s+/).map(Number).forEach((x, k) => assert.ok(Math.abs(x - ref[k]) <= 1e-4 * (1 + Math.abs(ref[k])), `${name}[${k}]: ${x}, reference ${ref[k]}`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
