// The ONNX backend conformance cases against the checked-in list of cases that do not pass
// yet: any other case must pass, and a listed case that passes must leave the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBackendTests, REPO_ROOT } from '../fixtures/fixtures.js';
import { runCases } from './pool.js';
import { listCases, parseExpected } from './runner.js';

const root = onnxBackendTests();

test('ONNX backend conformance cases', { skip: !root && 'no ../shared/onnx-backend-tests' }, async () => {
  const expected = parseExpected(readFileSync(join(REPO_ROOT, 'test/conformance/expected-unsupported.txt'), 'utf8'));
  const results = await runCases(listCases(root!), { jobs: 2, timeoutMs: 60_000 });
  const count = (s: string) => results.filter((r) => r.status === s).length;
  console.log(`conformance: pass ${count('pass')}, fail ${count('fail')}, unsupported ${count('unsupported')} of ${results.length}`);

  const broken = results.filter((r) => r.status !== 'pass' && !expected.has(r.name))
    .map((r) => `${r.name}: ${r.status.toUpperCase()} ${r.reason}`);
  const fixed = results.filter((r) => r.status === 'pass' && expected.has(r.name)).map((r) => r.name);
  const gone = [...expected.keys()].filter((n) => !results.some((r) => r.name === n));
  assert.deepEqual(broken, [], 'cases outside expected-unsupported.txt that do not pass');
  assert.deepEqual(fixed, [], 'cases that now pass: remove them from test/conformance/expected-unsupported.txt');
  assert.deepEqual(gone, [], 'cases in expected-unsupported.txt that do not exist');
});
