// Unary elementwise ops: math functions, predicates and activations, each a scalar function.
import { elementZero } from '../lower/te.js';
import { attr, defineOp, type OpTable } from './op.js';
import { bin, call, cnst, select, un } from '../loop/ir.js';
import { checkDType, checkSameDType, mapUnary, simpleUnary, unaryOp, type Scalar1 } from './elementwise-build.js';
import { clamp01, expm1, k, lt0, mapInputs, relu, softplusExpr, withExpr } from './elementwise-compute.js';

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
  Abs: withExpr(simpleUnary(Math.abs),
    ([x]) => un('abs', x)),
  Neg: withExpr(simpleUnary((x) => -x),
    ([x]) => un('neg', x)),
  Reciprocal: withExpr(simpleUnary((x) => 1 / x, 'float'),
    ([x]) => bin('div', k(x, 1), x)),
  Floor: withExpr(simpleUnary(Math.floor, 'float'),
    ([x]) => un('floor', x)),
  Ceil: withExpr(simpleUnary(Math.ceil, 'float'),
    ([x]) => un('ceil', x)),
  Round: withExpr(simpleUnary(roundHalfEven, 'float'),
    ([x]) => un('nearest', x)),
  Sqrt: withExpr(simpleUnary(Math.sqrt, 'float'),
    ([x]) => un('sqrt', x)),
  Exp: withExpr(simpleUnary(Math.exp, 'float'),
    ([x]) => call('exp', x)),
  Log: withExpr(simpleUnary(Math.log, 'float'),
    ([x]) => call('log', x)),
  Sin: withExpr(simpleUnary(Math.sin, 'float'),
    ([x]) => call('sin', x)),
  Cos: withExpr(simpleUnary(Math.cos, 'float'),
    ([x]) => call('cos', x)),
  Tan: withExpr(simpleUnary(Math.tan, 'float'),
    ([x]) => call('tan', x)),
  Asin: withExpr(simpleUnary(Math.asin, 'float'),
    ([x]) => call('asin', x)),
  Acos: withExpr(simpleUnary(Math.acos, 'float'),
    ([x]) => call('acos', x)),
  Atan: withExpr(simpleUnary(Math.atan, 'float'),
    ([x]) => call('atan', x)),
  Sinh: withExpr(simpleUnary(Math.sinh, 'float'),
    ([x]) => call('sinh', x)),
  Cosh: withExpr(simpleUnary(Math.cosh, 'float'),
    ([x]) => call('cosh', x)),
  Asinh: withExpr(simpleUnary(Math.asinh, 'float'),
    ([x]) => call('asinh', x)),
  Acosh: withExpr(simpleUnary(Math.acosh, 'float'),
    ([x]) => call('acosh', x)),
  Atanh: withExpr(simpleUnary(Math.atanh, 'float'),
    ([x]) => call('atanh', x)),
  Erf: withExpr(simpleUnary(erf),
    ([x]) => call('erf', x)),
  Sign: withExpr(simpleUnary(Math.sign),
    ([x]) => select(bin('gt', x, k(x, 0)), k(x, 1), select(lt0(x), k(x, -1), k(x, 0)))),
  Not: withExpr(simpleUnary((x) => (x ? 0 : 1), 'bool'),
    ([x]) => un('not', x)),
  IsNaN: withExpr(simpleUnary((x) => (Number.isNaN(x) ? 1 : 0), 'float', 'bool'),
    ([x]) => bin('ne', x, x)),
  IsInf: withExpr(unaryOp({ detect_negative: attr.int(1), detect_positive: attr.int(1) }, 'float',
    (a) => (x) => ((x === Infinity && a.detect_positive) || (x === -Infinity && a.detect_negative) ? 1 : 0), 'bool'),
    ([x], a) => bin('or', bin('and', bin('eq', x, k(x, Infinity)), cnst(a.detect_positive ? 1 : 0)),
      bin('and', bin('eq', x, k(x, -Infinity)), cnst(a.detect_negative ? 1 : 0)))),

  Relu: withExpr(simpleUnary((x) => (x < 0 ? 0 : x)),
    ([x]) => select(lt0(x), k(x, 0), x)),
  LeakyRelu: withExpr(unaryOp({ alpha: attr.float(0.01) }, 'float', ({ alpha }) => (x) => (x < 0 ? alpha * x : x)),
    ([x], a) => select(lt0(x), bin('mul', k(x, a.alpha), x), x)),
  Elu: withExpr(unaryOp({ alpha: attr.float(1) }, 'float', ({ alpha }) => (x) => (x < 0 ? alpha * Math.expm1(x) : x)),
    ([x], a) => select(lt0(x), bin('mul', k(x, a.alpha), expm1(x)), x)),
  Selu: withExpr(unaryOp({ alpha: attr.float(1.67326319217681884765625), gamma: attr.float(1.05070102214813232421875) }, 'float',
    ({ alpha, gamma }) => (x) => gamma * (x <= 0 ? alpha * Math.expm1(x) : x)),
    ([x], a) => bin('mul', k(x, a.gamma), select(bin('le', x, k(x, 0)), bin('mul', k(x, a.alpha), expm1(x)), x))),
  Celu: withExpr(unaryOp({ alpha: attr.float(1) }, 'float',
    ({ alpha }) => (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha))),
    ([x], a) => bin('add', relu(x), bin('min', k(x, 0), bin('mul', k(x, a.alpha), expm1(bin('div', x, k(x, a.alpha))))))),
  Sigmoid: withExpr(simpleUnary(sigmoid, 'float'),
    ([x]) => call('sigmoid', x)),
  HardSigmoid: withExpr(unaryOp({ alpha: attr.float(0.2), beta: attr.float(0.5) }, 'float',
    ({ alpha, beta }) => (x) => Math.max(0, Math.min(1, alpha * x + beta))),
    ([x], a) => clamp01(bin('add', bin('mul', k(x, a.alpha), x), k(x, a.beta)))),
  HardSwish: withExpr(simpleUnary((x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)), 'float'),
    ([x]) => bin('mul', x, clamp01(bin('add', bin('div', x, k(x, 6)), k(x, 0.5))))),
  Tanh: withExpr(simpleUnary(Math.tanh, 'float'),
    ([x]) => call('tanh', x)),
  Softplus: withExpr(simpleUnary(softplus, 'float'),
    ([x]) => softplusExpr(x)),
  Softsign: withExpr(simpleUnary((x) => x / (1 + Math.abs(x)), 'float'),
    ([x]) => bin('div', x, bin('add', k(x, 1), un('abs', x)))),
  Gelu: withExpr(unaryOp({ approximate: attr.string('none') }, 'float', ({ approximate }): Scalar1 =>
    approximate === 'tanh'
      ? (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_PI * (x + 0.044715 * x * x * x)))
      : (x) => 0.5 * x * (1 + erf(x * SQRT1_2))),
    ([x], a) => a.approximate === 'tanh'
      ? bin('mul', bin('mul', k(x, 0.5), x), bin('add', k(x, 1), call('tanh', bin('mul', k(x, SQRT_2_PI),
        bin('add', x, bin('mul', k(x, 0.044715), bin('mul', x, bin('mul', x, x))))))))
      : bin('mul', bin('mul', k(x, 0.5), x), bin('add', k(x, 1), call('erf', bin('mul', x, k(x, SQRT1_2)))))),
  Mish: withExpr(simpleUnary((x) => x * Math.tanh(softplus(x)), 'float'),
    ([x]) => bin('mul', x, call('tanh', softplusExpr(x)))),
  ThresholdedRelu: withExpr(unaryOp({ alpha: attr.float(1) }, 'float', ({ alpha }) => (x) => (x > alpha ? x : 0)),
    ([x], a) => select(bin('gt', x, k(x, a.alpha)), x, k(x, 0))),
  Shrink: withExpr(unaryOp({ bias: attr.float(0), lambd: attr.float(0.5) }, 'numeric',
    ({ bias, lambd }) => (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0)),
    ([x], a) => select(bin('lt', x, k(x, -a.lambd)), bin('add', x, k(x, a.bias)),
      select(bin('gt', x, k(x, a.lambd)), bin('sub', x, k(x, a.bias)), k(x, 0)))),
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
    // bounds are read as one-element tensors, so a Clip with run-time bounds compiles too
    compute: (ctx) => {
      const [x, min, max] = ctx.inputs;
      return [mapInputs(ctx, [x!], ([v]) => {
        const r = min ? select(bin('lt', v, elementZero(min)), elementZero(min), v) : v;
        return max ? select(bin('gt', r, elementZero(max)), elementZero(max), r) : r;
      })];
    },
  }),
} satisfies OpTable;
