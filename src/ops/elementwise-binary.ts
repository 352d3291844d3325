// Broadcasting elementwise ops of two or more inputs: arithmetic, comparisons, logic, bitwise,
// variadic Max/Min/Sum/Mean, Where and PRelu; BitwiseNot joins its bitwise kin here.
import { allocData, isInteger, type DType } from '../ir/dtype.js';
import { broadcastShapes } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { map3, planBroadcast } from './broadcast.js';
import { bin, call, cast, cnst, select, un, type Expr } from '../loop/ir.js';
import { neutralOperand } from './facets.js';
import { attr, opaqueElements, defineOp, type OpTable } from './op.js';
import { k, withExpr } from './elementwise-compute.js';
import {
  binaryOp, checkDType, checkSameDType, checkUnidirectional, mapBinary, simpleBinary, unaryOp, variadicOp,
  type Scalar2,
} from './elementwise-build.js';

const is64 = (d: DType): boolean => d === 'int64' || d === 'uint64';

/** A 64-bit integer result of BigInt arithmetic, wrapped to `dtype` and held as a double. */
function wrap64(dtype: DType): (v: bigint) => number {
  return dtype === 'int64' ? (v) => Number(BigInt.asIntN(64, v)) : (v) => Number(BigInt.asUintN(64, v));
}

/** A bitwise op: JS's 32-bit operators serve every narrower type, BigInt the 64-bit ones. */
function bitwiseOp(f32: Scalar2, f64: (x: bigint, y: bigint) => bigint) {
  return binaryOp({}, 'integer', (_, d): Scalar2 => {
    if (!is64(d)) return f32;
    const wrap = wrap64(d);
    return (x, y) => wrap(f64(BigInt(x), BigInt(y)));
  });
}

/**
 * Integer division is total, as NumPy and the loop IR (src/loop/semantics.ts) define it: x / 0 and
 * x % 0 are 0, and MIN / -1 wraps to MIN (int32 wraps on store; int64, held as a double, here).
 */
function intDiv(d: DType): Scalar2 {
  return d === 'int64'
    ? (x, y) => { const q = y === 0 ? 0 : Math.trunc(x / y); return q >= 2 ** 63 ? q - 2 ** 64 : q; }
    : (x, y) => (y === 0 ? 0 : Math.trunc(x / y));
}
const intFmod: Scalar2 = (x, y) => (y === 0 ? 0 : x % y);
const intFloorMod: Scalar2 = (x, y) => (y === 0 ? 0 : floorMod(x, y));

/** Remainder with the divisor's sign (Python's %), as Mod with fmod=0 defines it. */
function floorMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
}

/**
 * x^n for an integer base, exact (the float pow intrinsic would round past 2^24): squaring over
 * n's low 6 bits. Past them |x| >= 2 overflows every integer type, and negative n truncates
 * 1/x^|n| to 0, so both give 0 except for bases ±1. A float exponent that is not a whole number
 * goes through the float pow, truncated as the reference's integer store does.
 */
function integerPow(x: Expr, y: Expr): Expr {
  const t = x.type.scalar;
  const n = isFloatExpr(y) ? cast(y, t) : y.type.scalar === t ? y : cast(y, t);
  const low = bin('and', n, k(n, 63));
  let r = k(x, 1), base = x;
  for (let bit = 0; bit < 6; bit++) {
    const set = bin('ne', bin('and', bin('shr', low, k(n, bit)), k(n, 1)), k(n, 0));
    r = bin('mul', r, select(set, base, k(x, 1)));
    if (bit < 5) base = bin('mul', base, base);
  }
  const unit = bin('or', bin('eq', x, k(x, 1)), bin('eq', x, k(x, -1)));
  const beyond = bin('or', bin('lt', n, k(n, 0)), bin('gt', n, k(n, 63)));
  const exact = select(bin('and', beyond, bin('eq', unit, cnst(0))), k(x, 0), r);
  if (!isFloatExpr(y)) return exact;
  const whole = bin('eq', un('trunc', y), y);
  return select(whole, exact, cast(call('pow', cast(x, y.type.scalar), y), t));
}
const isFloatExpr = (e: Expr) => e.type.scalar === 'f32' || e.type.scalar === 'f64';

const max: Scalar2 = (x, y) => (x >= y || Number.isNaN(x) ? x : y);
const min: Scalar2 = (x, y) => (x <= y || Number.isNaN(x) ? x : y);
const add: Scalar2 = (x, y) => x + y;
const cmp = (f: Scalar2) => simpleBinary(f, 'numeric', { out: 'bool' });

export const binaryOps = {
  Add: { ...withExpr(simpleBinary(add), ([x, y]) => bin('add', x, y)), passThrough: neutralOperand([0, 0], [1, 0]) },
  Sub: { ...withExpr(simpleBinary((x, y) => x - y), ([x, y]) => bin('sub', x, y)), passThrough: neutralOperand([0, 0]) },
  // Math.imul keeps the low 32 bits exact where a double product of two int32s would round
  Mul: {
    ...withExpr(binaryOp({}, 'numeric', (_, d) => (isInteger(d) && !is64(d) ? Math.imul : (x, y) => x * y)), ([x, y]) => bin('mul', x, y)),
    passThrough: neutralOperand([0, 1], [1, 1]),
  },
  Div: {
    ...withExpr(binaryOp({}, 'numeric', (_, d) => (isInteger(d) ? intDiv(d) : (x, y) => x / y)), ([x, y]) => bin('div', x, y)),
    passThrough: neutralOperand([0, 1]),
  },
  Pow: {
    ...withExpr(binaryOp({}, 'numeric', () => Math.pow, { mixed: true }), ([x, y]) => {
      if (!isFloatExpr(x)) return integerPow(x, y);
      return call('pow', x, y.type.scalar === x.type.scalar ? y : cast(y, x.type.scalar));
    }),
    passThrough: neutralOperand([0, 1]),
  },
  Mod: withExpr(binaryOp({ fmod: attr.int(0) }, 'numeric', ({ fmod }, d) => isInteger(d) ? (fmod ? intFmod : intFloorMod) : fmod ? (x, y) => x % y : floorMod),
    ([x, y], a) => bin(a.fmod ? 'mod' : 'floormod', x, y)),
  Max: withExpr(variadicOp(max),
    (xs) => xs.reduce((acc, x) => bin('max', acc, x))),
  Min: withExpr(variadicOp(min),
    (xs) => xs.reduce((acc, x) => bin('min', acc, x))),
  Sum: withExpr(variadicOp(add),
    (xs) => xs.reduce((acc, x) => bin('add', acc, x))),
  Mean: withExpr(variadicOp(add, (acc, n) => acc / n),
    (xs) => bin('div', xs.reduce((acc, x) => bin('add', acc, x)), k(xs[0], xs.length))),

  Equal: { ...withExpr(simpleBinary((x, y) => (x === y ? 1 : 0), 'any', { out: 'bool' }),
    ([x, y]) => bin('eq', x, y)), handlesStrings: opaqueElements },
  Less: withExpr(cmp((x, y) => (x < y ? 1 : 0)),
    ([x, y]) => bin('lt', x, y)),
  LessOrEqual: withExpr(cmp((x, y) => (x <= y ? 1 : 0)),
    ([x, y]) => bin('le', x, y)),
  Greater: withExpr(cmp((x, y) => (x > y ? 1 : 0)),
    ([x, y]) => bin('gt', x, y)),
  GreaterOrEqual: withExpr(cmp((x, y) => (x >= y ? 1 : 0)),
    ([x, y]) => bin('ge', x, y)),
  And: withExpr(simpleBinary((x, y) => x & y, 'bool'),
    ([x, y]) => bin('and', x, y)),
  Or: withExpr(simpleBinary((x, y) => x | y, 'bool'),
    ([x, y]) => bin('or', x, y)),
  Xor: withExpr(simpleBinary((x, y) => x ^ y, 'bool'),
    ([x, y]) => bin('xor', x, y)),

  // narrow shifts as multiplication by powers of two (the storage wraps), 64-bit ones through BigInt
  // unsigned elements load as non-negative i32, so the arithmetic shr is the logical one
  BitShift: withExpr(binaryOp({ direction: attr.required('string') }, 'integer', ({ direction }, d): Scalar2 => {
    const left = direction === 'LEFT';
    if (!is64(d)) return left ? (x, y) => x * 2 ** y : (x, y) => Math.floor(x / 2 ** y);
    const wrap = wrap64(d);
    return left ? (x, y) => wrap(BigInt(x) << BigInt(y)) : (x, y) => wrap(BigInt(x) >> BigInt(y));
  }), ([x, y], a) => bin(a.direction === 'LEFT' ? 'shl' : 'shr', x, y)),
  BitwiseAnd: withExpr(bitwiseOp((x, y) => x & y, (x, y) => x & y),
    ([x, y]) => bin('and', x, y)),
  BitwiseOr: withExpr(bitwiseOp((x, y) => x | y, (x, y) => x | y),
    ([x, y]) => bin('or', x, y)),
  BitwiseXor: withExpr(bitwiseOp((x, y) => x ^ y, (x, y) => x ^ y),
    ([x, y]) => bin('xor', x, y)),
  BitwiseNot: withExpr(unaryOp({}, 'integer', (_, d) => {
    const wrap = wrap64(d);
    return is64(d) ? (x) => wrap(~BigInt(x)) : (x) => ~x;
  }),
    ([x]) => bin('xor', x, k(x, -1))),

  PRelu: withExpr(defineOp({
    attrs: {}, inputs: [2, 2], fusion: 'broadcast',
    infer: ({ node, inputs: [x, slope] }) => {
      checkDType(node.op, 'numeric', x!.dtype);
      checkSameDType(node.op, [x, slope]);
      checkUnidirectional(node.op, x!, slope!);
      return [x!];
    },
    run: ({ inputs: [x, slope] }) => [mapBinary(x!, slope!, x!.dtype, (v, s) => (v < 0 ? s * v : v))],
  }),
    ([x, slope]) => select(bin('lt', x, k(x, 0)), bin('mul', slope, x), x)),

  Where: { ...withExpr(defineOp({
    attrs: {}, inputs: [3, 3], fusion: 'broadcast',
    infer: ({ node, inputs: [cond, x, y] }) => {
      checkDType(node.op, 'bool', cond!.dtype);
      const dtype = checkSameDType(node.op, [x, y]);
      return [{ dtype, shape: broadcastShapes(cond!.shape, x!.shape, y!.shape) }];
    },
    run: ({ inputs: [cond, x, y] }) => {
      const plan = planBroadcast([cond!.shape, x!.shape, y!.shape]);
      const out = allocData(x!.dtype, plan.size);
      map3<number, number | string, number | string, number | string>(
        plan, cond!.numbers, x!.data, y!.data, out, (c, a, b) => (c ? a : b));
      return [new Tensor(x!.dtype, plan.shape, out)];
    },
  }),
    ([c, x, y]) => select(c, x, y)), handlesStrings: opaqueElements },
} satisfies OpTable;
