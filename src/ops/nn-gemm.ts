// The dense matrix-multiply core behind MatMul, Gemm, Conv and ConvTranspose: register
// tiles of 4x4 outputs accumulated in JS doubles over the whole reduction, then stored once.
import type { DType, NumericData } from '../ir/dtype.js';
import { numel, stridesOf } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';

/** A term added to every output element: scale * data[off + i*rowStride + j*colStride]. */
export interface Addend {
  readonly data: NumericData;
  readonly off: number;
  readonly rowStride: number;
  readonly colStride: number;
  readonly scale: number;
}

/** Row-major operand: element (i, j) at data[off + i*ld + j]. */
export interface Matrix {
  readonly data: NumericData;
  readonly off: number;
  readonly ld: number;
}

/**
 * out(i, j) = alpha * sum_p a(i, p) * b(p, j) + addend(i, j), for i < m, j < n. Every sum
 * is exact double arithmetic until the single store into `out`.
 */
export function gemm(m: number, n: number, k: number, a: Matrix, b: Matrix, out: Matrix,
  alpha = 1, addend?: Addend): void {
  const n4 = n - (n % 4);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    for (let j = 0; j < n4; j += 4) tile4x4(k, a, b, out, i, j, alpha, addend);
    for (let r = i; r < i + 4; r++) for (let j = n4; j < n; j++) tile1x1(k, a, b, out, r, j, alpha, addend);
  }
  for (; i < m; i++) {
    for (let j = 0; j < n4; j += 4) tile1x4(k, a, b, out, i, j, alpha, addend);
    for (let j = n4; j < n; j++) tile1x1(k, a, b, out, i, j, alpha, addend);
  }
}

function store(out: Matrix, i: number, j: number, v: number, alpha: number, ad: Addend | undefined): void {
  out.data[out.off + i * out.ld + j] = ad === undefined ? alpha * v
    : alpha * v + ad.scale * ad.data[ad.off + i * ad.rowStride + j * ad.colStride];
}

function tile4x4(k: number, a: Matrix, b: Matrix, out: Matrix, i: number, j: number,
  alpha: number, ad: Addend | undefined): void {
  const A = a.data, B = b.data, lda = a.ld, ldb = b.ld;
  const a0 = a.off + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let pb = b.off + j;
  for (let p = 0; p < k; p++, pb += ldb) {
    const b0 = B[pb], b1 = B[pb + 1], b2 = B[pb + 2], b3 = B[pb + 3];
    let x = A[a0 + p];
    c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
    x = A[a1 + p];
    c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
    x = A[a2 + p];
    c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
    x = A[a3 + p];
    c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
  }
  store(out, i, j, c00, alpha, ad); store(out, i, j + 1, c01, alpha, ad);
  store(out, i, j + 2, c02, alpha, ad); store(out, i, j + 3, c03, alpha, ad);
  store(out, i + 1, j, c10, alpha, ad); store(out, i + 1, j + 1, c11, alpha, ad);
  store(out, i + 1, j + 2, c12, alpha, ad); store(out, i + 1, j + 3, c13, alpha, ad);
  store(out, i + 2, j, c20, alpha, ad); store(out, i + 2, j + 1, c21, alpha, ad);
  store(out, i + 2, j + 2, c22, alpha, ad); store(out, i + 2, j + 3, c23, alpha, ad);
  store(out, i + 3, j, c30, alpha, ad); store(out, i + 3, j + 1, c31, alpha, ad);
  store(out, i + 3, j + 2, c32, alpha, ad); store(out, i + 3, j + 3, c33, alpha, ad);
}

function tile1x4(k: number, a: Matrix, b: Matrix, out: Matrix, i: number, j: number,
  alpha: number, ad: Addend | undefined): void {
  const A = a.data, B = b.data, ldb = b.ld, a0 = a.off + i * a.ld;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  let pb = b.off + j;
  for (let p = 0; p < k; p++, pb += ldb) {
    const x = A[a0 + p];
    c0 += x * B[pb]; c1 += x * B[pb + 1]; c2 += x * B[pb + 2]; c3 += x * B[pb + 3];
  }
  store(out, i, j, c0, alpha, ad); store(out, i, j + 1, c1, alpha, ad);
  store(out, i, j + 2, c2, alpha, ad); store(out, i, j + 3, c3, alpha, ad);
}

function tile1x1(k: number, a: Matrix, b: Matrix, out: Matrix, i: number, j: number,
  alpha: number, ad: Addend | undefined): void {
  const A = a.data, B = b.data, ldb = b.ld, a0 = a.off + i * a.ld;
  let c = 0;
  for (let p = 0, pb = b.off + j; p < k; p++, pb += ldb) c += A[a0 + p] * B[pb];
  store(out, i, j, c, alpha, ad);
}

/** A row-major copy of the transpose of a rows x cols matrix (packs transposed operands). */
export function transposed(src: NumericData, off: number, rows: number, cols: number, into: NumericData): NumericData {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) into[c * rows + r] = src[off + r * cols + c];
  }
  return into;
}

/** Wraps kernel output storage as a tensor, rounding to half precision where the dtype is float16. */
export function outputTensor(dtype: DType, shape: readonly number[], data: NumericData): Tensor {
  return dtype === 'float16' ? Tensor.from(dtype, shape, data) : new Tensor(dtype, shape, data);
}

/**
 * For each flat index of `shape`, the dot product of its multi-index with `strides`: where
 * a broadcast operand's element sits (batched MatMul, normalization parameters).
 */
export function remapIndices(shape: readonly number[], strides: readonly number[]): Int32Array {
  const own = stridesOf(shape), map = new Int32Array(numel(shape));
  for (let i = 0; i < map.length; i++) {
    let at = 0;
    for (let d = 0, rest = i; d < shape.length; d++) {
      const k = Math.floor(rest / own[d]);
      rest -= k * own[d];
      at += k * strides[d];
    }
    map[i] = at;
  }
  return map;
}
