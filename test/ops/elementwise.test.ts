// Elementwise kernels: shape/dtype inference with symbolic dims, and kernels differentially
// against onnxruntime-node on single-node models (odd broadcasts, integer dtypes, attributes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type Attrs, type ValueInfo } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { GraphError, ShapeError, UnsupportedError } from '../../src/errors.js';

/** The inferred type of a one-node graph's output. */
function inferOne(op: string, inputs: readonly ValueInfo[], attrs: Attrs = {}): ValueInfo {
  const b = new GraphBuilder(op, { format: 'test' });
  const names = inputs.map((info, i) => b.addInput(`x${i}`, info));
  const y = b.add1(op, names, attrs);
  b.setOutputs([y]);
  return inferShapes(b.build()).values.get(y)!;
}

test('broadcast inference keeps symbolic dims and lets known dims win over 1', () => {
  assert.deepEqual(inferOne('Add', [{ dtype: 'float32', shape: ['N', 3, 1] }, { dtype: 'float32', shape: [4] }]),
    { dtype: 'float32', shape: ['N', 3, 4] });
  assert.deepEqual(inferOne('Where', [
    { dtype: 'bool', shape: [1, 'T'] }, { dtype: 'int64', shape: ['B', 1] }, { dtype: 'int64', shape: [] }]),
  { dtype: 'int64', shape: ['B', 'T'] });
  assert.deepEqual(inferOne('Max', [
    { dtype: 'float32', shape: [2, 1, 1] }, { dtype: 'float32', shape: ['H', 1] }, { dtype: 'float32', shape: [5] }]),
  { dtype: 'float32', shape: [2, 'H', 5] });
});

test('inference gives comparisons bool, Cast its target, Pow its base dtype', () => {
  assert.deepEqual(inferOne('Less', [{ dtype: 'int32', shape: ['N'] }, { dtype: 'int32', shape: [] }]),
    { dtype: 'bool', shape: ['N'] });
  assert.equal(inferOne('IsNaN', [{ dtype: 'float16', shape: [3] }]).dtype, 'bool');
  assert.deepEqual(inferOne('Cast', [{ dtype: 'float32', shape: ['N', 2] }], { to: 'int64' }),
    { dtype: 'int64', shape: ['N', 2] });
  assert.equal(inferOne('Pow', [{ dtype: 'int32', shape: [3] }, { dtype: 'float32', shape: [3] }]).dtype, 'int32');
});

test('inference rejects mismatched dtypes, bad broadcasts and unsupported dtypes', () => {
  assert.throws(() => inferOne('Add', [{ dtype: 'float32', shape: [3] }, { dtype: 'int64', shape: [3] }]), GraphError);
  assert.throws(() => inferOne('Mul', [{ dtype: 'float32', shape: [3] }, { dtype: 'float32', shape: [4] }]), ShapeError);
  assert.throws(() => inferOne('PRelu', [{ dtype: 'float32', shape: [3] }, { dtype: 'float32', shape: [2, 3] }]), ShapeError);
  assert.throws(() => inferOne('Sqrt', [{ dtype: 'int32', shape: [3] }]), UnsupportedError);
  assert.throws(() => inferOne('Cast', [{ dtype: 'float32', shape: [3] }], { to: 'bfloat16' }), UnsupportedError);
});
