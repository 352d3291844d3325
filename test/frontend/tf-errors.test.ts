// How the TensorFlow frontends fail: every unsupported op of a model listed in one error (from a
// model.json and from a GraphDef alike), dangling inputs and unknown-rank inputs named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeGraphDef } from '../../src/frontend/graphdef/encode.js';
import { importGraphDef } from '../../src/frontend/graphdef/import.js';
import { UnsupportedOpsError } from '../../src/errors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { attr, importTiny, op, placeholder, writeTinyModel } from './tf-harness.js';

const x = Tensor.zeros('float32', [1, 4, 4, 2]);
const pads = Tensor.from('int32', [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]);
/** Two unknown op types (one used twice), one known op in an unsupported form, and nodes downstream of them. */
const NODES = [
  op('a', 'FancyOp', ['x']), op('b', 'FancyOp', ['a']), op('c', 'OtherOp', ['x']),
  op('m', 'MirrorPad', ['x', 'pads'], { mode: attr.s('SYMMETRIC') }),
  op('sum', 'AddN', ['b', 'c', 'm'], { N: attr.i(3) }), op('out', 'Relu', ['sum']),
];

function assertListsAll(run: () => unknown): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof UnsupportedOpsError, String(e));
    assert.deepEqual([...e.ops.keys()].sort(), ['FancyOp', 'MirrorPad with mode SYMMETRIC', 'OtherOp']);
    assert.deepEqual(e.ops.get('FancyOp'), ['a', 'b']);
    assert.match(e.message, /FancyOp \(2 nodes, e\.g\. 'a'\)/);
    return true;
  });
}

test('a TF.js model lists every unsupported op and form in one error', () => {
  assertListsAll(() => importTiny(writeTinyModel({ feeds: { x }, consts: { pads }, nodes: NODES, outputs: ['out'] })));
});

test('a GraphDef lists every unsupported op and form in one error', () => {
  const nodes = [
    placeholder('x', x),
    { name: 'pads', op: 'Const', attr: { dtype: attr.type('int32'), value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '4' }, { size: '2' }] }, intVal: [...pads.numbers] } } } },
    ...NODES,
  ];
  assertListsAll(() => importGraphDef(encodeGraphDef(nodes), 'bad.pb'));
});

test('an input read from a missing node is a FormatError naming both', () => {
  assert.throws(() => importTiny(writeTinyModel({ feeds: { x }, nodes: [op('out', 'Relu', ['nowhere'])], outputs: ['out'] })),
    (e: Error & { code?: string }) => e.code === 'E_FORMAT' && /'out'.*'nowhere'/.test(e.message));
});

test('inputs of unknown rank are all rejected in one error, with --shape for each and --freeze for a steering scalar', () => {
  const placeholder = (name: string) => ({ name, op: 'Placeholder', attr: { dtype: attr.type('float32'), shape: { shape: { unknownRank: true } } } });
  const nodes = [placeholder('x'), placeholder('y'), op('out', 'Add', ['x', 'y'])];
  assert.throws(() => importGraphDef(encodeGraphDef(nodes), 'any.pb'),
    (e: Error & { code?: string }) => e.code === 'E_UNSUPPORTED' &&
      e.message.includes("inputs 'x' (float32), 'y' (float32) have an unknown rank") &&
      e.message.includes('--shape x=D0,D1,... --shape y=D0,D1,...') && e.message.includes('--freeze NAME=FILE.npy'));
});
