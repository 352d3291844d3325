// Normalisation computes (BatchNormalization inference, LayerNormalization, InstanceNormalization)
// against the reference kernels.
import { describe, it } from 'node:test';
import { checkOp } from './check.js';

describe('normalisation computes', () => {
  it('BatchNormalization in inference mode', () => {
    const c = (lo: number, hi: number) => ({ shape: [3], range: [lo, hi] as [number, number], constant: true });
    checkOp('BatchNormalization', {}, [{ shape: [2, 3, 4, 5] }, c(0.5, 2), c(-1, 1), c(-1, 1), c(0.1, 2)]);
    checkOp('BatchNormalization', { epsilon: 0.01 }, [{ shape: [4, 3] }, c(0.5, 2), c(-1, 1), c(-1, 1), c(0.1, 2)]);
  });
  it('LayerNormalization over the last axes, with and without bias', () => {
    checkOp('LayerNormalization', {}, [{ shape: [3, 8] }, { shape: [8] }, { shape: [8] }], undefined, { tol: 1e-4 });
    checkOp('LayerNormalization', { axis: 1 }, [{ shape: [2, 3, 4] }, { shape: [3, 4] }], undefined, { tol: 1e-4 });
  });
  it('InstanceNormalization', () => {
    checkOp('InstanceNormalization', {}, [{ shape: [2, 3, 4, 5] }, { shape: [3] }, { shape: [3] }], undefined, { tol: 1e-4 });
  });
});
