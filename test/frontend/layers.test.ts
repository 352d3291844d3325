// The layers importer on small Keras models built and saved by TF.js itself, each run by Kiln's
// reference executor and by TF.js's predict on the same seeded inputs and random weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { UnsupportedOpsError } from '../../src/errors.js';
import { rng, randomTensor } from '../../src/io/random.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';
import { execute } from '../../src/reference/execute.js';
import { compare, importFromDisk, runBoth, saveToDisk } from './layers-harness.js';

/** Float32 through a handful of layers: differences are rounding only, far below 1e-5 of the output scale. */
const TOLERANCE = 1e-5;

/** Replaces every weight by seeded random values (variances positive) so no layer is trivially zero or one. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const next = rng(seed);
  model.setWeights(model.weights.map((w) => {
    const positive = /variance/.test(w.originalName);
    const shape = w.shape as number[];
    const values = Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => (positive ? 0.5 + next() : next() * 2 - 1));
    return tf.tensor(values, shape);
  }));
}

/** Saves `model` (or takes `path`), imports it, runs both engines on random inputs in [lo, hi) with batch 2. */
async function checkModel(model: tf.LayersModel, label: string,
  { seed = 1, path, lo = -2, hi = 2 }: { seed?: number; path?: string; lo?: number; hi?: number } = {}): Promise<void> {
  randomizeWeights(model, seed);
  const file = path ?? await saveToDisk(model);
  const g = importFromDisk(file);
  verifyGraph(g, opDef);
  const next = rng(seed + 100);
  const feeds = model.inputs.map((x) => randomTensor('float32', [2, ...x.shape.slice(1) as number[]], next, lo, hi));
  const { kiln, tfjs } = runBoth(g, model, feeds);
  assert.equal(kiln.length, tfjs.length, `${label}: output count`);
  kiln.forEach((k, i) => {
    assert.deepEqual(k.shape, tfjs[i].shape, `${label}: shape of output ${i}`);
    const c = compare(k, tfjs[i]);
    assert.ok(c.maxAbsError <= TOLERANCE * Math.max(1, c.maxMagnitude),
      `${label}: output ${i} differs by ${c.maxAbsError} (max |output| ${c.maxMagnitude})`);
  });
}

function seq(layers: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({ layers });
}

const L = tf.layers;

const CASES: Readonly<Record<string, () => tf.LayersModel>> = {
  'Conv2D same, stride 2 on odd sizes, even and odd kernels, dilation': () => seq([
    L.conv2d({ inputShape: [9, 11, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }),
    L.conv2d({ filters: 5, kernelSize: [4, 2], strides: [2, 1], padding: 'same', useBias: false }),
    L.conv2d({ filters: 3, kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'tanh' }),
    L.conv2d({ filters: 2, kernelSize: 2, padding: 'valid', activation: 'sigmoid' }),
  ]),
  'DepthwiseConv2D with depth multiplier, SeparableConv2D': () => seq([
    L.depthwiseConv2d({ inputShape: [8, 9, 3], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' }),
    L.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 3, dilationRate: 2, padding: 'same', activation: 'elu' }),
    L.separableConv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'valid', useBias: false }),
    L.depthwiseConv2d({ kernelSize: 1, useBias: false }),
  ]),
  'Conv2DTranspose same and valid': () => seq([
    L.conv2dTranspose({ inputShape: [5, 6, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid' }),
    L.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', useBias: false }),
  ]),
  // batch norm on axis 1 is checked separately: TF.js's predict gets it wrong
  'channels_first conv, pools, flatten': () => seq([
    L.conv2d({ inputShape: [3, 8, 7], filters: 4, kernelSize: 3, padding: 'same', dataFormat: 'channelsFirst' }),
    L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }),
    L.conv2d({ filters: 3, kernelSize: 2, strides: 2, dataFormat: 'channelsFirst', activation: 'softplus' }),
    L.flatten({ dataFormat: 'channelsFirst' }),
    L.dense({ units: 5, activation: 'softmax' }),
  ]),
  'Conv1D dilated and strided, 1D pools': () => seq([
    L.conv1d({ inputShape: [13, 3], filters: 4, kernelSize: 3, dilationRate: 2, activation: 'relu' }),
    L.conv1d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' }),
    L.maxPooling1d({ poolSize: 2, padding: 'same' }),
    L.averagePooling1d({ poolSize: 2, strides: 1 }),
    L.globalAveragePooling1d({}),
  ]),
  '2D pools, padding, cropping, upsampling': () => seq([
    L.zeroPadding2d({ inputShape: [7, 9, 2], padding: [[1, 2], [0, 3]] }),
    L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    L.averagePooling2d({ poolSize: [2, 3], strides: [1, 2], padding: 'same' }),
    L.upSampling2d({ size: [2, 3] }),
    L.cropping2D({ cropping: [[1, 0], [2, 1]] }),
    L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
    L.averagePooling2d({ poolSize: 2 }),
  ]),
  'global pools and merges': () => {
    const x = L.input({ shape: [6, 5, 4] });
    const a = L.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
    const m = L.globalMaxPooling2d({}).apply(x) as tf.SymbolicTensor;
    const c = L.globalAveragePooling2d({}).apply(L.reLU().apply(x)) as tf.SymbolicTensor;
    const merged = [L.add(), L.multiply(), L.average(), L.maximum(), L.minimum()].map((l) => l.apply([a, m, c]) as tf.SymbolicTensor);
    return tf.model({ inputs: x, outputs: L.concatenate({ axis: -1 }).apply(merged) as tf.SymbolicTensor });
  },
  'activation layers and options': () => seq([
    L.dense({ inputShape: [6], units: 8 }),
    L.reLU({ maxValue: 1.5 }),
    L.dense({ units: 8 }), L.leakyReLU({ alpha: 0.2 }),
    L.dense({ units: 8 }), L.elu(),
    L.dense({ units: 8 }), L.thresholdedReLU({ theta: 0.3 }),
    L.dense({ units: 8 }), L.reshape({ targetShape: [2, 4] }), L.prelu({ sharedAxes: [1] }),
    L.softmax({ axis: 2 }),
  ]),
  'every TF.js activation function': () => {
    const x = L.input({ shape: [7] });
    const names = ['elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus',
      'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new'] as const;
    const outs = names.map((a) => L.activation({ activation: a as never }).apply(L.dense({ units: 5 }).apply(x)) as tf.SymbolicTensor);
    return tf.model({ inputs: x, outputs: outs });
  },
  'Dense on rank 3, reshape family, identity layers, layer norm': () => seq([
    L.dense({ inputShape: [4, 6], units: 5, activation: 'relu' }),
    L.dropout({ rate: 0.5 }), L.gaussianNoise({ stddev: 1 }),
    L.permute({ dims: [2, 1] }),
    L.layerNormalization({ epsilon: 1e-2 }),
    L.reshape({ targetShape: [10, 2] }),
    L.spatialDropout1d({ rate: 0.3 }),
    L.flatten(),
    L.repeatVector({ n: 3 }),
    L.batchNormalization({ epsilon: 0.01 }),
  ]),
  'shared layer, nested models, two inputs, two outputs': () => {
    const inner = seq([L.dense({ inputShape: [3], units: 4, activation: 'relu' }), L.dense({ units: 3 })]);
    const a = L.input({ shape: [3], name: 'a' }), b = L.input({ shape: [3] });
    const shared = L.dense({ units: 3, name: 'shared' });
    const ya = shared.apply(a) as tf.SymbolicTensor, yb = shared.apply(b) as tf.SymbolicTensor;
    const sum = L.add().apply([ya, yb]) as tf.SymbolicTensor;
    const twice = inner.apply(inner.apply(sum) as tf.SymbolicTensor) as tf.SymbolicTensor;
    // a functional model with two inputs used as a layer
    const p = L.input({ shape: [3] }), q = L.input({ shape: [3] });
    const pair = tf.model({ inputs: [p, q], outputs: L.concatenate().apply([L.dense({ units: 2 }).apply(p) as tf.SymbolicTensor, q]) as tf.SymbolicTensor });
    const joined = pair.apply([twice, ya]) as tf.SymbolicTensor;
    const out = L.batchNormalization().apply(L.dense({ units: 3 }).apply(joined)) as tf.SymbolicTensor;
    return tf.model({ inputs: [a, b], outputs: [out, ya] });
  },
};

for (const [label, build] of Object.entries(CASES)) {
  test(`layers: ${label}`, async () => {
    await tf.setBackend('cpu');
    await checkModel(build(), label);
  });
}

test('layers: BatchNormalization on a middle axis matches the formula in TF.js ops', async () => {
  await tf.setBackend('cpu');
  // TF.js 4.22's BatchNormalization layer mis-broadcasts its parameters for axis 1 of rank 4,
  // so the oracle here is (x - mean) / sqrt(variance + epsilon) * gamma + beta in TF.js ops
  const model = seq([L.batchNormalization({ inputShape: [3, 4, 5], axis: 1, epsilon: 0.01 })]);
  randomizeWeights(model, 4);
  const g = importFromDisk(await saveToDisk(model));
  const x = randomTensor('float32', [2, 3, 4, 5], rng(9), -2, 2);
  const [gamma, beta, mean, variance] = model.getWeights().map((w) => w.reshape([1, 3, 1, 1]));
  const want = tf.tensor(x.numbers as Float32Array, [2, 3, 4, 5]).sub(mean).div(variance.add(0.01).sqrt()).mul(gamma).add(beta);
  const c = compare(execute(g, { [g.inputs[0]]: x }).get(g.outputs[0])!, want);
  assert.ok(c.maxAbsError <= TOLERANCE * Math.max(1, c.maxMagnitude), `differs by ${c.maxAbsError}`);
});

/** Rewrites every inbound node into Keras 3's {args, kwargs} form with __keras_tensor__ objects. */
function toKeras3Calls(topology: { config: { layers: { inbound_nodes: unknown[][][] }[] } }): void {
  for (const layer of topology.config.layers) {
    layer.inbound_nodes = layer.inbound_nodes.map((node) => {
      const tensors = node.map((ref) => ({
        class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: (ref as unknown[]).slice(0, 3) },
      }));
      return { args: tensors.length === 1 ? tensors : [tensors], kwargs: {} };
    }) as never;
  }
}

test('layers: Keras 3 dict-form inbound nodes import like the list form', async () => {
  await tf.setBackend('cpu');
  const model = CASES['shared layer, nested models, two inputs, two outputs']();
  randomizeWeights(model, 3);
  const path = await saveToDisk(model);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  toKeras3Calls(json.modelTopology);
  writeFileSync(path, JSON.stringify(json));
  await checkModel(model, 'keras 3 calls', { seed: 3, path });
});

test('layers: Embedding and Rescaling', async () => {
  await tf.setBackend('cpu');
  const model = seq([
    L.embedding({ inputDim: 10, outputDim: 4, inputLength: 3 }), L.flatten(),
    L.rescaling({ scale: 0.5, offset: -0.25 }), L.dense({ units: 2 }),
  ]);
  await checkModel(model, 'embedding', { lo: 0, hi: 10 });
});

test('layers: manifest names with a model prefix and a :0 suffix still find their layers', async () => {
  await tf.setBackend('cpu');
  const model = CASES['shared layer, nested models, two inputs, two outputs']();
  randomizeWeights(model, 5);
  const path = await saveToDisk(model);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  for (const w of json.weightsManifest[0].weights) w.name = `model1/${w.name}:0`;
  writeFileSync(path, JSON.stringify(json));
  await checkModel(model, 'prefixed weights', { seed: 5, path });
});

test('layers: every unsupported layer class and activation is listed in one error', async () => {
  await tf.setBackend('cpu');
  const model = seq([
    L.dense({ inputShape: [4], units: 3, name: 'first' }), L.dense({ units: 3, name: 'second' }),
    L.dense({ units: 3, name: 'third', activation: 'relu' }), L.dense({ units: 3, name: 'fourth' }),
  ]);
  const path = await saveToDisk(model);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const layers = json.modelTopology.config.layers;
  layers[1].class_name = 'Lambda';
  layers[2].config.activation = 'my_activation';
  layers[3].class_name = 'MyCustomLayer';
  writeFileSync(path, JSON.stringify(json));
  assert.throws(() => importFromDisk(path), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpsError);
    assert.deepEqual([...e.ops.keys()].sort(), ["Lambda", "MyCustomLayer", "activation 'my_activation'"]);
    assert.match(e.message, /'second'/);
    assert.match(e.message, /'fourth'/);
    return true;
  });
});
