// Expression rewrite rules, one table entry each, applied bottom-up until none fires. Every
// rule is exact: the rewritten tree computes bit for bit what the interpreter computes.
import type { BinOp, Expr } from './ir.js';
import { bin, cnst } from './ir.js';
import { binFn, callFn, castFn, constScalar, isTruthy, unFn, type Scalar } from './semantics.js';
import { fromLinear, linearRange, rangeOf, toLinear, type Linear, type RangeEnv } from './linear.js';
import { mapChildren } from './visit.js';
import { printExpr } from './print.js';

export interface ExprRule {
  readonly name: string;
  /** The rewritten expression, or undefined when the rule does not apply. */
  readonly apply: (e: Expr, env: RangeEnv) => Expr | undefined;
}

const isI32Scalar = (e: Expr) => e.type.scalar === 'i32' && e.type.lanes === 1;
const isInt = (e: Expr) => e.type.scalar === 'i32' || e.type.scalar === 'i64';
const COMPARE = new Set<BinOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** The lane value of a constant (all lanes of a vector constant are equal). */
function constOf(e: Expr): Scalar | undefined {
  return e.k === 'const' ? constScalar(e.value, e.type.scalar) : undefined;
}
const isConst = (e: Expr, x: number) => e.k === 'const' && Object.is(e.value, x);
const same = (a: Expr, b: Expr) => printExpr(a) === printExpr(b);

/** A constant node of `e`'s type holding `x`, if a number can carry it exactly. */
function constLike(e: Expr, x: Scalar): Expr | undefined {
  if (typeof x === 'bigint') {
    const n = Number(x);
    return Number.isSafeInteger(n) ? cnst(n, e.type) : undefined;
  }
  return cnst(x, e.type);
}

/** Evaluates `f` on constant operands; a trap (division by zero) leaves the tree alone. */
function fold(e: Expr, f: () => Scalar): Expr | undefined {
  try { return constLike(e, f()); } catch { return undefined; }
}

function foldConstants(e: Expr): Expr | undefined {
  switch (e.k) {
    case 'bin': {
      const a = constOf(e.a), b = constOf(e.b), f = binFn(e.op, e.a.type.scalar);
      return a !== undefined && b !== undefined && f ? fold(e, () => f(a, b)) : undefined;
    }
    case 'un': {
      const a = constOf(e.a), f = unFn(e.op, e.type.scalar);
      return a !== undefined && f ? fold(e, () => f(a)) : undefined;
    }
    case 'cast': {
      const a = constOf(e.a);
      return a !== undefined ? fold(e, () => castFn(e.a.type.scalar, e.type.scalar)(a)) : undefined;
    }
    case 'call': {
      const args = e.args.map(constOf), f = callFn(e.fn, e.type.scalar);
      return f && args.every((a) => a !== undefined) ? fold(e, () => f(...(args as Scalar[]))) : undefined;
    }
    case 'broadcast': {
      const a = constOf(e.value);
      return a !== undefined ? constLike(e, a) : undefined;
    }
    default: return undefined;
  }
}

/** i32 scalar add/sub/mul trees become canonical sums: terms by name, constant last. */
function normaliseLinear(e: Expr): Expr | undefined {
  if (e.k !== 'bin' || !isI32Scalar(e) || !['add', 'sub', 'mul'].includes(e.op)) return undefined;
  const r = fromLinear(toLinear(e));
  return same(r, e) ? undefined : r;
}

/** x+0, x*1, x*0, x&0, x|0, x<<0 ... on integers where the linear forms do not reach. */
function intIdentities(e: Expr): Expr | undefined {
  if (e.k !== 'bin' || !isInt(e) || COMPARE.has(e.op)) return undefined;
  const { a, b } = e;
  const zero = cnst(0, e.type);
  switch (e.op) {
    case 'add': return isConst(b, 0) ? a : isConst(a, 0) ? b : undefined;
    case 'sub': return isConst(b, 0) ? a : undefined;
    case 'mul': return isConst(b, 1) ? a : isConst(a, 1) ? b : isConst(a, 0) || isConst(b, 0) ? zero : undefined;
    case 'and': return isConst(a, 0) || isConst(b, 0) ? zero : isConst(b, -1) ? a : isConst(a, -1) ? b : undefined;
    case 'or': case 'xor': return isConst(b, 0) ? a : isConst(a, 0) ? b : undefined;
    case 'shl': case 'shr': return isConst(b, 0) ? a : undefined;
    case 'div': case 'floordiv': return isConst(b, 1) ? a : undefined;
    case 'mod': case 'floormod': return isConst(b, 1) ? zero : undefined;
    default: return undefined;
  }
}

/** Only the identities IEEE arithmetic keeps exactly: x*1, x/1, x-(+0), x+(-0). */
function floatIdentities(e: Expr): Expr | undefined {
  if (e.k !== 'bin' || isInt(e)) return undefined;
  const { a, b } = e;
  switch (e.op) {
    case 'mul': return isConst(b, 1) ? a : isConst(a, 1) ? b : undefined;
    case 'div': return isConst(b, 1) ? a : undefined;
    case 'sub': return isConst(b, 0) ? a : undefined;
    case 'add': return isConst(b, -0) ? a : isConst(a, -0) ? b : undefined;
    default: return undefined;
  }
}

/**
 * (Q*c + R) floordiv c -> Q + k and floormod -> R - k*c when R's range lies in [k*c, (k+1)*c).
 * Truncating div/mod qualify when the dividend is known non-negative.
 */
function divModByRange(e: Expr, env: RangeEnv): Expr | undefined {
  if (e.k !== 'bin' || !isI32Scalar(e) || !['floordiv', 'floormod', 'div', 'mod'].includes(e.op)) return undefined;
  if (e.b.k !== 'const' || e.b.value <= 0) return undefined;
  const c = e.b.value, l = toLinear(e.a);
  const whole = linearRange(l, env);
  if (!whole || ((e.op === 'div' || e.op === 'mod') && whole[0] < 0)) return undefined;
  const q = new Map<string, { atom: Expr; coef: number }>(), r = new Map<string, { atom: Expr; coef: number }>();
  for (const [key, t] of l.terms) {
    if (t.coef % c === 0) q.set(key, { atom: t.atom, coef: t.coef / c }); else r.set(key, t);
  }
  const rest: Linear = { terms: r, c: l.c };
  const rr = linearRange(rest, env);
  if (!rr) return undefined;
  const k = Math.floor(rr[0] / c);
  if (Math.floor(rr[1] / c) !== k) return undefined;
  return e.op === 'floordiv' || e.op === 'div'
    ? fromLinear({ terms: q, c: k })
    : fromLinear({ terms: r, c: l.c - k * c });
}

/** (x floordiv a) floordiv b -> x floordiv (a*b); (x floormod a) floormod b -> x floormod b when b | a. */
function nestedFloor(e: Expr): Expr | undefined {
  if (e.k !== 'bin' || !isI32Scalar(e) || e.a.k !== 'bin' || e.b.k !== 'const' || e.a.b.k !== 'const') return undefined;
  const a = e.a.b.value, b = e.b.value;
  if (a <= 0 || b <= 0) return undefined;
  if (e.op === 'floordiv' && e.a.op === 'floordiv' && a * b <= 2 ** 31 - 1) return bin('floordiv', e.a.a, cnst(a * b));
  if (e.op === 'floormod' && e.a.op === 'floormod' && a % b === 0) return bin('floormod', e.a.a, e.b);
  return undefined;
}

function compareByRange(e: Expr, env: RangeEnv): Expr | undefined {
  if (e.k !== 'bin' || !COMPARE.has(e.op) || !isI32Scalar(e.a)) return undefined;
  if (!rangeOf(e.a, env) || !rangeOf(e.b, env)) return undefined;   // both exact: no wrap-around
  const d = linearRange(toLinear(bin('sub', e.a, e.b)), env);
  if (!d) return undefined;
  const [lo, hi] = d;
  const decide = (yes: boolean, no: boolean) => (yes ? cnst(1) : no ? cnst(0) : undefined);
  switch (e.op) {
    case 'lt': return decide(hi < 0, lo >= 0);
    case 'le': return decide(hi <= 0, lo > 0);
    case 'gt': return decide(lo > 0, hi <= 0);
    case 'ge': return decide(lo >= 0, hi < 0);
    case 'eq': return decide(lo === 0 && hi === 0, lo > 0 || hi < 0);
    case 'ne': return decide(lo > 0 || hi < 0, lo === 0 && hi === 0);
    default: return undefined;
  }
}

function minMax(e: Expr, env: RangeEnv): Expr | undefined {
  if (e.k !== 'bin' || (e.op !== 'min' && e.op !== 'max')) return undefined;
  if (same(e.a, e.b)) return e.a;
  if (!isI32Scalar(e)) return undefined;
  const ra = rangeOf(e.a, env), rb = rangeOf(e.b, env);
  if (!ra || !rb) return undefined;
  const aLow = ra[1] <= rb[0], bLow = rb[1] <= ra[0];
  if (e.op === 'min') return aLow ? e.a : bLow ? e.b : undefined;
  return aLow ? e.b : bLow ? e.a : undefined;
}

function selectDecided(e: Expr): Expr | undefined {
  if (e.k !== 'select') return undefined;
  const c = constOf(e.cond);
  if (c !== undefined) return isTruthy(c) ? e.a : e.b;
  return same(e.a, e.b) ? e.a : undefined;
}

function castIdentity(e: Expr): Expr | undefined {
  return e.k === 'cast' && e.a.type.scalar === e.type.scalar ? e.a : undefined;
}

/** Lanes of broadcasts, ramps and constants are known without building the vector. */
function laneOfKnown(e: Expr): Expr | undefined {
  if (e.k !== 'lane') return undefined;
  const a = e.a;
  if (typeof e.lane === 'number') {
    if (a.k === 'broadcast') return a.value;
    if (a.k === 'const') return cnst(a.value, e.type);
    if (a.k === 'ramp') return bin('add', a.base, cnst(e.lane * a.stride, a.base.type));
    return undefined;
  }
  return a.k === 'broadcast' && e.lane !== 'add' ? a.value : undefined;
}

export const EXPR_RULES: readonly ExprRule[] = [
  { name: 'fold-constants', apply: foldConstants },
  { name: 'linear-index', apply: normaliseLinear },
  { name: 'int-identities', apply: intIdentities },
  { name: 'float-identities', apply: floatIdentities },
  { name: 'divmod-by-range', apply: divModByRange },
  { name: 'nested-floor', apply: nestedFloor },
  { name: 'compare-by-range', apply: compareByRange },
  { name: 'min-max', apply: minMax },
  { name: 'select-decided', apply: selectDecided },
  { name: 'cast-identity', apply: castIdentity },
  { name: 'lane-of-known', apply: laneOfKnown },
];

/** Rules until none fires at the root; a rewrite's new children are simplified in turn. */
function rewriteRoot(e: Expr, env: RangeEnv, depth: number): Expr {
  for (const rule of EXPR_RULES) {
    const r = rule.apply(e, env);
    if (r && r !== e && depth < 16) return simplifyExpr(r, env, depth + 1);
  }
  return e;
}

/** Simplifies `e` bottom-up under what `env` knows about variable ranges. */
export function simplifyExpr(e: Expr, env: RangeEnv = new Map(), depth = 0): Expr {
  return rewriteRoot(mapChildren(e, (c) => simplifyExpr(c, env, depth)), env, depth);
}
