// Index-driven and along-an-axis computes (Split, Trilu, GatherElements, GatherND, ArgMax/ArgMin,
// Hardmax, CumSum, LpNormalization, BitShift) through the interpreter against the reference kernels.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Attrs, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { interpretKernel } from '../../src/loop/interpret.js';
import { lowerNode } from '../../src/lower/op.js';
import { opDef } from '../../src/ops/index.js';
import { resolveAttrs } from '../../src/ops/op.js';
import { split, vectorize } from '../../src/schedule/schedule.js';
import { checkOp } from './check.js';

const ints = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
/** Values with repeats, so arg-extremes and Hardmax see ties. */
const ties = (n: number) => ints(n, (i) => ((i * 7) % 5) - 2);

describe('Split', () => {
  it('every output of a multi-output node matches the reference', () => {
    const cases: [number[], number, number[]][] = [[[4, 7], 1, [2, 5]], [[6, 3], 0, [1, 2, 3]], [[2, 9, 2], -2, [3, 3, 3]]];
    for (const [shape, axis, sizes] of cases) {
      const x = Tensor.from('float32', shape, ints(shape.reduce((a, b) => a * b), (i) => i * 0.5 - 3));
      const attrs: Attrs = { axis };
      const def = opDef('Split')!;
      const node: Node = { name: 'n', op: 'Split', inputs: ['x'], outputs: sizes.map((_, i) => `y${i}`), attrs };
      const want = def.run!({ node, attrs: resolveAttrs(def.attrs, attrs), inputs: [x] });
      const { kernel } = lowerNode('Split', attrs, [{ name: 'x', info: { dtype: 'float32', shape } }],
        want.map((w, i) => ({ name: `y${i}`, info: { dtype: 'float32', shape: w.shape } })));
      const got = want.map((w) => new Float32Array(w.size));
      interpretKernel(kernel, [x.numbers as Float32Array, ...got]);
      want.forEach((w, i) => assert.deepEqual([...got[i]], w.toArray()));
    }
  });
});

describe('index computes', () => {
  it('Trilu upper and lower, constant or run-time diagonal, batched', () => {
    for (const upper of [0, 1]) {
      checkOp('Trilu', { upper }, [{ shape: [2, 3, 5] }]);
      checkOp('Trilu', { upper }, [{ shape: [4, 6] }, { shape: [], dtype: 'int64', values: [-1] }]);
      checkOp('Trilu', { upper }, [{ shape: [5, 3] }, { shape: [], dtype: 'int64', values: [2], constant: true }], [vectorize('i1')]);
    }
  });
  it('GatherElements on every axis with negative indices', () => {
    checkOp('GatherElements', { axis: 0 }, [{ shape: [3, 4] }, { shape: [2, 4], dtype: 'int64', values: ints(8, (i) => (i % 3) - 1) }]);
    checkOp('GatherElements', { axis: 1 }, [{ shape: [3, 5] }, { shape: [3, 2], dtype: 'int64', values: ints(6, (i) => 4 - i * 1.5 | 0) }]);
    checkOp('GatherElements', { axis: -1 }, [{ shape: [2, 2, 3] }, { shape: [2, 2, 4], dtype: 'int64', values: ints(16, (i) => i % 3) }]);
  });
  it('GatherND with and without batch dims', () => {
    checkOp('GatherND', {}, [{ shape: [3, 4, 2] }, { shape: [5, 2], dtype: 'int64', values: ints(10, (i) => (i * 5) % 3 - (i % 2)) }]);
    checkOp('GatherND', {}, [{ shape: [3, 4] }, { shape: [2, 1], dtype: 'int64', values: [2, -1] }]);
    checkOp('GatherND', { batch_dims: 1 }, [{ shape: [2, 3, 4] }, { shape: [2, 2, 1], dtype: 'int64', values: [0, 2, 1, 1] }]);
  });
  it('BitShift left and right on uint8 and int32', () => {
    for (const direction of ['LEFT', 'RIGHT']) {
      checkOp('BitShift', { direction }, [{ shape: [2, 5], dtype: 'uint8', values: ints(10, (i) => i * 25) }, { shape: [5], dtype: 'uint8', values: [0, 1, 2, 3, 7] }]);
      checkOp('BitShift', { direction }, [{ shape: [6], dtype: 'int32', values: ints(6, (i) => i * 1000 + 3) }, { shape: [], dtype: 'int32', values: [4] }]);
    }
  });
});

describe('axis computes', () => {
  it('ArgMax and ArgMin: axes, keepdims, first or last of ties', () => {
    for (const op of ['ArgMax', 'ArgMin']) {
      for (const attrs of <Attrs[]>[{}, { axis: 1 }, { axis: -1, keepdims: 0 }, { axis: 0, select_last_index: 1 }, { axis: 2, keepdims: 0, select_last_index: 1 }]) {
        checkOp(op, attrs, [{ shape: [3, 4, 5], values: ties(60) }]);
      }
    }
  });
  it('Hardmax picks the first maximum', () => {
    checkOp('Hardmax', {}, [{ shape: [3, 7], values: ties(21) }]);
    checkOp('Hardmax', { axis: 0 }, [{ shape: [4, 5] }]);
  });
  it('CumSum forward, exclusive, reverse, on float and int32', () => {
    for (const [exclusive, reverse] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      checkOp('CumSum', { exclusive, reverse }, [{ shape: [3, 6] }, { shape: [], dtype: 'int32', values: [1], constant: true }]);
      checkOp('CumSum', { exclusive, reverse }, [{ shape: [4, 3], dtype: 'int32', values: ints(12, (i) => i - 5) },
        { shape: [1], dtype: 'int64', values: [-2], constant: true }]);
    }
  });
  it('LpNormalization p=1 and p=2, with an all-zero line', () => {
    checkOp('LpNormalization', { p: 1 }, [{ shape: [3, 5] }]);
    checkOp('LpNormalization', { p: 2, axis: 0 }, [{ shape: [4, 6] }], [split('i1', 3)]);
    checkOp('LpNormalization', {}, [{ shape: [2, 3], values: [0, 0, 0, 1, -2, 2] }]);
  });
});
