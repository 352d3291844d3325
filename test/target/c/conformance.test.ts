// The C target under the compiled conformance list: every case the wasm target passes is compiled
// for the C target (entry kiln_case_N), all cases built into one executable under
// -fsanitize=address,undefined and run (each on a block of its own exact size), outputs compared
// as the compiled conformance test compares them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fromRuntimeTensor } from '../../../src/artifact/feeds.js';
import { tensorBytes } from '../../../src/artifact/layout.js';
import { compile } from '../../../src/compile/compile.js';
import { ShapeError } from '../../../src/errors.js';
import { withInputShapes } from '../../../src/frontend/load.js';
import { parseArtifact } from '../../../src/runtime/artifact.js';
import { arrayClass, numel } from '../../../src/runtime/dtypes.js';
import type { Manifest } from '../../../src/runtime/manifest.js';
import { freezeSet, shapeDecidingInputs } from '../../conformance/compiled.js';
import { compareTensors, expectedListFile, listCases, loadCaseModel, loadDataSets, parseExpected, tensorDataSets, toleranceFor, type TensorDataSet as DataSet } from '../../conformance/runner.js';
import { onnxBackendTests, REPO_ROOT } from '../../fixtures/fixtures.js';
import { runModels, type ImageModel } from './image-runner.js';
import { testCompiler } from './harness.js';

const root = onnxBackendTests();
const cc = testCompiler();
const skip = !root ? 'no ../shared/onnx-backend-tests' : !cc ? 'no C compiler (install gcc or clang, or set $CC)' : false;
if (skip) console.log(`# skipped: ${skip}`);

interface Prepared extends ImageModel {
  readonly label: string;
  readonly manifest: Manifest;
  readonly want: DataSet;
}

/** One data set of one case compiled for the C target with the inputs in its memory; undefined when it has strings or data-sized outputs. */
async function prepare(index: number, label: string, sets: readonly DataSet[], set: DataSet, g: ReturnType<typeof loadCaseModel>): Promise<Prepared | undefined> {
  const build = async (frozen: ReadonlySet<string>) => {
    const fed = set.inputs.map((t, i) => [g.inputs[i], t] as const).filter(([n]) => !frozen.has(n));
    const graph = withInputShapes(freezeSet(g, set, frozen), Object.fromEntries(fed.map(([n, t]) => [n, t.shape])));
    return { fed, bytes: (await compile(graph, { target: 'c', entry: `kiln_case_${index}` })).bytes };
  };
  const { fed, bytes } = await build(new Set()).catch(async (e: unknown) => {
    if (!(e instanceof ShapeError) || !/depends on input values/.test(e.message)) throw e;
    return build((await shapeDecidingInputs(g, sets[0])) ?? new Set());
  });
  const art = parseArtifact(bytes);
  const m = art.manifest;
  if (m.strings || m.outputs.some((o) => o.dynamic)) return undefined;
  const memory = new Uint8Array(m.memory.bytes);
  memory.set(art.weights, m.memory.weights.offset);
  for (const [name, t] of fed) memory.set(tensorBytes(t), m.inputs.find((s) => s.name === name)!.offset);
  return { label, manifest: m, want: set, source: new TextDecoder().decode(art.wasm), memory };
}

function check(p: Prepared, memory: Uint8Array): string | undefined {
  for (const [k, slot] of p.manifest.outputs.entries()) {
    const Arr = arrayClass(slot.dtype);
    const bytes = memory.slice(slot.offset, slot.offset + numel(slot.shape) * Arr.BYTES_PER_ELEMENT);
    const got = fromRuntimeTensor({ name: slot.name, dtype: slot.dtype, shape: slot.shape, data: new (Arr as unknown as new (b: ArrayBuffer) => InstanceType<typeof Arr>)(bytes.buffer) });
    const diff = compareTensors(got, p.want.outputs[k], toleranceFor(p.want.outputs[k].dtype));
    if (diff) return `${p.label} output ${k} '${slot.name}': ${diff}`;
  }
  return undefined;
}

describe('C target on the compiled conformance list', { skip }, () => {
  // one build serves both checks, to keep CI short: the outputs must match, and the sanitizers,
  // which halt on their first report, must have nothing to say
  it('passes every case the wasm target passes, built with -fsanitize=address,undefined', async () => {
    const expected = parseExpected(readFileSync(join(REPO_ROOT, expectedListFile('compiled')), 'utf8'));
    const prepared: Prepared[] = [];
    let skipped = 0;
    for (const c of listCases(root!).filter((k) => !expected.has(k.name))) {
      const g = loadCaseModel(c), sets = tensorDataSets(loadDataSets(c.dir, g));
      for (const [s, set] of sets.entries()) {
        const p = await prepare(prepared.length, `${c.name}/${s}`, sets, set, g);
        if (p) prepared.push(p); else skipped++;
      }
    }
    console.log(`# C conformance: ${prepared.length} data sets; ${skipped} skipped (string tensors or data-sized outputs, which the image runner does not feed)`);
    const out = await runModels(cc!, prepared, ['-O1', '-march=native', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer']);
    const failures = prepared.map((p, i) => check(p, out[i])).filter((f): f is string => f !== undefined);
    assert.deepEqual(failures, []);
  });
});
