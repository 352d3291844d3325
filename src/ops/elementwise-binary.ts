// Broadcasting elementwise ops of two or more inputs: arithmetic, comparisons, logic, bitwise,
// variadic Max/Min/Sum/Mean, Where and PRelu; BitwiseNot joins its bitwise kin here.
import { allocData, isInteger, type DType } from '../ir/dtype.js';
import { broadcastShapes } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { map3, planBroadcast } from './broadcast.js';
import { attr, defineOp, type OpTable } from './op.js';
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

/** Integer remainder with the divisor's sign (Python's %), as Mod with fmod=0 defines it. */
function floorMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
}

const max: Scalar2 = (x, y) => (x >= y || Number.isNaN(x) ? x : y);
const min: Scalar2 = (x, y) => (x <= y || Number.isNaN(x) ? x : y);
const add: Scalar2 = (x, y) => x + y;
const cmp = (f: Scalar2) => simpleBinary(f, 'numeric', { out: 'bool' });

export const binaryOps = {
  Add: simpleBinary(add),
  Sub: simpleBinary((x, y) => x - y),
  // Math.imul keeps the low 32 bits exact where a double product of two int32s would round
  Mul: binaryOp({}, 'numeric', (_, d) => (isInteger(d) && !is64(d) ? Math.imul : (x, y) => x * y)),
  Div: binaryOp({}, 'numeric', (_, d) => (isInteger(d) ? (x, y) => Math.trunc(x / y) : (x, y) => x / y)),
  Pow: binaryOp({}, 'numeric', () => Math.pow, { mixed: true }),
  Mod: binaryOp({ fmod: attr.int(0) }, 'numeric', ({ fmod }) => (fmod ? (x, y) => x % y : floorMod)),
  Max: variadicOp(max),
  Min: variadicOp(min),
  Sum: variadicOp(add),
  Mean: variadicOp(add, (acc, n) => acc / n),

  Equal: simpleBinary((x, y) => (x === y ? 1 : 0), 'any', { out: 'bool' }),
  Less: cmp((x, y) => (x < y ? 1 : 0)),
  LessOrEqual: cmp((x, y) => (x <= y ? 1 : 0)),
  Greater: cmp((x, y) => (x > y ? 1 : 0)),
  GreaterOrEqual: cmp((x, y) => (x >= y ? 1 : 0)),
  And: simpleBinary((x, y) => x & y, 'bool'),
  Or: simpleBinary((x, y) => x | y, 'bool'),
  Xor: simpleBinary((x, y) => x ^ y, 'bool'),

  // narrow shifts as multiplication by powers of two (the storage wraps), 64-bit ones through BigInt
  BitShift: binaryOp({ direction: attr.required('string') }, 'integer', ({ direction }, d): Scalar2 => {
    const left = direction === 'LEFT';
    if (!is64(d)) return left ? (x, y) => x * 2 ** y : (x, y) => Math.floor(x / 2 ** y);
    const wrap = wrap64(d);
    return left ? (x, y) => wrap(BigInt(x) << BigInt(y)) : (x, y) => wrap(BigInt(x) >> BigInt(y));
  }),
  BitwiseAnd: bitwiseOp((x, y) => x & y, (x, y) => x & y),
  BitwiseOr: bitwiseOp((x, y) => x | y, (x, y) => x | y),
  BitwiseXor: bitwiseOp((x, y) => x ^ y, (x, y) => x ^ y),
  BitwiseNot: unaryOp({}, 'integer', (_, d) => {
    const wrap = wrap64(d);
    return is64(d) ? (x) => wrap(~BigInt(x)) : (x) => ~x;
  }),

  PRelu: defineOp({
    attrs: {}, inputs: [2, 2], fusion: 'broadcast',
    infer: ({ node, inputs: [x, slope] }) => {
      checkDType(node.op, 'numeric', x!.dtype);
      checkSameDType(node.op, [x, slope]);
      checkUnidirectional(node.op, x!, slope!);
      return [x!];
    },
    run: ({ inputs: [x, slope] }) => [mapBinary(x!, slope!, x!.dtype, (v, s) => (v < 0 ? s * v : v))],
  }),

  Where: defineOp({
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
} satisfies OpTable;
