// The ONNX backend conformance cases on both engines (reference executor; compiled artifact run by
// the runtime), each against its checked-in list of cases that do not pass yet: any other case
// must pass, and a listed case that passes must leave the list. The compiled list holds at every graph opt level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBackendTests, REPO_ROOT } from '../fixtures/fixtures.js';
import { runCases } from './pool.js';
import { Tensor } from '../../src/ir/tensor.js';
import { DEFAULT_OPT_LEVEL, OPT_LEVELS } from '../../src/passes/pipeline.js';
import { checkCompiledCase, FROZEN, shapeDecidingInputs, type CompiledCaseOptions } from './compiled.js';
import { checkCase, compareTensors, expectedListFile, listCases, loadCaseModel, loadDataSets, parseExpected, tensorDataSets, type Engine } from './runner.js';

const root = onnxBackendTests();

/** Runs every case on `engine` and checks the results against its checked-in list; returns the counts. */
async function checkAgainstList(engine: Engine, compiled?: CompiledCaseOptions): Promise<{ pass: number; fail: number; unsupported: number; frozen: number }> {
  const listFile = expectedListFile(engine);
  const expected = parseExpected(readFileSync(join(REPO_ROOT, listFile), 'utf8'));
  const results = await runCases(listCases(root!), { jobs: 2, timeoutMs: 60_000, engine, compiled });
  const count = (s: string) => results.filter((r) => r.status === s).length;

  const broken = results.filter((r) => r.status !== 'pass' && !expected.has(r.name))
    .map((r) => `${r.name}: ${r.status.toUpperCase()} ${r.reason}`);
  const fixed = results.filter((r) => r.status === 'pass' && expected.has(r.name)).map((r) => r.name);
  const gone = [...expected.keys()].filter((n) => !results.some((r) => r.name === n));
  assert.deepEqual(broken, [], `cases outside ${listFile} that do not pass`);
  assert.deepEqual(fixed, [], `cases that now pass: remove them from ${listFile}`);
  assert.deepEqual(gone, [], `cases in ${listFile} that do not exist`);
  return { pass: count('pass'), fail: count('fail'), unsupported: count('unsupported'), frozen: results.filter((r) => r.status === 'pass' && r.reason?.endsWith(FROZEN)).length };
}

test('ONNX backend conformance cases', { skip: !root && 'no ../shared/onnx-backend-tests' }, async () => {
  const c = await checkAgainstList('reference');
  console.log(`conformance (reference): pass ${c.pass}, fail ${c.fail}, unsupported ${c.unsupported} of ${c.pass + c.fail + c.unsupported}`);
});

// every stage that can be split is (parallelMinWork 0), and 2 and 3 threads (an odd count that
// divides nothing evenly) must give the 1-thread outputs bit for bit
test('ONNX backend conformance cases, compiled and run by the runtime on 1, 2 and 3 threads', { skip: !root && 'no ../shared/onnx-backend-tests' }, async () => {
  const c = await checkAgainstList('compiled', { threads: [1, 2, 3], parallelMinWork: 0 });
  const total = c.pass + c.fail + c.unsupported;
  const referencePasses = total - parseExpected(readFileSync(join(REPO_ROOT, expectedListFile('reference')), 'utf8')).size;
  console.log(`conformance (compiled): pass ${c.pass} (${c.frozen} with shape-deciding inputs frozen), fail ${c.fail}, unsupported ${c.unsupported} of ${total}; the reference path passes ${referencePasses}`);
});

for (const level of OPT_LEVELS.filter((l) => l !== DEFAULT_OPT_LEVEL)) {
  test(`ONNX backend conformance cases, compiled at graph opt level ${level}: the same list holds`, { skip: !root && 'no ../shared/onnx-backend-tests' }, async () => {
    const c = await checkAgainstList('compiled', { optLevel: level });
    console.log(`conformance (compiled -O${level}): pass ${c.pass}, fail ${c.fail}, unsupported ${c.unsupported}`);
  });
}

test('conformance comparison rejects a wrong value, shape or dtype', { skip: !root && 'no ../shared/onnx-backend-tests' }, () => {
  const [c] = listCases(root!, ['test_conv_with_strides_padding']);
  const g = loadCaseModel(c);
  const [set] = tensorDataSets(loadDataSets(c.dir, g));
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

test('the compiled path compares its outputs too: a wrong value or shape is a failure', { skip: !root && 'no ../shared/onnx-backend-tests' }, async () => {
  const [c] = listCases(root!, ['test_conv_with_strides_padding']);
  const g = loadCaseModel(c);
  const [set] = tensorDataSets(loadDataSets(c.dir, g));
  assert.equal(await checkCompiledCase(g, [set]), undefined);
  const want = set.outputs[0];
  const off = Float32Array.from(want.numbers);
  off[3] += 1;
  for (const wrong of [new Tensor('float32', want.shape, off), new Tensor('float32', [want.size], Float32Array.from(want.numbers))]) {
    assert.ok(await checkCompiledCase(g, [{ ...set, outputs: [wrong] }]));
  }
});

test('the compiled path freezes exactly the inputs that decide output shapes, and only then', { skip: !root && 'no ../shared/onnx-backend-tests' }, async () => {
  for (const [name, want] of [['test_reshape_reordered_all_dims', ['shape']], ['test_resize_upsample_scales_linear', ['scales']]] as const) {
    const [c] = listCases(root!, [name]);
    const g = loadCaseModel(c);
    const sets = tensorDataSets(loadDataSets(c.dir, g));
    await assert.rejects(checkCompiledCase(g, sets), /depends on input values/);
    const frozen = await shapeDecidingInputs(g, sets[0]);
    assert.deepEqual([...frozen ?? []], want, name);
    assert.equal(await checkCompiledCase(g, sets, frozen), undefined);
  }
  // a data input whose values decide the shape (NonZero's) is not frozen: that would fold the model away
  const [nz] = listCases(root!, ['test_nonzero_example']);
  assert.equal(await shapeDecidingInputs(loadCaseModel(nz), tensorDataSets(loadDataSets(nz.dir, loadCaseModel(nz)))[0]), undefined);
});
