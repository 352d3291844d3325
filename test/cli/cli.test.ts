// The `kiln` command end to end on real npm models: `inspect` checked against the model files
// read independently (onnxruntime-node's metadata, a raw protobuf walk, the TF.js model.json),
// and `run` checked against onnxruntime-node on the same .npy input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import * as ort from 'onnxruntime-node';
import { humanModel, nsfwjsModel, ppocrDetModel, REPO_ROOT } from '../fixtures/fixtures.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { loadModel } from '../../src/frontend/load.js';
import { layoutConversions } from '../../src/passes/layout-report.js';
import { optimizeGraph } from '../../src/passes/pipeline.js';
import { kiln, show } from './kiln-process.js';

interface Signature { name: string; dtype: string; shape: (number | string)[] }
interface Summary {
  format: string; inputs: Signature[]; outputs: Signature[]; nodes: number;
  ops: Record<string, number>; parameters: number; macs: number | null;
  layoutConversions: { count: number; between: Record<string, number> } | null;
}
interface OutputRecord { index: number; name: string; dtype: string; shape: number[]; file: string }

const OCR = ppocrDetModel();
const SMALL = [1, 3, 64, 64];

function inspectJson(args: readonly string[]): Summary {
  const r = kiln(['inspect', '--json', ...args]);
  assert.equal(r.status, 0, show(r));
  return JSON.parse(r.stdout) as Summary;
}

/**
 * Walks ModelProto -> GraphProto with protobufjs's schema-less reader: op counts, and the
 * float elements of initializers and Constant nodes (where paddle2onnx keeps the weights).
 */
function onnxCensus(bytes: Uint8Array): { ops: Map<string, number>; floatElements: number } {
  const FLOAT_TYPES = new Set([1, 10, 11, 16]); // FLOAT, FLOAT16, DOUBLE, BFLOAT16
  const fields = (buf: Uint8Array, visit: (field: number, r: protobuf.Reader, wire: number) => boolean) => {
    const r = protobuf.Reader.create(buf);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (!visit(tag >>> 3, r, tag & 7)) r.skipType(tag & 7);
    }
  };
  let floatElements = 0;
  const countTensor = (buf: Uint8Array) => { // TensorProto.dims (1), data_type (2)
    const dims: number[] = [];
    let type = 0;
    fields(buf, (t, tr, wire) => {
      if (t === 1 && wire === 2) { const end = tr.uint32() + tr.pos; while (tr.pos < end) dims.push(Number(tr.int64())); return true; }
      if (t === 1) { dims.push(Number(tr.int64())); return true; }
      if (t === 2) { type = tr.int32(); return true; }
      return false;
    });
    if (FLOAT_TYPES.has(type)) floatElements += dims.reduce((a, b) => a * b, 1);
  };
  const ops = new Map<string, number>();
  fields(bytes, (f, r) => {
    if (f !== 7) return false; // ModelProto.graph
    fields(r.bytes(), (g, gr) => {
      if (g === 5) { countTensor(gr.bytes()); return true; } // GraphProto.initializer
      if (g !== 1) return false; // GraphProto.node
      let op = '';
      const tensors: Uint8Array[] = [];
      fields(gr.bytes(), (n, nr) => {
        if (n === 4) { op = nr.string(); return true; } // NodeProto.op_type
        if (n !== 5) return false; // NodeProto.attribute -> AttributeProto.t (5)
        fields(nr.bytes(), (a, ar) => { if (a !== 5) return false; tensors.push(ar.bytes()); return true; });
        return true;
      });
      ops.set(op, (ops.get(op) ?? 0) + 1);
      if (op === 'Constant') tensors.forEach(countTensor);
      return true;
    });
    return true;
  });
  return { ops, floatElements };
}

test('kiln --help and --version exit 0', () => {
  const help = kiln(['--help']);
  assert.equal(help.status, 0, show(help));
  assert.match(help.stdout, /inspect \[options\] <MODEL>/);
  assert.match(help.stdout, /run \[options\] <MODEL>/);
  assert.match(help.stdout, /bench \[options\] <MODEL>/);
  assert.match(help.stdout, /profile \[options\] <MODEL>/);
  const version = kiln(['--version']);
  assert.equal(version.status, 0, show(version));
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);
});

test('inspect ONNX (PP-OCR det): signature as onnxruntime reads it, op and weight counts as the file holds them', async () => {
  const s = inspectJson([OCR]);
  const session = await ort.InferenceSession.create(OCR);
  const fromOrt = (m: readonly ort.InferenceSession.ValueMetadata[]) => m.map((v) => {
    assert.ok(v.isTensor);
    return { name: v.name, dtype: v.type, shape: v.shape.map((d) => (typeof d === 'number' ? d : 'symbolic')) };
  });
  const symbolic = (sig: Signature[]) => sig.map((v) => ({ ...v, shape: v.shape.map((d) => (typeof d === 'number' ? d : 'symbolic')) }));
  assert.deepEqual(symbolic(s.inputs), fromOrt(session.inputMetadata));
  assert.deepEqual(symbolic(s.outputs), fromOrt(session.outputMetadata));
  await session.release();

  const census = onnxCensus(readFileSync(OCR));
  assert.equal(s.format, 'onnx');
  assert.equal(s.ops.Conv, census.ops.get('Conv'), 'Conv nodes');
  // the frontend may add a few scalar constants, never drop weights
  assert.ok(s.parameters >= census.floatElements && s.parameters <= census.floatElements * 1.01,
    `parameters ${s.parameters} vs ${census.floatElements} float initializer elements`);
  assert.equal(s.macs, null, 'symbolic input dims leave MACs unknown');
  assert.equal(s.nodes, Object.values(s.ops).reduce((a, b) => a + b, 0));

  const text = kiln(['inspect', OCR]);
  assert.equal(text.status, 0, show(text));
  assert.match(text.stdout, /^format +onnx/m);
  assert.match(text.stdout, new RegExp(`^  Conv +${census.ops.get('Conv')}$`, 'm'));
  assert.match(text.stdout, new RegExp(`\\(${s.parameters} float weights\\)`));
  assert.match(text.stdout, /^MACs +unknown/m);
});

test('inspect --shape makes MACs known, and they scale with the image area of a fully convolutional model', () => {
  const small = inspectJson([OCR, '--shape', `x=${SMALL}`]);
  const big = inspectJson([OCR, '--shape', 'x=1,3,128,128']);
  assert.deepEqual(small.inputs[0].shape, SMALL);
  assert.ok(small.macs !== null && small.macs > 0 && big.macs !== null);
  assert.ok(Math.abs(big.macs / small.macs - 4) < 0.04, `MACs ${small.macs} at 64x64, ${big.macs} at 128x128`);
});

test('inspect TF.js graph model (human selfie): signature, weights as model.json states them, layout conversions left', async () => {
  const path = humanModel('selfie');
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    signature: Record<'inputs' | 'outputs', Record<string, { name: string; tensorShape: { dim: { size: string }[] } }>>;
    weightsManifest: { weights: { dtype: string; shape: number[] }[] }[];
  };
  const s = inspectJson([path]);
  assert.equal(s.format, 'tfjs-graph');
  const bare = (n: string) => n.replace(/:0$/, '');
  for (const side of ['inputs', 'outputs'] as const) {
    const want = Object.values(json.signature[side]).map((v) => ({
      name: bare(v.name), dtype: 'float32', shape: v.tensorShape.dim.map((d) => Number(d.size)),
    }));
    assert.deepEqual(s[side].map((v) => ({ ...v, name: bare(v.name) })), want, side);
  }
  const floats = json.weightsManifest.flatMap((g) => g.weights).filter((w) => w.dtype === 'float32')
    .reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  assert.ok(s.parameters >= floats && s.parameters <= floats * 1.01, `parameters ${s.parameters} vs ${floats} in the manifest`);
  assert.ok(s.macs !== null && s.macs > 0, 'static shapes give a MAC count');
  const layout = layoutConversions(optimizeGraph(await loadModel(path)).graph);
  assert.deepEqual(s.layoutConversions, { count: layout.count, between: layout.between }, 'the transposes left after optimisation');
});

test('inspect TF.js layers model (nsfwjs mobilenet_v2) with --shape: the Keras config\'s input and classifier width', () => {
  const path = nsfwjsModel('mobilenet_v2');
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    modelTopology: { model_config: { config: { input_layers: [string, number, number][]; layers: { name: string; config: { units?: number } }[] } } };
  };
  const config = json.modelTopology.model_config.config;
  const inputName = config.input_layers[0][0];
  const s = inspectJson([path, '--shape', `${inputName}=1,224,224,3`]);
  assert.equal(s.format, 'tfjs-layers');
  assert.deepEqual(s.inputs.map((v) => [v.name, v.dtype, v.shape]), [[inputName, 'float32', [1, 224, 224, 3]]]);
  const classes = config.layers[config.layers.length - 1].config.units;
  assert.deepEqual(s.outputs.map((v) => v.shape), [[1, classes]]);
});

test('run --input: PP-OCR outputs match onnxruntime-node on the same .npy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
  try {
    const x = randomTensor('float32', SMALL, rng(11));
    writeNpy(join(dir, 'x.npy'), x);
    const out = join(dir, 'out');
    const r = kiln(['run', OCR, '--engine', 'reference', '--input', `x=${join(dir, 'x.npy')}`, '--out-dir', out]);
    assert.equal(r.status, 0, show(r));
    const records = JSON.parse(readFileSync(join(out, 'outputs.json'), 'utf8')) as OutputRecord[];
    const session = await ort.InferenceSession.create(OCR);
    const want = await session.run({ x: new ort.Tensor('float32', x.numbers as Float32Array, SMALL) });
    assert.deepEqual(records.map((o) => o.name), session.outputNames);
    for (const rec of records) {
      const got = readNpy(join(out, rec.file));
      const ref = want[rec.name];
      assert.deepEqual([...got.shape], ref.dims.map(Number), rec.name);
      assert.deepEqual([rec.dtype, rec.shape], [got.dtype, [...got.shape]], `outputs.json describes ${rec.file}`);
      const refData = ref.data as Float32Array;
      let maxErr = 0;
      got.numbers.forEach((v, i) => { maxErr = Math.max(maxErr, Math.abs(v - refData[i])); });
      assert.ok(maxErr <= 1e-4, `${rec.name}: max |kiln - onnxruntime| = ${maxErr}`);
    }
    await session.release();
    assert.match(r.stdout, /output 0: sigmoid_0\.tmp_0 {2}float32 \[1,1,64,64\] {2}min /);
    assert.match(r.stdout, /ran in [\d.]+ ms/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run --random: writes the files outputs.json describes, the same bytes for the same seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
  try {
    const runOnce = (out: string) => {
      const r = kiln(['run', OCR, '--engine', 'reference', '--random', '--seed', '5', '--shape', `x=${SMALL}`, '--out-dir', join(dir, out)]);
      assert.equal(r.status, 0, show(r));
      const records = JSON.parse(readFileSync(join(dir, out, 'outputs.json'), 'utf8')) as OutputRecord[];
      assert.deepEqual(records.map((o) => [o.index, o.file]), [[0, 'output_0.npy']]);
      for (const rec of records) {
        const t = readNpy(join(dir, out, rec.file));
        assert.deepEqual([t.dtype, [...t.shape]], [rec.dtype, rec.shape]);
        assert.deepEqual(rec.shape, [1, 1, 64, 64]);
      }
      return readFileSync(join(dir, out, 'output_0.npy'));
    };
    assert.ok(runOnce('a').equals(runOnce('b')), 'same seed, same output bytes');
    assert.ok(!existsSync(join(dir, 'a', 'output_1.npy')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
