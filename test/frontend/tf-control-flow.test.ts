// TF v1 control flow at import: a tf.cond (Switch/Merge) on a predicate that frozen inputs fix keeps
// its taken branch and matches TF.js; inputs of unknown rank take their shape from the user;
// a predicate known only at run time and while-loop frames fail with errors naming them.
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
import { attr, op, writeTinyModel } from './tf-harness.js';

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

test('a while loop is rejected naming its frame and the ops in it', () => {
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
    e.message.includes("'loop/while/while_context' (AddV2, Enter, Exit, Less, LoopCond, Merge, NextIteration, Switch)"));
});
