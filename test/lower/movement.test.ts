// Movement computes (views, Transpose, Concat, Slice, Pad, Gather, Tile, Expand, DepthToSpace,
// SpaceToDepth, Cast) against the reference kernels, plain and under split/reorder schedules.
import { describe, it } from 'node:test';
import { reorder, split, unroll } from '../../src/schedule/schedule.js';
import { checkOp, type InputSpec } from './check.js';

const ints = (...v: number[]): InputSpec => ({ shape: [v.length], dtype: 'int64', values: v, constant: true });

describe('movement computes', () => {
  it('Reshape, Flatten, Squeeze, Unsqueeze, Identity', () => {
    checkOp('Reshape', {}, [{ shape: [2, 3, 4] }, ints(4, -1)]);
    checkOp('Reshape', {}, [{ shape: [6] }, ints(3, 1, 2)], [reorder(['i2', 'i0', 'i1'])]);
    checkOp('Flatten', { axis: 2 }, [{ shape: [2, 3, 4, 5] }]);
    checkOp('Squeeze', {}, [{ shape: [1, 3, 1, 5] }, ints(0, 2)]);
    checkOp('Unsqueeze', {}, [{ shape: [3, 5] }, ints(0, 3)]);
    checkOp('Identity', {}, [{ shape: [4, 3] }]);
    checkOp('Identity', {}, [{ shape: [] }]);
  });
  it('Transpose with default and given perms', () => {
    checkOp('Transpose', {}, [{ shape: [2, 3, 5] }]);
    checkOp('Transpose', { perm: [0, 2, 3, 1] }, [{ shape: [2, 3, 4, 5] }], [split('i3', 2), unroll('i3.i')]);
  });
  it('Concat along each axis, with an empty input', () => {
    checkOp('Concat', { axis: 1 }, [{ shape: [2, 3] }, { shape: [2, 1] }, { shape: [2, 4] }]);
    checkOp('Concat', { axis: 0 }, [{ shape: [1, 3] }, { shape: [0, 3] }, { shape: [2, 3] }]);
    checkOp('Concat', { axis: -1 }, [{ shape: [5] }]);
  });
  it('Slice: negative starts, steps, axes, clamping', () => {
    checkOp('Slice', {}, [{ shape: [5, 6] }, ints(1, -4), ints(4, 1000)]);
    checkOp('Slice', {}, [{ shape: [5, 6] }, ints(-1), ints(-1000), ints(1), ints(-2)]);
    checkOp('Slice', {}, [{ shape: [4, 7, 3] }, ints(0, 1), ints(4, 7), ints(0, 1), ints(3, 2)]);
  });
  it('Pad: constant with value, reflect, edge, negative pads', () => {
    const v = { shape: [], values: [1.5], constant: true };
    checkOp('Pad', {}, [{ shape: [3, 4] }, ints(1, 0, 2, 3)]);
    checkOp('Pad', {}, [{ shape: [3, 4] }, ints(0, 2, 1, 0), v]);
    checkOp('Pad', { mode: 'reflect' }, [{ shape: [3, 5] }, ints(2, 3, 2, 4)]);
    checkOp('Pad', { mode: 'edge' }, [{ shape: [3, 5] }, ints(2, 1, 0, 3)]);
    checkOp('Pad', {}, [{ shape: [4, 6] }, ints(-1, 2, 0, -2)]);
  });
  it('Gather with constant and negative indices, on every axis', () => {
    checkOp('Gather', {}, [{ shape: [5, 3] }, { shape: [2, 2], dtype: 'int64', values: [0, 4, -1, 2], constant: true }]);
    checkOp('Gather', { axis: 1 }, [{ shape: [2, 6, 3] }, ints(5, 0, -6)]);
    checkOp('Gather', { axis: -1 }, [{ shape: [2, 4] }, { shape: [], dtype: 'int64', values: [3], constant: true }]);
  });
  it('Tile, Expand, DepthToSpace, SpaceToDepth', () => {
    checkOp('Tile', {}, [{ shape: [2, 3] }, ints(2, 3)]);
    checkOp('Expand', {}, [{ shape: [3, 1] }, ints(2, 3, 4)]);
    checkOp('DepthToSpace', { blocksize: 2 }, [{ shape: [1, 8, 2, 3] }]);
    checkOp('DepthToSpace', { blocksize: 2, mode: 'CRD' }, [{ shape: [2, 8, 3, 2] }]);
    checkOp('SpaceToDepth', { blocksize: 2 }, [{ shape: [1, 3, 4, 6] }]);
  });
  it('Cast between float32, int32 and bool', () => {
    checkOp('Cast', { to: 'int32' }, [{ shape: [7], range: [-50, 50] }]);
    checkOp('Cast', { to: 'float32' }, [{ shape: [2, 3], dtype: 'int32' }]);
    checkOp('Cast', { to: 'bool' }, [{ shape: [6], values: [0, 1.5, -2, 0, 3, 0] }]);
    checkOp('Cast', { to: 'float32' }, [{ shape: [6], dtype: 'bool' }]);
  });
});
