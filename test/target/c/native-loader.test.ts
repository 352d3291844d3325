// kiln/runtime/native's checks: a host lacking a CPU flag the code needs gets E_FEATURE naming it,
// the sandboxed load() refuses native code with a pointer to loadNative, loadNative refuses a wasm
// artifact, and an unchanged model recompiles from the build cache without running the C compiler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile } from '../../../src/compile/compile.js';
import { withInputShapes } from '../../../src/frontend/load.js';
import { load } from '../../../src/runtime/index.js';
import { loadNative } from '../../../src/runtime/native/index.js';
import { listCases, loadCaseModel, loadDataSets, tensorDataSets } from '../../conformance/runner.js';
import { onnxBackendTests } from '../../fixtures/fixtures.js';
import { nativeSkip } from './harness.js';

const root = onnxBackendTests();
const skip = process.arch !== 'x64' ? 'the CPU profiles this test names are x86-64 ones' : !root ? 'no ../shared/onnx-backend-tests' : nativeSkip();
if (skip) console.log(`# skipped: ${skip}`);

describe('native loader', { skip }, () => {
  it('checks the host, refuses the wrong loader, and caches builds', async () => {
    const [c] = listCases(root!, ['test_conv_with_strides_padding']);
    const g = loadCaseModel(c), [set] = tensorDataSets(loadDataSets(c.dir, g));
    const shaped = withInputShapes(g, Object.fromEntries(set.inputs.map((t, i) => [g.inputs[i], t.shape])));
    const first = await compile(shaped, { target: 'native', cpu: 'x86-64-v3' });
    const again = await compile(shaped, { target: 'native', cpu: 'x86-64-v3' });
    assert.equal(again.report.nativeCached, true, 'the second compile comes from the cache');
    await assert.rejects(loadNative(first.bytes, { cpuFeatures: new Set(['sse2', 'avx2']) }),
      (e: Error & { code?: string }) => e.code === 'E_FEATURE' && /lacks fma, f16c/.test(e.message));
    await assert.rejects(load(first.bytes), (e: Error & { code?: string }) => e.code === 'E_FEATURE' && /loadNative/.test(e.message));
    await assert.rejects(loadNative((await compile(shaped)).bytes), (e: Error & { code?: string }) => e.code === 'E_FORMAT');
  });
});
