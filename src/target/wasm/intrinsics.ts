// The loop IR's math intrinsics as wasm functions, each emitted once per module on first use.
// f32 and f32x4 versions share one definition (MathBuilder); sin/cos/tan and pow compute in f64
// (range reduction and the log/exp product need the extra bits) and their f32x4 forms go lane by lane.
import type { Intrinsic, VType } from '../../loop/ir.js';
import { UnsupportedError } from '../../errors.js';
import type { ModuleBuilder } from './module.js';
import type { IntrinsicProvider, TargetOptions } from './lower-expr.js';
import { MathBuilder, type Kind, type Val } from './math-builder.js';
import { chebyshevFit, memo } from './poly-fit.js';
import { erf as erfF64 } from '../../ops/elementwise-unary.js';

const f32 = Math.fround;
/** `x` rounded to `bits` significant bits, so small integers times it are exact. */
function highBits(x: number, bits: number): number {
  const e = Math.floor(Math.log2(Math.abs(x)));
  const scale = 2 ** (bits - 1 - e);
  return Math.trunc(x * scale) / scale;
}
const LN2_HI = highBits(Math.LN2, 16), LN2_LO = f32(Math.LN2 - LN2_HI);
const PIO2_HI = highBits(Math.PI / 2, 33), PIO2_LO = Math.PI / 2 - PIO2_HI;  // f64 reduction, k < 2^20
const PI_F32_LO = Math.PI - f32(Math.PI);  // what f32(pi) misses (used where pi/2 is added to a small value)
const taylorExp = (n: number) => Array.from({ length: n + 1 }, (_, k) => 1 / [...Array(k).keys()].reduce((p, j) => p * (j + 1), 1));
/** Coefficients of 2·atanh(s)/s - 2 in z = s²: 2/3, 2/5, ... */
const atanhSeries = (n: number) => Array.from({ length: n }, (_, k) => 2 / (2 * k + 3));

const TANH_P = memo(() => chebyshevFit((z) => (Math.tanh(Math.sqrt(z)) / Math.sqrt(z) - 1) / z, 0, 0.390625, 5));
const ERF_SMALL = memo(() => chebyshevFit((z) => erfF64(Math.sqrt(z)) / Math.sqrt(z), 0, 1, 6));
const ERFCX = memo(() => chebyshevFit((a) => (1 - erfF64(a)) * Math.exp(a * a), 1, 4, 10));

/** What exp and log need of a float format: ln2 split so n·hi is exact, exponent field, clamps. */
interface Precision {
  readonly ln2Hi: number; readonly ln2Lo: number;
  readonly bias: number; readonly mantissa: number;
  /** exp's argument clamp: below lo the result is 0, above hi infinity. */
  readonly lo: number; readonly hi: number;
  readonly expDegree: number; readonly logTerms: number;
  /** The smallest normal, and the bits of sqrt(1/2) rounded down (log's reduction point). */
  readonly minNormal: number; readonly sqrtHalfBits: number;
}
const F32_PRECISION: Precision = {
  ln2Hi: LN2_HI, ln2Lo: LN2_LO, bias: 127, mantissa: 23, lo: -104, hi: 89, expDegree: 7, logTerms: 4,
  minNormal: 2 ** -126, sqrtHalfBits: 0x3f3504f3,
};
// ln2 to ~85 bits as hi + lo: Math.LN2 - hi would carry Math.LN2's own rounding, 2^10 times over at the top of the range
const LN2_HI64 = 6.93147180369123816490e-1, LN2_LO64 = 1.90821492927058770002e-10;
const F64_PRECISION: Precision = {
  ln2Hi: LN2_HI64, ln2Lo: LN2_LO64, bias: 1023, mantissa: 52, lo: -746, hi: 710, expDegree: 13, logTerms: 10,
  // low 32 bits cleared: exact as a JS number, still just below sqrt(1/2)
  minNormal: 2 ** -1022, sqrtHalfBits: 0x3fe6a09e00000000,
};
const precisionOf = (b: MathBuilder): Precision => (b.kind === 'f64' ? F64_PRECISION : F32_PRECISION);

/** e^x: x = n·ln2 + r, Taylor on |r| <= ln2/2, 2^n built from exponent bits in two halves (reaches subnormals). */
function exp(b: MathBuilder, x: Val): Val {
  const P = precisionOf(b);
  const xc = b.min(b.max(x, b.k(P.lo)), b.k(P.hi));
  const n = b.nearest(b.mul(xc, b.k(Math.LOG2E)));
  const r = b.sub(b.sub(xc, b.mul(n, b.k(P.ln2Hi))), b.mul(n, b.k(P.ln2Lo)));
  const p = b.poly(r, taylorExp(P.expDegree));
  const ni = b.toInt(n), n1 = b.ishr(ni, 1), n2 = b.isub(ni, n1);
  const scale = (m: Val) => b.fromBits(b.ishl(b.iadd(m, b.ik(P.bias)), P.mantissa));
  return b.mul(b.mul(p, scale(n1)), scale(n2));
}

/** log(1+f) for f in [sqrt(1/2)-1, sqrt(2)-1]: f - s·(f - R(s²)) with s = f/(2+f). */
function log1pReduced(b: MathBuilder, f: Val): Val {
  const s = b.div(f, b.add(b.k(2), f)), z = b.mul(s, s);
  const R = b.mul(z, b.poly(z, atanhSeries(precisionOf(b).logTerms)));
  return b.sub(f, b.mul(s, b.sub(f, R)));
}

/** log x = e·ln2 + log(m), m in [sqrt(1/2), sqrt(2)); subnormals scaled up first. */
function log(b: MathBuilder, x: Val): Val {
  const P = precisionOf(b);
  const small = b.lt(x, b.k(P.minNormal));
  const xs = b.select(small, b.mul(x, b.k(2 ** P.mantissa)), x);
  const bits = b.bits(xs);
  const e0 = b.ishr(b.isub(bits, b.ik(P.sqrtHalfBits)), P.mantissa);
  const m = b.fromBits(b.isub(bits, b.ishl(e0, P.mantissa)));
  const e = b.toFloat(b.isub(e0, b.select(small, b.ik(P.mantissa), b.ik(0))));
  const r = b.add(b.mul(e, b.k(P.ln2Hi)), b.add(log1pReduced(b, b.sub(m, b.k(1))), b.mul(e, b.k(P.ln2Lo))));
  const special = b.select(b.eq(x, b.k(0)), b.k(-Infinity), b.k(NaN));
  return b.select(b.eq(x, b.k(Infinity)), b.k(Infinity), b.select(b.gt(x, b.k(0)), r, special));
}

/** log(1+u) accurate for small u: log(w) corrected by the rounding of w = 1+u. */
function log1p(b: MathBuilder, u: Val): Val {
  const w = b.add(b.k(1), u);
  const corr = b.div(b.sub(b.sub(w, b.k(1)), u), w);
  const r = b.sub(log(b, w), corr);
  // when w rounds to 1 or is infinite the correction is exact or meaningless
  return b.select(b.eq(w, b.k(Infinity)), w, b.select(b.eq(w, b.k(1)), u, r));
}

/** With e = exp(-|x|): 1/(1+e) for x >= 0, e/(1+e) below, so large negative x reaches subnormals. */
function sigmoid(b: MathBuilder, x: Val): Val {
  const e = exp(b, b.neg(b.abs(x)));
  const d = b.add(b.k(1), e);
  return b.select(b.lt(x, b.k(0)), b.div(e, d), b.div(b.k(1), d));
}

function tanh(b: MathBuilder, x: Val): Val {
  const a = b.abs(x), z = b.mul(x, x);
  const small = b.add(x, b.mul(b.mul(x, z), b.poly(z, TANH_P())));
  const big = b.copysign(b.sub(b.k(1), b.div(b.k(2), b.add(exp(b, b.add(a, a)), b.k(1)))), x);
  return b.select(b.lt(a, b.k(0.625)), small, big);
}

function erf(b: MathBuilder, x: Val): Val {
  const a = b.abs(x), z = b.mul(x, x);
  const small = b.mul(x, b.poly(z, ERF_SMALL()));
  const tail = b.mul(exp(b, b.neg(z)), b.poly(b.min(a, b.k(4)), ERFCX()));
  return b.select(b.lt(a, b.k(1)), small, b.copysign(b.sub(b.k(1), tail), x));
}

/** sinh and cosh from e = exp(|x|); past 88 exp overflows before they do, so use exp(|x|/2)² / 2. */
function hyperbolic(b: MathBuilder, x: Val, which: 'sinh' | 'cosh'): Val {
  const a = b.abs(x), e = exp(b, a), h = exp(b, b.mul(a, b.k(0.5)));
  const half = b.k(0.5);
  const large = b.mul(b.mul(h, half), h);
  const mid = b.mul(half, which === 'sinh' ? b.sub(e, b.div(b.k(1), e)) : b.add(e, b.div(b.k(1), e)));
  const big = b.select(b.lt(a, b.k(88)), mid, large);
  if (which === 'cosh') return big;
  // small |x|: Taylor series of sinh, no cancellation
  const z = b.mul(x, x);
  const small = b.add(x, b.mul(b.mul(x, z), b.poly(z, [1 / 6, 1 / 120, 1 / 5040, 1 / 362880, 1 / 39916800])));
  return b.select(b.lt(a, b.k(1)), small, b.copysign(big, x));
}

/** asin on [0, 1/2] (Taylor series in z = x²; the reductions below keep z <= 1/4). */
function asinKernel(b: MathBuilder, x: Val): Val {
  const z = b.mul(x, x);
  const coef = Array.from({ length: 11 }, (_, k) => {
    let c = 1;
    for (let j = 1; j <= k + 1; j++) c *= (2 * j - 1) / (2 * j);
    return c / (2 * k + 3);
  });
  return b.add(x, b.mul(b.mul(x, z), b.poly(z, coef)));
}
function asin(b: MathBuilder, x: Val): Val {
  const a = b.abs(x);
  const w = b.sqrt(b.mul(b.sub(b.k(1), a), b.k(0.5)));
  // pi/2 - 2 asin(w), with pi/2's f32 rounding error added back
  const big = b.sub(b.k(f32(Math.PI / 2)), b.sub(b.mul(b.k(2), asinKernel(b, w)), b.k(PI_F32_LO / 2)));
  return b.select(b.le(a, b.k(0.5)), asinKernel(b, x), b.copysign(big, x));
}
function acos(b: MathBuilder, x: Val): Val {
  const mid = b.sub(b.k(f32(Math.PI / 2)), b.sub(asinKernel(b, x), b.k(PI_F32_LO / 2)));
  const pos = b.mul(b.k(2), asinKernel(b, b.sqrt(b.mul(b.sub(b.k(1), x), b.k(0.5)))));
  const negTail = b.mul(b.k(2), asinKernel(b, b.sqrt(b.mul(b.add(b.k(1), x), b.k(0.5)))));
  const neg = b.sub(b.k(f32(Math.PI)), b.sub(negTail, b.k(PI_F32_LO)));
  return b.select(b.le(b.abs(x), b.k(0.5)), mid, b.select(b.gt(x, b.k(0)), pos, neg));
}

function atan(b: MathBuilder, x: Val): Val {
  const a = b.abs(x);
  const inv = b.gt(a, b.k(1));
  const t = b.select(inv, b.div(b.k(1), a), a);                   // t in [0, 1]
  const shift = b.gt(t, b.k(Math.SQRT2 - 1));                      // beyond tan(pi/8): atan t = pi/4 + atan((t-1)/(t+1))
  const u = b.select(shift, b.div(b.sub(t, b.k(1)), b.add(t, b.k(1))), t);
  const z = b.mul(u, u);
  // Taylor terms to u^19 reach f32's precision at |u| <= tan(pi/8); f64 needs them to u^45
  const coef = Array.from({ length: b.kind === 'f64' ? 22 : 9 }, (_, k) => (k % 2 ? 1 : -1) / (2 * k + 3));
  const p = b.add(u, b.mul(b.mul(u, z), b.poly(z, coef)));
  const q = b.add(b.select(shift, b.k(Math.PI / 4), b.k(0)), p);
  const r = b.select(inv, b.sub(b.k(f32(Math.PI / 2)), b.sub(q, b.k(PI_F32_LO / 2))), q);
  return b.copysign(r, x);
}

function asinh(b: MathBuilder, x: Val): Val {
  const a = b.abs(x), z = b.mul(a, a);
  const mid = log1p(b, b.add(a, b.div(z, b.add(b.k(1), b.sqrt(b.add(b.k(1), z))))));
  const huge = b.add(log(b, a), b.k(Math.LN2));
  return b.copysign(b.select(b.lt(a, b.k(4096)), mid, huge), x);
}
function acosh(b: MathBuilder, x: Val): Val {
  const t = b.sub(x, b.k(1));
  const mid = log1p(b, b.add(t, b.sqrt(b.add(b.add(t, t), b.mul(t, t)))));
  const huge = b.add(log(b, x), b.k(Math.LN2));
  return b.select(b.lt(x, b.k(1)), b.k(NaN), b.select(b.lt(x, b.k(4096)), mid, huge));
}
function atanh(b: MathBuilder, x: Val): Val {
  const a = b.abs(x);
  const r = b.mul(b.k(0.5), log1p(b, b.div(b.add(a, a), b.sub(b.k(1), a))));
  return b.copysign(r, x);
}

/** In f64: x = k·pi/2 + r, then the sin and cos Taylor series of r; quadrant picks and signs. */
function trig(b: MathBuilder, x: Val, which: 'sin' | 'cos' | 'tan'): Val {
  const k = b.nearest(b.mul(x, b.k(2 / Math.PI)));
  // beyond 2^20·pi/2 the reduction is inexact; the clamp keeps such results bounded rather than NaN
  const r = b.min(b.max(b.sub(b.sub(x, b.mul(k, b.k(PIO2_HI))), b.mul(k, b.k(PIO2_LO))), b.k(-0.8)), b.k(0.8));
  const z = b.mul(r, r);
  const fact = (n: number) => [...Array(n).keys()].reduce((p, j) => p * (j + 1), 1);
  const s = b.add(r, b.mul(b.mul(r, z), b.poly(z, Array.from({ length: 7 }, (_, j) => (j % 2 ? 1 : -1) / fact(2 * j + 3)))));
  const c = b.poly(z, Array.from({ length: 9 }, (_, j) => (j % 2 ? -1 : 1) / fact(2 * j)));
  const q = b.iadd(b.toInt(k), b.ik(which === 'cos' ? 1 : 0));
  const odd = b.ieq(b.iand(q, b.ik(1)), b.ik(1));
  if (which === 'tan') return b.select(odd, b.neg(b.div(c, s)), b.div(s, c));
  const v = b.select(odd, c, s);
  return b.select(b.ieq(b.iand(q, b.ik(2)), b.ik(2)), b.neg(v), v);
}

/** In f64: |x|^y = 2^(y·log2|x|), then the sign and the cases pow defines apart. */
function pow(b: MathBuilder, x: Val, y: Val): Val {
  const ax = b.abs(x);
  const bits = b.bits(ax);
  const e0 = b.ishr(b.isub(bits, b.ik(0x3fe6a09e00000000)), 52);
  const m = b.fromBits(b.isub(bits, b.ishl(e0, 52)));
  const f = b.sub(m, b.k(1));
  const s = b.div(f, b.add(b.k(2), f)), z = b.mul(s, s);
  const lnm = b.mul(s, b.poly(z, Array.from({ length: 10 }, (_, k) => 2 / (2 * k + 1))));
  const l2 = b.add(b.toFloat(e0), b.mul(lnm, b.k(Math.LOG2E)));
  // the bit decomposition knows nothing of 0, inf and NaN
  const finiteLog = b.select(b.eq(ax, b.k(Infinity)), b.k(Infinity), b.select(b.ne(ax, ax), ax, l2));
  const log2x = b.select(b.eq(ax, b.k(0)), b.k(-Infinity), finiteLog);
  const t = b.min(b.max(b.mul(y, log2x), b.k(-170)), b.k(140));
  const n = b.nearest(t);
  const u = b.mul(b.sub(t, n), b.k(Math.LN2));
  const p = b.poly(u, taylorExp(12));
  const mag = b.mul(p, b.fromBits(b.ishl(b.iadd(b.toInt(n), b.ik(1023)), 52)));
  const yInt = b.eq(b.trunc(y), y);
  const half = b.mul(y, b.k(0.5));
  const yOdd = b.and(yInt, b.ne(b.trunc(half), half));
  const negBase = b.lt(b.copysign(b.k(1), x), b.k(0));
  const signed = b.select(b.and(negBase, yOdd), b.neg(mag), mag);
  const r = b.select(b.and(b.and(b.lt(x, b.k(0)), b.gt(x, b.k(-Infinity))), b.not(yInt)), b.k(NaN), signed);
  return b.select(b.eq(y, b.k(0)), b.k(1), r);
}

type Unary = (b: MathBuilder, x: Val) => Val;
const F32_FUNCTIONS: Partial<Record<Intrinsic, Unary>> = {
  exp, log, sigmoid, tanh, erf, asin, acos, atan, asinh, acosh, atanh,
  sinh: (b, x) => hyperbolic(b, x, 'sinh'), cosh: (b, x) => hyperbolic(b, x, 'cosh'),
};
/** Functions of f64 arguments with f64 results (exp, log and atan of float64 tensors). */
const F64_NATIVE: Partial<Record<Intrinsic, Unary>> = { exp, log, atan };
/** Functions the f32 versions compute in f64 inside. */
const F64_FUNCTIONS: Partial<Record<Intrinsic, Unary>> = {
  sin: (b, x) => trig(b, x, 'sin'), cos: (b, x) => trig(b, x, 'cos'), tan: (b, x) => trig(b, x, 'tan'),
};

export class IntrinsicLibrary implements IntrinsicProvider {
  private readonly index = new Map<string, number>();
  constructor(private readonly m: ModuleBuilder, private readonly target: TargetOptions) {}

  intrinsic(fn: Intrinsic, type: VType): number {
    const key = `${fn}:${type.scalar}x${type.lanes}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.build(fn, type);
      this.index.set(key, i);
    }
    return i;
  }

  private build(fn: Intrinsic, type: VType): number {
    const lanes = type.lanes;
    if (type.scalar === 'f64' && F64_NATIVE[fn] && (lanes === 1 || (lanes === 2 && this.target.simd))) {
      const native = F64_NATIVE[fn];
      return lanes === 1 ? this.define('f64', 1, (b) => native(b, b.param(0))) : this.lanewise(fn, 1, 'f64');
    }
    if (type.scalar !== 'f32' || (lanes !== 1 && !(lanes === 4 && this.target.simd))) {
      throw new UnsupportedError(`wasm target: intrinsic '${fn}' on ${type.scalar}x${lanes} is not implemented; compute it in f32`);
    }
    const arity = fn === 'pow' ? 2 : 1;
    const unary = F32_FUNCTIONS[fn];
    if (unary) return this.define(lanes === 4 ? 'f32x4' : 'f32', arity, (b) => unary(b, b.param(0)));
    if (lanes === 4) return this.lanewise(fn, arity);
    // f64 inside, f32 at the boundary
    const code = this.m.code(Array(arity).fill('f32'), ['f32']);
    const params = Array.from({ length: arity }, (_, j) => { const l = code.local('f64'); code.get(j).op('f64.promote_f32').set(l); return l; });
    const b = new MathBuilder(code, 'f64');
    const args = params.map((l) => b.param(l));
    const f64fn = F64_FUNCTIONS[fn];
    if (fn === 'pow') b.ret(pow(b, args[0], args[1]));
    else if (f64fn) b.ret(f64fn(b, args[0]));
    else throw new UnsupportedError(`wasm target: intrinsic '${fn}' has no implementation`);
    code.op('f32.demote_f64');
    return this.m.addFunction(code);
  }

  private define(kind: Kind, arity: number, body: (b: MathBuilder) => Val): number {
    const t = kind === 'f32x4' ? 'v128' : kind;
    const code = this.m.code(Array(arity).fill(t), [t]);
    const b = new MathBuilder(code, kind);
    b.ret(body(b));
    return this.m.addFunction(code);
  }

  /** f32x4 (or f64x2) version that calls the scalar function on each lane. */
  private lanewise(fn: Intrinsic, arity: number, scalarType: 'f32' | 'f64' = 'f32'): number {
    const scalar = this.intrinsic(fn, { scalar: scalarType, lanes: 1 });
    const shape = scalarType === 'f32' ? 'f32x4' : 'f64x2';
    const code = this.m.code(Array(arity).fill('v128'), ['v128']);
    code.v128(new Uint8Array(16));
    for (let i = 0; i < 16 / (scalarType === 'f32' ? 4 : 8); i++) {
      for (let j = 0; j < arity; j++) code.get(j).lane(`${shape}.extract_lane`, i);
      code.call(scalar).lane(`${shape}.replace_lane`, i);
    }
    return this.m.addFunction(code);
  }
}
