// Normalisation computes (BatchNormalization in both modes, Layer, Instance, Group and MeanVariance
// normalisation, LRN) against the reference kernels.
import assert from 'node:assert/strict';
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

describe('normalisation computes: training mode, group, mean-variance, LRN', () => {
  const c = (lo: number, hi: number) => ({ shape: [3], range: [lo, hi] as [number, number], constant: true });
  it('BatchNormalization in training mode, with and without the running statistics', () => {
    const inputs = [{ shape: [2, 3, 4, 5] }, c(0.5, 2), c(-1, 1), c(-1, 1), c(0.1, 2)];
    const { got } = checkOp('BatchNormalization', { training_mode: 1, momentum: 0.8 }, inputs, undefined, { tol: 1e-4 });
    assert.equal(got.length, 3);
    checkOp('BatchNormalization', { training_mode: 1 }, [{ shape: [5, 3] }, c(0.5, 2), c(-1, 1), c(-1, 1), c(0.1, 2)], undefined, { tol: 1e-4 });
  });
  it('GroupNormalization over groups of channels', () => {
    checkOp('GroupNormalization', { num_groups: 2 }, [{ shape: [2, 6, 3, 5] }, { shape: [6] }, { shape: [6] }], undefined, { tol: 1e-4 });
    checkOp('GroupNormalization', { num_groups: 5, epsilon: 0.1 }, [{ shape: [1, 5, 7] }, { shape: [5] }, { shape: [5] }], undefined, { tol: 1e-4 });
  });
  it('MeanVarianceNormalization over default and chosen axes', () => {
    checkOp('MeanVarianceNormalization', {}, [{ shape: [2, 3, 4, 5] }], undefined, { tol: 1e-4 });
    checkOp('MeanVarianceNormalization', { axes: [1, -1] }, [{ shape: [2, 3, 4] }], undefined, { tol: 1e-4 });
  });
  it('LRN with odd and even sizes', () => {
    checkOp('LRN', { size: 3, alpha: 0.01, beta: 0.75, bias: 1 }, [{ shape: [2, 5, 3, 4] }], undefined, { tol: 1e-4 });
    checkOp('LRN', { size: 4, alpha: 0.5, beta: 0.6, bias: 2 }, [{ shape: [1, 6, 7] }], undefined, { tol: 1e-4 });
  });
});
