// The ONNX backend conformance cases against the checked-in list of cases that do not pass
// yet: any other case must pass, and a listed case that passes must leave the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBackendTests, REPO_ROOT } from '../fixtures/fixtures.js';
import { runCases } from './pool.js';
import { Tensor } from '../../src/ir/tensor.js';
import { checkCase, compareTensors, listCases, loadCaseModel, loadDataSets, parseExpected } from './runner.js';

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

test('conformance comparison rejects a wrong value, shape or dtype', { skip: !root && 'no ../shared/onnx-backend-tests' }, () => {
  const [c] = listCases(root!, ['test_conv_with_strides_padding']);
  const g = loadCaseModel(c);
  const [set] = loadDataSets(c.dir);
  assert.equal(checkCase(g, [set]), undefined);
  const want = set.outputs[0];
  const off = Float32Array.from(want.numbers);
  off[3] += 1;
  const variants = [
    new Tensor('float32', want.shape, off),
    new Tensor('float32', [want.size], Float32Array.from(want.numbers)),
    Tensor.from('float64', want.shape, want.numbers),
  ];
  for (const wrong of variants) assert.ok(checkCase(g, [{ ...set, outputs: [wrong] }]));
  const nan = Tensor.from('float32', [2], [NaN, 1]);
  assert.equal(compareTensors(nan, nan), undefined);
});
