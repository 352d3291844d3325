// Computes of ops that build tensors from shapes and attributes (Shape, Size, ConstantOfShape,
// Range, EyeLike) and of TopK with a constant K, through the interpreter against the reference kernels.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DType } from '../../src/ir/dtype.js';
import type { Attrs } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { ElemType } from '../../src/loop/ir.js';
import { simplifyKernel } from '../../src/loop/simplify.js';
import { unrollLoops } from '../../src/loop/unroll.js';
import { runKernel, SCALAR, SIMD, type Arr } from '../target/wasm/harness.js';
import { checkOp, type CheckResult } from './check.js';

const ARRAYS: Record<ElemType, new (n: number) => Arr> = {
  f32: Float32Array, f64: Float64Array, i32: Int32Array, i64: BigInt64Array, i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array,
  u32: Uint32Array, u64: BigUint64Array, f16: Uint16Array,
};

/**
 * Folding turns these ops into constants before a one-node graph reaches the code generator, so
 * the wasm targets run the checked kernel here, on the inputs it reads, against the interpreter.
 */
async function sameOnWasm({ kernel, got }: CheckResult, inputs: readonly Arr[]): Promise<void> {
  const simplified = simplifyKernel(kernel);
  const compiled = { ...simplified, body: unrollLoops(simplified.body) };
  for (const target of [SIMD, SCALAR]) {
    const outs = kernel.params.slice(inputs.length).map((p, i) => new ARRAYS[p.elem](got[i].length));
    await runKernel(compiled, [...inputs, ...outs], target);
    assert.deepEqual(outs.map((o) => Array.from(o as ArrayLike<number | bigint>, Number)), got, kernel.name);
  }
}

const ints = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const scalar = (dtype: DType, value: number) => ({ shape: [], dtype, values: [value], constant: true });

describe('shape-built tensors', () => {
  it('Shape with start and end, Size', () => {
    for (const attrs of <Attrs[]>[{}, { start: 1 }, { start: -2, end: -1 }, { end: 2 }, { start: 3, end: 1 }]) {
      checkOp('Shape', attrs, [{ shape: [2, 3, 1, 5] }]);
    }
    checkOp('Size', {}, [{ shape: [2, 3, 7] }]);
    checkOp('Size', {}, [{ shape: [], dtype: 'int32' }]);
  });
  it('Shape, Size, ConstantOfShape, Range and EyeLike kernels run on both wasm targets', async () => {
    await sameOnWasm(checkOp('Shape', { start: 1 }, [{ shape: [2, 3, 1, 5] }]), [new Float32Array(30)]);
    await sameOnWasm(checkOp('Size', {}, [{ shape: [2, 3, 7] }]), [new Float32Array(42)]);
    await sameOnWasm(checkOp('ConstantOfShape', { value: Tensor.from('int32', [1], [-7]) }, [{ shape: [2], dtype: 'int64', values: [3, 5], constant: true }]),
      [BigInt64Array.from([3n, 5n])]);
    await sameOnWasm(checkOp('Range', {}, [scalar('float32', -1.3), scalar('float32', 2.2), scalar('float32', 0.3)]),
      [Float32Array.of(-1.3), Float32Array.of(2.2), Float32Array.of(0.3)]);
    await sameOnWasm(checkOp('Range', {}, [scalar('int64', -4), scalar('int64', 9), scalar('int64', 2)]), [BigInt64Array.of(-4n), BigInt64Array.of(9n), BigInt64Array.of(2n)]);
    await sameOnWasm(checkOp('EyeLike', { k: 1, dtype: 'uint8' }, [{ shape: [4, 6] }]), [new Float32Array(24)]);
  });
  it('ConstantOfShape with the default and typed fill values', () => {
    checkOp('ConstantOfShape', {}, [{ shape: [2], dtype: 'int64', values: [3, 5], constant: true }]);
    const fills: [DType, number][] = [['float32', -2.5], ['int32', 7], ['int64', -3], ['uint8', 200], ['bool', 1]];
    for (const [dtype, v] of fills) {
      checkOp('ConstantOfShape', { value: Tensor.from(dtype, [1], [v]) }, [{ shape: [3], dtype: 'int64', values: [2, 1, 3], constant: true }]);
    }
  });
  it('Range up, down and fractional on float32, int32 and int64', () => {
    checkOp('Range', {}, [scalar('float32', -1.3), scalar('float32', 2.2), scalar('float32', 0.3)]);
    checkOp('Range', {}, [scalar('float32', 5), scalar('float32', -1), scalar('float32', -0.7)]);
    checkOp('Range', {}, [scalar('int32', 10), scalar('int32', -7), scalar('int32', -3)]);
    checkOp('Range', {}, [scalar('int64', -4), scalar('int64', 9), scalar('int64', 2)]);
  });
  it('EyeLike with diagonal offsets and output dtypes', () => {
    for (const k of [0, 2, -1, 5]) checkOp('EyeLike', { k }, [{ shape: [4, 6] }]);
    for (const dtype of ['int32', 'int64', 'uint8', 'bool']) checkOp('EyeLike', { dtype, k: -1 }, [{ shape: [5, 3] }]);
    checkOp('EyeLike', {}, [{ shape: [3, 3], dtype: 'int64' }]);
  });
});

describe('TopK', () => {
  /** Values with repeats, so ties must fall to the lower index. */
  const ties = (n: number) => ints(n, (i) => ((i * 7) % 5) - 2);
  it('largest and smallest, every axis, ties by lower index', () => {
    for (const largest of [1, 0]) {
      checkOp('TopK', { largest }, [{ shape: [3, 7], values: ties(21) }, { shape: [1], dtype: 'int64', values: [4], constant: true }]);
      checkOp('TopK', { largest, axis: 0 }, [{ shape: [5, 3] }, { shape: [1], dtype: 'int64', values: [5], constant: true }]);
      checkOp('TopK', { largest, axis: 1, sorted: 0 }, [{ shape: [2, 6, 3], values: ties(36) }, { shape: [1], dtype: 'int64', values: [2], constant: true }]);
    }
  });
  it('int32, int64 and uint8 values; k of 0 and 1', () => {
    for (const dtype of ['int32', 'int64', 'uint8'] as DType[]) {
      checkOp('TopK', {}, [{ shape: [2, 9], dtype }, { shape: [1], dtype: 'int64', values: [3], constant: true }]);
    }
    checkOp('TopK', {}, [{ shape: [4, 5] }, { shape: [1], dtype: 'int64', values: [1], constant: true }]);
    checkOp('TopK', {}, [{ shape: [4, 5] }, { shape: [1], dtype: 'int64', values: [0], constant: true }]);
  });
});
