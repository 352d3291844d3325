// Einsum computes against the reference kernel: matmul-like equations (which get the matmul
// schedule), transposes, reductions, diagonals, broadcasting ellipses and elementwise products.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { einsumAsMatmul, planEinsum } from '../../src/ops/nn-einsum.js';
import { checkOp } from './check.js';

const TOL = { tol: 1e-4 };

describe('Einsum compute', () => {
  it('matmul-like equations take the matmul schedule', () => {
    assert.deepEqual(einsumAsMatmul(planEinsum('bij,bjk->bik', [[2, 4, 6], [2, 6, 8]])), { batch: 1, m: 4, n: 8, k: 6 });
    assert.equal(einsumAsMatmul(planEinsum('ij,ij->i', [[4, 6], [4, 6]])), undefined);
    checkOp('Einsum', { equation: 'bij,bjk->bik' }, [{ shape: [2, 4, 6] }, { shape: [2, 6, 8] }], undefined, TOL);
    checkOp('Einsum', { equation: 'ij,kj->ik' }, [{ shape: [5, 3] }, { shape: [8, 3] }], undefined, TOL);
    checkOp('Einsum', { equation: '...ij,jk->...ik' }, [{ shape: [2, 3, 4, 5] }, { shape: [5, 7] }], undefined, TOL);
  });
  it('transposes, sums, traces, implicit outputs and elementwise products', () => {
    checkOp('Einsum', { equation: 'ij->ji' }, [{ shape: [3, 5] }]);
    checkOp('Einsum', { equation: 'ijk->j' }, [{ shape: [2, 3, 4] }], undefined, TOL);
    checkOp('Einsum', { equation: 'ii->i' }, [{ shape: [4, 4] }]);
    checkOp('Einsum', { equation: 'ii' }, [{ shape: [4, 4] }], undefined, TOL);
    checkOp('Einsum', { equation: 'ij,ij->ij' }, [{ shape: [3, 5] }, { shape: [1, 5] }]);
    checkOp('Einsum', { equation: 'i,j,k->ijk' }, [{ shape: [2] }, { shape: [3] }, { shape: [4] }]);
  });
});
