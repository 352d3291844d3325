// Unary elementwise ops: math functions, predicates and activations, each a scalar function.
import { attr, defineOp, type OpTable } from './op.js';
import { checkDType, checkSameDType, mapUnary, simpleUnary, unaryOp, type Scalar1 } from './elementwise-build.js';

/** Rounds halves to the even neighbour (ONNX Round, numpy.round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The error function to double precision: its Maclaurin series where it converges fast,
 * and erfc's continued fraction (evaluated backwards) in the tails.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (Number.isNaN(x)) return x;
  if (ax < 2.5) {
    // erf x = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc x = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  let t = ax;
  for (let k = 60; k >= 1; k--) t = ax + (k / 2) / t;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / t;
  return Math.sign(x) * (1 - erfc);
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow for large x. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_PI = Math.sqrt(2 / Math.PI);

export const unaryOps = {
  Abs: simpleUnary(Math.abs),
  Neg: simpleUnary((x) => -x),
  Reciprocal: simpleUnary((x) => 1 / x, 'float'),
  Floor: simpleUnary(Math.floor, 'float'),
  Ceil: simpleUnary(Math.ceil, 'float'),
  Round: simpleUnary(roundHalfEven, 'float'),
  Sqrt: simpleUnary(Math.sqrt, 'float'),
  Exp: simpleUnary(Math.exp, 'float'),
  Log: simpleUnary(Math.log, 'float'),
  Sin: simpleUnary(Math.sin, 'float'),
  Cos: simpleUnary(Math.cos, 'float'),
  Tan: simpleUnary(Math.tan, 'float'),
  Asin: simpleUnary(Math.asin, 'float'),
  Acos: simpleUnary(Math.acos, 'float'),
  Atan: simpleUnary(Math.atan, 'float'),
  Sinh: simpleUnary(Math.sinh, 'float'),
  Cosh: simpleUnary(Math.cosh, 'float'),
  Asinh: simpleUnary(Math.asinh, 'float'),
  Acosh: simpleUnary(Math.acosh, 'float'),
  Atanh: simpleUnary(Math.atanh, 'float'),
  Erf: simpleUnary(erf),
  Sign: simpleUnary(Math.sign),
  Not: simpleUnary((x) => (x ? 0 : 1), 'bool'),
  IsNaN: simpleUnary((x) => (Number.isNaN(x) ? 1 : 0), 'float', 'bool'),
  IsInf: unaryOp({ detect_negative: attr.int(1), detect_positive: attr.int(1) }, 'float',
    (a) => (x) => ((x === Infinity && a.detect_positive) || (x === -Infinity && a.detect_negative) ? 1 : 0), 'bool'),

  Relu: simpleUnary((x) => (x < 0 ? 0 : x)),
  LeakyRelu: unaryOp({ alpha: attr.float(0.01) }, 'float', ({ alpha }) => (x) => (x < 0 ? alpha * x : x)),
  Elu: unaryOp({ alpha: attr.float(1) }, 'float', ({ alpha }) => (x) => (x < 0 ? alpha * Math.expm1(x) : x)),
  Selu: unaryOp({ alpha: attr.float(1.67326319217681884765625), gamma: attr.float(1.05070102214813232421875) }, 'float',
    ({ alpha, gamma }) => (x) => gamma * (x <= 0 ? alpha * Math.expm1(x) : x)),
  Celu: unaryOp({ alpha: attr.float(1) }, 'float',
    ({ alpha }) => (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha))),
  Sigmoid: simpleUnary(sigmoid, 'float'),
  HardSigmoid: unaryOp({ alpha: attr.float(0.2), beta: attr.float(0.5) }, 'float',
    ({ alpha, beta }) => (x) => Math.max(0, Math.min(1, alpha * x + beta))),
  HardSwish: simpleUnary((x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)), 'float'),
  Tanh: simpleUnary(Math.tanh, 'float'),
  Softplus: simpleUnary(softplus, 'float'),
  Softsign: simpleUnary((x) => x / (1 + Math.abs(x)), 'float'),
  Gelu: unaryOp({ approximate: attr.string('none') }, 'float', ({ approximate }): Scalar1 =>
    approximate === 'tanh'
      ? (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_PI * (x + 0.044715 * x * x * x)))
      : (x) => 0.5 * x * (1 + erf(x * SQRT1_2))),
  Mish: simpleUnary((x) => x * Math.tanh(softplus(x)), 'float'),
  ThresholdedRelu: unaryOp({ alpha: attr.float(1) }, 'float', ({ alpha }) => (x) => (x > alpha ? x : 0)),
  Shrink: unaryOp({ bias: attr.float(0), lambd: attr.float(0.5) }, 'numeric',
    ({ bias, lambd }) => (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0)),
  Clip: defineOp({
    attrs: {}, inputs: [1, 3], fusion: 'elemwise',
    infer: ({ node, inputs }) => {
      checkDType(node.op, 'numeric', inputs[0]!.dtype);
      checkSameDType(node.op, inputs);
      return [inputs[0]!];
    },
    run: ({ inputs: [x, min, max] }) => {
      const lo = min ? min.numbers[0] : -Infinity;
      const hi = max ? max.numbers[0] : Infinity;
      // NaN passes through; when lo > hi every value becomes hi, as the spec says
      return [mapUnary(x!, x!.dtype, (v) => { const r = v < lo ? lo : v; return r > hi ? hi : r; })];
    },
  }),
} satisfies OpTable;
