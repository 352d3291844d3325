// ScatterND, ScatterElements and OneHot computes through the interpreter against the reference
// kernels (duplicates, negative indices, every reduction and dtype), and what compiled kernels do
// with out-of-range indices where the reference throws: gathers clamp, scatters drop the update.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DType } from '../../src/ir/dtype.js';
import type { Attrs, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { interpretKernel, type TypedArray } from '../../src/loop/interpret.js';
import { lowerNode } from '../../src/lower/op.js';
import { opDef } from '../../src/ops/index.js';
import { resolveAttrs } from '../../src/ops/op.js';
import { checkOp } from './check.js';

const ints = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'];
const DTYPES: DType[] = ['float32', 'int32', 'int64', 'uint8'];

describe('ScatterND', () => {
  it('slices, single elements and duplicate tuples under every reduction', () => {
    for (const reduction of REDUCTIONS) {
      // tuple 1 appears three times (once as -3), so 'none' must keep the last write
      checkOp('ScatterND', { reduction }, [{ shape: [4, 5, 3] }, { shape: [4, 1], dtype: 'int64', values: [1, -1, -3, 1] }, { shape: [4, 5, 3] }]);
      checkOp('ScatterND', { reduction }, [{ shape: [3, 5] }, { shape: [3, 2], dtype: 'int64', values: [0, 1, -1, 4, 0, 1] }, { shape: [3] }]);
      checkOp('ScatterND', { reduction }, [{ shape: [2, 3, 4] }, { shape: [2, 2, 3], dtype: 'int32', values: [0, 0, 0, 1, 2, 3, 1, 2, 3, -2, -1, -1] }, { shape: [2, 2] }]);
    }
  });
  it('int32, int64, uint8 and bool data', () => {
    for (const dtype of [...DTYPES, 'bool'] as DType[]) {
      for (const reduction of dtype === 'bool' ? ['none'] : REDUCTIONS) {
        checkOp('ScatterND', { reduction }, [{ shape: [3, 4], dtype }, { shape: [2, 1], dtype: 'int64', values: [2, -1] }, { shape: [2, 4], dtype }]);
      }
    }
  });
});

describe('ScatterElements', () => {
  it('every axis, duplicates and every reduction', () => {
    for (const reduction of REDUCTIONS) {
      checkOp('ScatterElements', { axis: 0, reduction }, [{ shape: [3, 4] }, { shape: [2, 4], dtype: 'int64', values: ints(8, (i) => (i % 3) - 1) }, { shape: [2, 4] }]);
      checkOp('ScatterElements', { axis: 1, reduction }, [{ shape: [3, 5] }, { shape: [3, 3], dtype: 'int64', values: ints(9, (i) => (i * 2) % 5 - 2) }, { shape: [3, 3] }]);
      // indices smaller than data on the other axes: the rest of data passes through
      checkOp('ScatterElements', { axis: -1, reduction }, [{ shape: [3, 4, 5] }, { shape: [2, 3, 4], dtype: 'int32', values: ints(24, (i) => (i * 7) % 5) }, { shape: [2, 3, 4] }]);
    }
  });
  it('int32, int64, uint8 and bool data', () => {
    for (const dtype of [...DTYPES, 'bool'] as DType[]) {
      for (const reduction of dtype === 'bool' ? ['none'] : REDUCTIONS) {
        checkOp('ScatterElements', { axis: 1, reduction }, [{ shape: [2, 5], dtype }, { shape: [2, 3], dtype: 'int64', values: [0, 4, 0, -1, 2, 2] }, { shape: [2, 3], dtype }]);
      }
    }
  });
});

describe('OneHot', () => {
  it('every axis, negative and out-of-range indices, int and float indices', () => {
    const values = { shape: [2], values: [-1, 3] };
    for (const axis of [-1, 0, 1]) {
      checkOp('OneHot', { axis }, [{ shape: [2, 3], dtype: 'int64', values: [0, 4, -1, -5, 5, 2] }, { shape: [], dtype: 'int64', values: [5], constant: true }, values]);
    }
    checkOp('OneHot', {}, [{ shape: [4], values: [1.7, -1.2, 0, 3] }, { shape: [1], values: [4], constant: true }, { shape: [2], dtype: 'int32', values: [0, 1] }]);
    checkOp('OneHot', { axis: 0 }, [{ shape: [3], dtype: 'int32', values: [2, 0, 1] }, { shape: [], dtype: 'int32', values: [3], constant: true }, { shape: [2], dtype: 'int64', values: [0, 7] }]);
  });
});

/** Lowers op for the given tensors and runs it in the interpreter; output 0's values. */
function interpret(op: string, attrs: Attrs, inputs: readonly Tensor[], outShape: readonly number[]): number[] {
  const { kernel } = lowerNode(op, attrs, inputs.map((t, i) => ({ name: `x${i}`, info: { dtype: t.dtype, shape: t.shape } })),
    [{ name: 'y', info: { dtype: inputs[0].dtype, shape: outShape } }]);
  const arrays: TypedArray[] = inputs.map((t) => (t.dtype === 'int64' ? BigInt64Array.from(t.toArray(), BigInt) : t.numbers as TypedArray));
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  interpretKernel(kernel, [...arrays, out]);
  return [...out];
}

function reference(op: string, attrs: Attrs, inputs: readonly Tensor[]): Tensor {
  const def = opDef(op)!;
  const node: Node = { name: 'n', op, inputs: inputs.map((_, i) => `x${i}`), outputs: ['y'], attrs };
  return def.run!({ node, attrs: resolveAttrs(def.attrs, attrs), inputs })[0];
}

describe('out-of-range indices', () => {
  const x = Tensor.from('float32', [4, 3], ints(12, (i) => i * 1.5 - 4));
  it('the reference rejects them', () => {
    assert.throws(() => reference('Gather', {}, [x, Tensor.from('int64', [2], [1, 4])]), /out of range/);
    assert.throws(() => reference('ScatterND', {}, [x, Tensor.from('int64', [1, 1], [-5]), Tensor.from('float32', [1, 3], [1, 2, 3])]), /out of range/);
  });
  it('compiled gathers clamp them into the dim', () => {
    const raw = [4, -7, 2, 9];
    const clamped = raw.map((i) => Math.min(3, Math.max(0, i < 0 ? i + 4 : i)));
    const got = interpret('Gather', { axis: 0 }, [x, Tensor.from('int64', [4], raw)], [4, 3]);
    assert.deepEqual(got, reference('Gather', { axis: 0 }, [x, Tensor.from('int64', [4], clamped)]).toArray());
    const ge = interpret('GatherElements', { axis: 0 }, [x, Tensor.from('int32', [1, 3], [5, -9, 1])], [1, 3]);
    assert.deepEqual(ge, reference('GatherElements', { axis: 0 }, [x, Tensor.from('int32', [1, 3], [3, 0, 1])]).toArray());
  });
  it('compiled scatters drop their updates', () => {
    const upd = Tensor.from('float32', [3, 3], ints(9, (i) => 100 + i));
    for (const reduction of REDUCTIONS) {
      const got = interpret('ScatterND', { reduction }, [x, Tensor.from('int64', [3, 1], [4, 1, -5]), upd], [4, 3]);
      const kept = reference('ScatterND', { reduction }, [x, Tensor.from('int64', [1, 1], [1]), Tensor.from('float32', [1, 3], [103, 104, 105])]);
      assert.deepEqual(got, kept.toArray(), reduction);
    }
    const got = interpret('ScatterElements', { axis: 1 }, [x, Tensor.from('int64', [1, 2], [3, -1]), Tensor.from('float32', [1, 2], [7, 8])], [4, 3]);
    assert.deepEqual(got, reference('ScatterElements', { axis: 1 }, [x, Tensor.from('int64', [1, 1], [-1]), Tensor.from('float32', [1, 1], [8])]).toArray());
  });
});
