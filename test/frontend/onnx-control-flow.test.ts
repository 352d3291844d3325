// ONNX control flow the conformance cases leave out, against onnxruntime-node: a Loop whose trip
// count is fed at run time, with an If in its body whose branches read a value from two graphs out
// (the model input) and one from the body, and a scan output of every iteration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { subgraphsOf } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { buildGraphModel, graph } from '../util/onnx-builder.js';
import { runOrt } from '../util/onnx-ort.js';

const X = { dtype: 'float32', shape: [3] } as const;
const SCALAR_I64 = { dtype: 'int64', shape: [] } as const, SCALAR_BOOL = { dtype: 'bool', shape: [] } as const;

/** acc_{i+1} = i is odd ? acc_i + x : acc_i * x, for n iterations; every acc_{i+1} is stacked too. */
const model = buildGraphModel({
  opset: 13,
  inputs: [{ name: 'x', ...X }, { name: 'n', ...SCALAR_I64 }],
  outputs: [{ name: 'acc', dtype: 'float32', shape: [3] }, { name: 'steps', dtype: 'float32' }],
  initializers: { two: Tensor.scalar('int64', 2), one: Tensor.scalar('int64', 1) },
  nodes: [{
    op: 'Loop', inputs: ['n', '', 'x'], outputs: ['acc', 'steps'],
    attrs: {
      body: graph({
        inputs: [{ name: 'i', ...SCALAR_I64 }, { name: 'go', ...SCALAR_BOOL }, { name: 'acc_in', ...X }],
        outputs: [{ name: 'go_out', ...SCALAR_BOOL }, { name: 'acc_out', ...X }, { name: 'step', ...X }],
        nodes: [
          { op: 'Identity', inputs: ['go'], outputs: ['go_out'] },
          { op: 'Mod', inputs: ['i', 'two'], outputs: ['parity'] },
          { op: 'Equal', inputs: ['parity', 'one'], outputs: ['odd'] },
          {
            op: 'If', inputs: ['odd'], outputs: ['acc_out'],
            attrs: {
              then_branch: graph({ inputs: [], outputs: [{ name: 'sum', ...X }], nodes: [{ op: 'Add', inputs: ['acc_in', 'x'], outputs: ['sum'] }] }),
              else_branch: graph({ inputs: [], outputs: [{ name: 'prod', ...X }], nodes: [{ op: 'Mul', inputs: ['acc_in', 'x'], outputs: ['prod'] }] }),
            },
          },
          { op: 'Identity', inputs: ['acc_out'], outputs: ['step'] },
        ],
      }),
    },
  }],
});

test('a Loop with a run-time trip count and an If reading the model input from inside agrees with onnxruntime-node', async () => {
  const g = importOnnx(model, 'loop.onnx');
  const loop = g.nodes.find((n) => n.op === 'Loop')!;
  assert.deepEqual([...loop.inputs.slice(3)].sort(), ['one', 'two', 'x'], 'the body takes the outer values it reads, x for the If inside it too');
  const [[, body]] = subgraphsOf(loop);
  const inner = body.nodes.find((n) => n.op === 'If')!;
  assert.ok(inner.inputs.includes('x') && body.inputs.includes('x'));
  const x = Tensor.from('float32', [3], [1.5, -0.5, 2]);
  for (const n of [0, 1, 4, 7]) {
    const feeds = { x, n: Tensor.scalar('int64', n) };
    const got = execute(g, feeds), want = await runOrt(model, feeds);
    for (const name of ['acc', 'steps']) {
      assert.deepEqual(got.get(name)!.shape, want.get(name)!.shape, `${name} shape, n=${n}`);
      assert.deepEqual(got.get(name)!.toArray(), want.get(name)!.toArray(), `${name}, n=${n}`);
    }
  }
});
