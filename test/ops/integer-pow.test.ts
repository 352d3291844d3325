// Pow of an integer base compiles to exact repeated squaring: every power the reference computes
// exactly, the edge exponents (0, negative, past 63) and bases (0, ±1), int and float exponents.
import { test } from 'node:test';
import { Tensor } from '../../src/ir/tensor.js';
import { checkCompiledNode } from './compiled-check.js';

const BASES = [0, 1, -1, 2, -2, 3, -3, 7, 10, -13, 46340, 1 << 20];
const EXPONENTS = [0, 1, 2, 3, 5, 8, 13, 19, 31, 32, 40, 62, 63, 64, 65, 100, -1, -2, -7];

function grid(): [number[], number[]] {
  const xs: number[] = [], ns: number[] = [];
  for (const x of BASES) for (const n of EXPONENTS) { xs.push(x); ns.push(n); }
  return [xs, ns];
}

test('int32 and int64 bases to integer powers match the reference wherever it is exact', async () => {
  const [xs, ns] = grid();
  for (const d of ['int32', 'int64'] as const) {
    // the reference rounds powers past 2^53 (it computes in doubles): compare only exact ones
    // and 0 to a negative power divides by zero (the reference stores infinity into an int64)
    const keep = xs.map((x, i) => (Math.abs(x) ** ns[i] < 2 ** 53 || Math.abs(x) <= 1 || ns[i] < 0) && !(x === 0 && ns[i] < 0));
    const x = xs.filter((_, i) => keep[i]), n = ns.filter((_, i) => keep[i]);
    // int32 results wrap as the reference's Int32Array store does
    await checkCompiledNode('Pow', {}, [Tensor.from(d, [x.length], x), Tensor.from(d, [n.length], n)]);
    await checkCompiledNode('Pow', {}, [Tensor.from(d, [x.length], x), Tensor.from('int32', [n.length], n)]);
  }
});

test('an integer base to a float power: whole exponents exact, others through the float pow, truncated', async () => {
  const xs = [2, 3, -3, 10, 5, 9, 2, 100, 0, 1, -1];
  const ys = [10, 5, 3, 9, 0.5, 0.5, -1, 1.5, 0, 2.5, 3];
  for (const d of ['int32', 'int64'] as const) {
    await checkCompiledNode('Pow', {}, [Tensor.from(d, [xs.length], xs), Tensor.from('float32', [ys.length], ys)]);
  }
});
