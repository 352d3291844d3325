// The ONNX importer: constants, older-opset forms rewritten to canonical ops (checked against
// onnxruntime-node running the original model), unsupported-op listing, corrupt files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, UnsupportedError, UnsupportedOpsError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { decodeTensorProto, importOnnx } from '../../src/frontend/onnx/import.js';
import { onnxType } from '../../src/frontend/onnx/schema.js';
import { buildGraphModel, buildNodeModel, floats, type NodeModelSpec } from '../util/onnx-builder.js';
import { runKiln, runOrt } from '../util/onnx-ort.js';
import { compareTensors } from '../conformance/runner.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';

const f32 = (name: string, shape: number[]) => ({ name, dtype: 'float32' as const, shape });
const out = (name: string, dtype: 'float32' | 'int64' | 'bool' = 'float32') => ({ name, dtype });

/** Runs the model on Kiln and onnxruntime-node with the same seeded inputs; outputs must agree. */
async function agreesWithOrt(model: Uint8Array, feeds: Record<string, Tensor>): Promise<void> {
  const want = await runOrt(model, feeds);
  const got = runKiln(model, feeds);
  for (const [name, t] of want) {
    const diff = compareTensors(got.get(name)!, t);
    assert.equal(diff, undefined, `output '${name}': ${diff}`);
  }
}

function feedsFor(spec: NodeModelSpec, lo = -1, hi = 1): Record<string, Tensor> {
  const next = rng(7);
  return Object.fromEntries(spec.inputs.map((i) => [i.name, randomTensor(i.dtype, i.shape as number[], next, lo, hi)]));
}

const int64 = (v: number[]) => Tensor.from('int64', [v.length], v);

/** Older-opset forms, each run as written by onnxruntime-node and as rewritten by Kiln. */
const REWRITES: readonly [string, NodeModelSpec][] = [
  ['Softmax opset 11 coerces to 2-D at axis', { op: 'Softmax', opset: 11, attrs: { axis: 1 }, inputs: [f32('x', [2, 3, 4])], outputs: [out('y')] }],
  ['LogSoftmax opset 11 default axis 1', { op: 'LogSoftmax', opset: 11, inputs: [f32('x', [2, 3, 4])], outputs: [out('y')] }],
  ['Hardmax opset 11', { op: 'Hardmax', opset: 11, attrs: { axis: 1 }, inputs: [f32('x', [2, 3, 2])], outputs: [out('y')] }],
  ['Slice opset 9 attributes', { op: 'Slice', opset: 9, attrs: { starts: [0, 1], ends: [2, 1000], axes: [0, 2] }, inputs: [f32('x', [3, 4, 5])], outputs: [out('y')] }],
  ['Squeeze opset 11 axes attribute', { op: 'Squeeze', opset: 11, attrs: { axes: [1] }, inputs: [f32('x', [2, 1, 3])], outputs: [out('y')] }],
  ['Unsqueeze opset 11 axes attribute', { op: 'Unsqueeze', opset: 11, attrs: { axes: [0, 3] }, inputs: [f32('x', [2, 3])], outputs: [out('y')] }],
  ['ReduceSum opset 11 axes attribute', { op: 'ReduceSum', opset: 11, attrs: { axes: [1], keepdims: 0 }, inputs: [f32('x', [2, 3, 4])], outputs: [out('y')] }],
  ['ReduceMax opset 13 axes attribute', { op: 'ReduceMax', opset: 13, attrs: { axes: [0, 2] }, inputs: [f32('x', [2, 3, 4])], outputs: [out('y')] }],
  ['Pad opset 10 attributes', { op: 'Pad', opset: 10, attrs: { pads: [0, 1, 1, 2], value: 1.5 }, inputs: [f32('x', [2, 3])], outputs: [out('y')] }],
  ['Clip opset 10 min/max attributes', { op: 'Clip', opset: 10, attrs: { min: -0.25, max: 0.5 }, inputs: [f32('x', [3, 4])], outputs: [out('y')] }],
  ['TopK opset 9 k attribute', { op: 'TopK', opset: 9, attrs: { k: 2, axis: 1 }, inputs: [f32('x', [3, 5])], outputs: [out('v'), out('i', 'int64')] }],
  ['Split opset 11 split attribute', { op: 'Split', opset: 11, attrs: { split: [1, 2], axis: 1 }, inputs: [f32('x', [2, 3])], outputs: [out('a'), out('b')] }],
  ['Split opset 11 equal parts', { op: 'Split', opset: 11, attrs: { axis: 0 }, inputs: [f32('x', [4, 3])], outputs: [out('a'), out('b')] }],
  ['Upsample opset 7 scales attribute', { op: 'Upsample', opset: 7, attrs: { scales: floats([1, 1, 2, 3]), mode: 'nearest' }, inputs: [f32('x', [1, 2, 2, 3])], outputs: [out('y')] }],
  ['Upsample opset 9 scales input', { op: 'Upsample', opset: 9, inputs: [f32('x', [1, 1, 2, 3])], initializers: { s: Tensor.from('float32', [4], [1, 1, 2, 2]) }, outputs: [out('y')] }],
  ['Resize opset 10', { op: 'Resize', opset: 10, attrs: { mode: 'nearest' }, inputs: [f32('x', [1, 1, 2, 2])], initializers: { s: Tensor.from('float32', [4], [1, 1, 3, 2]) }, outputs: [out('y')] }],
  ['Resize opset 10 nearest shrinking', { op: 'Resize', opset: 10, attrs: { mode: 'nearest' }, inputs: [f32('x', [1, 1, 5, 4])], initializers: { s: Tensor.from('float32', [4], [1, 1, 0.6, 0.5]) }, outputs: [out('y')] }],
  ['Resize opset 10 linear', { op: 'Resize', opset: 10, attrs: { mode: 'linear' }, inputs: [f32('x', [1, 2, 3, 4])], initializers: { s: Tensor.from('float32', [4], [1, 1, 2, 1.5]) }, outputs: [out('y')] }],
  ['Dropout opset 12 with mask', { op: 'Dropout', opset: 12, inputs: [f32('x', [2, 3])], outputs: [out('y'), out('mask', 'bool')] }],
  ['BatchNormalization opset 7 spatial', {
    op: 'BatchNormalization', opset: 7, attrs: { spatial: 1, epsilon: 1e-3 }, inputs: [f32('x', [2, 3, 2, 2])],
    initializers: {
      scale: Tensor.from('float32', [3], [1, 0.5, 2]), bias: Tensor.from('float32', [3], [0, 1, -1]),
      mean: Tensor.from('float32', [3], [0.1, 0.2, 0.3]), var: Tensor.from('float32', [3], [1, 2, 0.5]),
    },
    outputs: [out('y')],
  }],
  ['Reshape with allowzero', { op: 'Reshape', opset: 14, inputs: [f32('x', [2, 3, 4])], initializers: { s: int64([0, -1]) }, outputs: [out('y')] }],
];

for (const [title, spec] of REWRITES) {
  test(`ONNX import: ${title} agrees with onnxruntime`, async () => {
    const model = buildNodeModel(spec);
    const g = importOnnx(model, `${spec.op}.onnx`);
    verifyGraph(g, opDef);
    for (const n of g.nodes) assert.ok(!['Upsample', 'Dropout', 'Constant'].includes(n.op), `non-canonical ${n.op} left in the graph`);
    await agreesWithOrt(model, feedsFor(spec));
  });
}

test('ONNX import: Constant nodes of every value form become graph constants', async () => {
  const model = buildGraphModel({
    opset: 13,
    nodes: [
      { op: 'Constant', inputs: [], outputs: ['k'], attrs: { value_float: 2.5 } },
      { op: 'Constant', inputs: [], outputs: ['shape'], attrs: { value_ints: [3, 2] } },
      { op: 'Constant', inputs: [], outputs: ['bias'], attrs: { value: Tensor.from('float32', [2], [1, -1]) } },
      { op: 'Constant', inputs: [], outputs: ['one'], attrs: { value_int: 1 } },
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
      { op: 'Mul', inputs: ['r', 'k'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'bias'], outputs: ['y'] },
      { op: 'Add', inputs: ['shape', 'one'], outputs: ['s1'] },
    ],
    inputs: [f32('x', [6])],
    outputs: [out('y'), out('s1', 'int64')],
  });
  const g = importOnnx(model, 'constants.onnx');
  assert.deepEqual(g.nodes.map((n) => n.op), ['Reshape', 'Mul', 'Add', 'Add']);
  assert.deepEqual([...g.constants.keys()].sort(), ['bias', 'k', 'one', 'shape']);
  assert.equal(g.constants.get('k')!.dtype, 'float32');
  assert.equal(g.constants.get('one')!.dtype, 'int64');
  assert.deepEqual(g.values.get('y')!.shape, [3, 2]);
  await agreesWithOrt(model, { x: Tensor.from('float32', [6], [1, 2, 3, 4, 5, 6]) });
});

test('ONNX import: symbolic and unknown dims of inputs', () => {
  const model = buildNodeModel({ op: 'Relu', inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', '', -1, 3] }], outputs: [out('y')] });
  const g = importOnnx(model, 'sym.onnx');
  const [batch, missing, minusOne, three] = g.values.get('x')!.shape;
  assert.equal(batch, 'batch');
  assert.equal(three, 3);
  for (const d of [missing, minusOne]) assert.ok(typeof d === 'string' && d !== '' && d !== 'batch', `dim ${d}`);
  assert.notEqual(missing, minusOne);
  assert.deepEqual(g.values.get('y')!.shape, g.values.get('x')!.shape);
});

test('ONNX import: every unsupported op is listed in one error', () => {
  const model = buildGraphModel({
    nodes: [
      { op: 'Unique', inputs: ['x'], outputs: ['u'], name: 'first_unique' },
      { op: 'Relu', inputs: ['u'], outputs: ['r'] },
      { op: 'GridSample', inputs: ['r', 'x'], outputs: ['g'] },
      { op: 'Unique', inputs: ['g'], outputs: ['u2'] },
      { op: 'Custom', domain: 'com.example', inputs: ['u2'], outputs: ['y'] },
    ],
    domains: { 'com.example': 1 },
    inputs: [f32('x', [4])], outputs: [out('y')],
  });
  assert.throws(() => importOnnx(model, 'many.onnx'), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpsError);
    assert.deepEqual([...e.ops.keys()].sort(), ['GridSample', 'Unique', 'com.example.Custom']);
    assert.deepEqual(e.ops.get('Unique'), ['first_unique', 'Unique_3']);
    assert.match(e.message, /Unique \(2 nodes, e\.g\. 'first_unique'\)/);
    return true;
  });
});

test('ONNX import: corrupt and truncated bytes are FormatErrors naming the file', () => {
  const model = buildNodeModel({ op: 'Relu', inputs: [f32('x', [2])], outputs: [out('y')] });
  const next = rng(3);
  const garbage = Uint8Array.from({ length: 64 }, () => Math.floor(next() * 256));
  for (const [what, bytes] of [['truncated', model.subarray(0, model.length - 7)], ['garbage', garbage], ['empty', new Uint8Array()]] as const) {
    assert.throws(() => importOnnx(bytes, `/models/${what}.onnx`), (e: unknown) =>
      e instanceof FormatError && e.message.includes(`/models/${what}.onnx`), what);
  }
  const tensor = onnxType('TensorProto').encode({ dims: [4], dataType: 1, floatData: [1, 2, 3, 4] }).finish();
  assert.throws(() => decodeTensorProto(tensor.subarray(0, tensor.length - 3), 'input_0.pb'), FormatError);
});

/** A TensorProto object encoded and decoded back through Kiln. */
function viaProto(fields: object): Tensor {
  const type = onnxType('TensorProto');
  return decodeTensorProto(type.encode(type.fromObject(fields)).finish(), 'test.pb');
}

test('ONNX TensorProto: typed fields and raw_data of every element type', () => {
  // ONNX stores float16 bit patterns in int32_data: 0x3c00 is 1.0, 0xc000 is -2.0, 0x7c00 +inf
  assert.deepEqual(viaProto({ dims: [3], dataType: 10, int32Data: [0x3c00, 0xc000, 0x7c00] }).toArray(), [1, -2, Infinity]);
  assert.deepEqual(viaProto({ dims: [2], dataType: 7, int64Data: [-3, 2 ** 40] }).toArray(), [-3, 2 ** 40]);
  assert.deepEqual(viaProto({ dims: [2], dataType: 13, uint64Data: [5, 2 ** 50] }).toArray(), [5, 2 ** 50]);
  assert.deepEqual(viaProto({ dims: [3], dataType: 9, int32Data: [1, 0, 1] }).toArray(), [1, 0, 1]);
  assert.deepEqual(viaProto({ dims: [2], dataType: 11, doubleData: [0.1, -1e300] }).toArray(), [0.1, -1e300]);
  assert.deepEqual(viaProto({ dims: [2], dataType: 8, stringData: [Buffer.from('héllo'), Buffer.from('')] }).data, ['héllo', '']);
  const raw = new Uint8Array(16);
  new DataView(raw.buffer).setBigInt64(0, -5n, true);
  new DataView(raw.buffer).setBigInt64(8, 2n ** 52n + 1n, true);
  const t = viaProto({ dims: [1, 2], dataType: 7, rawData: raw });
  assert.deepEqual([t.dtype, t.shape, t.toArray()], ['int64', [1, 2], [-5, 2 ** 52 + 1]]);
  assert.deepEqual(viaProto({ dims: [2], dataType: 3, rawData: Uint8Array.from([0xff, 0x7f]) }).toArray(), [-1, 127]);
  assert.throws(() => viaProto({ dims: [3], dataType: 1, rawData: new Uint8Array(8) }), FormatError);
  assert.throws(() => viaProto({ dims: [2], dataType: 16, int32Data: [1, 2] }), /BFLOAT16/);
  assert.throws(() => viaProto({ name: 'w', dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }),
    (e: unknown) => e instanceof UnsupportedError && /w\.bin/.test(e.message));
});
