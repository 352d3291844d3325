// TF v1 control flow at import: a tf.cond (Switch/Merge) on a predicate that frozen inputs fix keeps
// its taken branch and matches TF.js; inputs of unknown rank take their shape from the user;
// a tf.map while loop unrolls at import; a predicate or trip count known only at run time fails
// with an error naming the cond or loop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { encodeGraphDef } from '../../src/frontend/graphdef/encode.js';
import { importGraphDef } from '../../src/frontend/graphdef/import.js';
import { loadModel } from '../../src/frontend/load.js';
import { importTfjsGraphModel } from '../../src/frontend/tfjs/import.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { loadTfjsGraphModel, runTfjs } from '../models/tfjs-peer.js';
import { agreement } from '../util/agreement.js';
import { assertMatchesTfjs, attr, op, writeTinyModel } from './tf-harness.js';

const x = randomTensor('float32', [2, 3], rng(11), -1, 1);
/** y = ratio == 1 ? x : x * ratio, as rvm's optional downsampling is written. */
const COND = {
  feeds: { x, ratio: Tensor.scalar('float32', 1) },
  consts: { one: Tensor.scalar('float32', 1) },
  nodes: [
    op('pred', 'Equal', ['ratio', 'one']),
    op('switch_x', 'Switch', ['x', 'pred']), op('switch_r', 'Switch', ['ratio', 'pred']),
    op('then', 'Identity', ['switch_x:1']), op('else', 'Mul', ['switch_x', 'switch_r']),
    op('merge', 'Merge', ['else', 'then'], { N: attr.i(2) }),
    op('y', 'Relu', ['merge']),
  ],
  outputs: ['y'],
};

for (const ratio of [1, 0.5]) {
  test(`a tf.cond on a frozen input keeps the taken branch (ratio ${ratio}) and matches TF.js`, async () => {
    const file = writeTinyModel(COND);
    const value = Tensor.scalar('float32', ratio);
    const g = importTfjsGraphModel(JSON.parse(readFileSync(file, 'utf8')), dirname(file), file, { values: { ratio: value } });
    assert.deepEqual(g.inputs, ['x']);
    assert.ok(!g.nodes.some((n) => n.op === 'Mul') === (ratio === 1), 'only the taken branch is in the graph');
    const ours = execute(g, { x }).get('y')!;
    const theirs = (await runTfjs(await loadTfjsGraphModel(file), { x, ratio: value }, ['y'])).get('y')!;
    assert.ok(agreement(ours.numbers, theirs.numbers).maxAbsError <= 1e-7);
  });
}

test('a tf.cond whose predicate is known only at run time is rejected with what to do', () => {
  const file = writeTinyModel(COND);
  assert.throws(() => importTfjsGraphModel(JSON.parse(readFileSync(file, 'utf8')), dirname(file), file),
    (e: Error & { code?: string }) => e.code === 'E_UNSUPPORTED' && /Switch \(tf\.cond\).*--freeze/.test(e.message));
});

test('an input of unknown rank takes its whole shape from --shape', async () => {
  const nodes = [{ name: 'x', op: 'Placeholder', attr: { dtype: attr.type('float32'), shape: { shape: { unknownRank: true } } } },
    op('out', 'Relu', ['x'])];
  assert.throws(() => importGraphDef(encodeGraphDef(nodes), 'any.pb'),
    (e: Error & { code?: string }) => e.code === 'E_UNSUPPORTED' && e.message.includes('--shape x='));
  const g = importGraphDef(encodeGraphDef(nodes), 'any.pb', { shapes: { x: [2, 3] } });
  assert.deepEqual(g.values.get('x')!.shape, [2, 3]);
  assert.deepEqual(execute(g, { x }).get('out')!.shape, [2, 3]);
});

test('loadModel applies --shape and --freeze at import, so a cond and an unknown rank both resolve', async () => {
  const file = writeTinyModel(COND);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  json.modelTopology.node[0].attr.shape = { shape: { unknownRank: true } };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify(json));
  const g = await loadModel(file, { shapes: { x: [2, 3] }, values: { ratio: Tensor.scalar('float32', 0.5) } });
  assert.deepEqual(g.inputs, ['x']);
  assert.deepEqual(g.values.get('y')!.shape, [2, 3]);
});

/**
 * tf.map(r => r * r) over the rows of x as TF1 writes it: the rows scattered into a tensor array,
 * a while frame reading row i, squaring it and writing it to a second array, then a gather.
 */
function mapLoopModel(rows: number) {
  const F = { frame_name: attr.s('map/while/while_context') };
  const enter = (name: string, input: string, constant: boolean, T = 'DT_FLOAT') =>
    op(name, 'Enter', [input], { ...F, is_constant: attr.b(constant), T: { type: T } });
  const i32 = { T: attr.type('int32') };
  const ta = (name: string) => op(name, 'TensorArrayV3', ['size'], { dtype: attr.type('float32') });
  return {
    feeds: { x: randomTensor('float32', [rows, 2], rng(5), -2, 2) },
    consts: { size: Tensor.scalar('int32', rows), zero: Tensor.scalar('int32', 0), one: Tensor.scalar('int32', 1),
      rows: Tensor.from('int32', [rows], Array.from({ length: rows }, (_, k) => k)) },
    nodes: [
      ta('in'), ta('out'),
      op('scatter', 'TensorArrayScatterV3', ['in', 'rows', 'x', 'in:1']),
      enter('map/while/Enter_i', 'zero', false, 'DT_INT32'), enter('map/while/Enter_flow', 'out:1', false),
      enter('map/while/Enter_n', 'size', true, 'DT_INT32'), enter('map/while/Enter_one', 'one', true, 'DT_INT32'),
      enter('map/while/Enter_in', 'in', true, 'DT_RESOURCE'), enter('map/while/Enter_scatter', 'scatter', true),
      enter('map/while/Enter_out', 'out', true, 'DT_RESOURCE'),
      op('map/while/Merge_i', 'Merge', ['map/while/Enter_i', 'map/while/Next_i'], { ...i32, N: attr.i(2) }),
      op('map/while/Merge_flow', 'Merge', ['map/while/Enter_flow', 'map/while/Next_flow'], { N: attr.i(2) }),
      op('map/while/Less', 'Less', ['map/while/Merge_i', 'map/while/Enter_n'], i32),
      op('map/while/LoopCond', 'LoopCond', ['map/while/Less']),
      op('map/while/Switch_i', 'Switch', ['map/while/Merge_i', 'map/while/LoopCond'], i32),
      op('map/while/Switch_flow', 'Switch', ['map/while/Merge_flow', 'map/while/LoopCond']),
      op('map/while/i', 'Identity', ['map/while/Switch_i:1'], i32),
      op('map/while/flow', 'Identity', ['map/while/Switch_flow:1']),
      op('map/while/row', 'TensorArrayReadV3', ['map/while/Enter_in', 'map/while/i', 'map/while/Enter_scatter'], { dtype: attr.type('float32') }),
      op('map/while/square', 'Mul', ['map/while/row', 'map/while/row']),
      op('map/while/write', 'TensorArrayWriteV3', ['map/while/Enter_out', 'map/while/i', 'map/while/square', 'map/while/flow']),
      op('map/while/next', 'AddV2', ['map/while/i', 'map/while/Enter_one'], i32),
      op('map/while/Next_i', 'NextIteration', ['map/while/next'], i32),
      op('map/while/Next_flow', 'NextIteration', ['map/while/write']),
      op('map/while/Exit_flow', 'Exit', ['map/while/Switch_flow']),
      op('count', 'TensorArraySizeV3', ['out', 'map/while/Exit_flow']),
      op('indices', 'Range', ['zero', 'count', 'one'], { Tidx: attr.type('int32') }),
      op('y', 'TensorArrayGatherV3', ['out', 'indices', 'map/while/Exit_flow'], { dtype: attr.type('float32') }),
    ],
    outputs: ['y'],
  };
}

test('a tf.map while loop over tensor arrays unrolls at import and matches TF.js', async () => {
  await assertMatchesTfjs(mapLoopModel(3));
});

test('a while loop whose trip count is not known at import is rejected naming it and its ops', () => {
  const i32 = { T: attr.type('int32') };
  const nodes = [
    { name: 'n', op: 'Placeholder', attr: { dtype: attr.type('int32'), shape: { shape: { dim: [] } } } },
    op('loop/while/Enter', 'Enter', ['n'], { ...i32, frame_name: attr.s('loop/while/while_context') }),
    op('loop/while/Merge', 'Merge', ['loop/while/Enter', 'loop/while/NextIteration'], i32),
    op('loop/while/Less', 'Less', ['loop/while/Merge', 'loop/while/Merge'], i32),
    op('loop/while/LoopCond', 'LoopCond', ['loop/while/Less']),
    op('loop/while/Switch', 'Switch', ['loop/while/Merge', 'loop/while/LoopCond'], i32),
    op('loop/while/add', 'AddV2', ['loop/while/Switch:1', 'loop/while/Switch:1'], i32),
    op('loop/while/NextIteration', 'NextIteration', ['loop/while/add'], i32),
    op('loop/while/Exit', 'Exit', ['loop/while/Switch'], i32),
  ];
  assert.throws(() => importGraphDef(encodeGraphDef(nodes), 'loop.pb'), (e: Error & { code?: string }) => e.code === 'E_UNSUPPORTED' &&
    e.message.includes("'loop/while/while_context' (AddV2, Enter, Exit, Less, LoopCond, Merge, NextIteration, Switch)") &&
    e.message.includes('not known at import'));
});
