// Polynomial coefficients for the intrinsic functions, fitted when first needed: interpolation
// at Chebyshev nodes (near-minimax) of a smooth target on an interval, solved in double precision.

/** Coefficients c0..c{degree} (lowest first) of the polynomial interpolating `g` at Chebyshev nodes of [lo, hi]. */
export function chebyshevFit(g: (u: number) => number, lo: number, hi: number, degree: number): number[] {
  const n = degree + 1;
  const rows = Array.from({ length: n }, (_, k) => {
    const u = (lo + hi) / 2 + ((hi - lo) / 2) * Math.cos(((2 * k + 1) * Math.PI) / (2 * n));
    const row = Array.from({ length: n }, (_, j) => u ** j);
    row.push(g(u));
    return row;
  });
  // Gaussian elimination with partial pivoting on the augmented Vandermonde system
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(rows[r][col]) > Math.abs(rows[pivot][col])) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    for (let r = col + 1; r < n; r++) {
      const f = rows[r][col] / rows[col][col];
      for (let j = col; j <= n; j++) rows[r][j] -= f * rows[col][j];
    }
  }
  const coef = new Array<number>(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = rows[r][n];
    for (let j = r + 1; j < n; j++) s -= rows[r][j] * coef[j];
    coef[r] = s / rows[r][r];
  }
  return coef;
}

/** Memoises a fit so a module build computes each one once per process. */
export function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
