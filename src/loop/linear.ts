// Integer index arithmetic as linear forms (sum of coef*atom + constant) and value ranges:
// what lets the simplifier normalise `(io*4+ii)*8 + jo*32` and decide floordiv, floormod and
// comparisons from the extents of enclosing loops. All of it is i32 scalar arithmetic.
import type { Expr } from './ir.js';
import { add, cnst, mul, sub } from './ir.js';
import { printExpr } from './print.js';

/** Inclusive bounds of an i32 value; known only when the exact value cannot have wrapped. */
export type Range = readonly [number, number];

/** What is known at a point of the tree: the ranges of variables in scope. */
export type RangeEnv = ReadonlyMap<string, Range>;

export interface Term { readonly atom: Expr; readonly coef: number }
export interface Linear { readonly terms: ReadonlyMap<string, Term>; readonly c: number }

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;
const isI32Scalar = (e: Expr) => e.type.scalar === 'i32' && e.type.lanes === 1;

function scale(l: Linear, k: number): Linear {
  const terms = new Map<string, Term>();
  for (const [key, t] of l.terms) {
    const coef = Math.imul(t.coef, k);
    if (coef !== 0) terms.set(key, { atom: t.atom, coef });
  }
  return { terms, c: Math.imul(l.c, k) };
}

function plus(a: Linear, b: Linear): Linear {
  const terms = new Map(a.terms);
  for (const [key, t] of b.terms) {
    const coef = ((terms.get(key)?.coef ?? 0) + t.coef) | 0;
    if (coef === 0) terms.delete(key); else terms.set(key, { atom: t.atom, coef });
  }
  return { terms, c: (a.c + b.c) | 0 };
}

/** `e` as a linear form over its non-linear parts; exact in i32's wrap-around ring. */
export function toLinear(e: Expr): Linear {
  if (e.k === 'const') return { terms: new Map(), c: e.value | 0 };
  if (e.k === 'bin' && isI32Scalar(e)) {
    if (e.op === 'add') return plus(toLinear(e.a), toLinear(e.b));
    if (e.op === 'sub') return plus(toLinear(e.a), scale(toLinear(e.b), -1));
    if (e.op === 'mul') {
      const a = toLinear(e.a), b = toLinear(e.b);
      if (a.terms.size === 0) return scale(b, a.c);
      if (b.terms.size === 0) return scale(a, b.c);
    }
  }
  return { terms: new Map([[printExpr(e), { atom: e, coef: 1 }]]), c: 0 };
}

/** The canonical expression of a linear form: terms ordered by their text, constant last. */
export function fromLinear(l: Linear): Expr {
  const terms = [...l.terms.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  let out: Expr | undefined;
  for (const { atom, coef } of terms) {
    const negative = out !== undefined && coef < 0 && coef !== I32_MIN;
    const magnitude = negative ? -coef : coef;
    const term = magnitude === 1 ? atom : mul(atom, cnst(magnitude));
    out = out === undefined ? term : negative ? sub(out, term) : add(out, term);
  }
  if (out === undefined) return cnst(l.c);
  if (l.c === 0) return out;
  return l.c < 0 && l.c !== I32_MIN ? sub(out, cnst(-l.c)) : add(out, cnst(l.c));
}

const fits = (lo: number, hi: number): Range | undefined =>
  lo >= I32_MIN && hi <= I32_MAX && lo <= hi ? [lo, hi] : undefined;

/** Range of a linear form whose every atom has a known range. */
export function linearRange(l: Linear, env: RangeEnv): Range | undefined {
  let lo = l.c, hi = l.c;
  for (const { atom, coef } of l.terms.values()) {
    const r = rangeOf(atom, env);
    if (!r) return undefined;
    lo += coef * (coef > 0 ? r[0] : r[1]);
    hi += coef * (coef > 0 ? r[1] : r[0]);
  }
  return fits(lo, hi);
}

const NARROW: Readonly<Record<string, Range>> = {
  i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535],
};

/** Bounds of a scalar i32 expression, or undefined when unknown or possibly wrapped. */
export function rangeOf(e: Expr, env: RangeEnv): Range | undefined {
  if (!isI32Scalar(e)) return undefined;
  switch (e.k) {
    case 'const': return [e.value, e.value];
    case 'var': return env.get(e.name);
    case 'load': return NARROW[e.buf.elem];
    case 'select': {
      const a = rangeOf(e.a, env), b = rangeOf(e.b, env);
      return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : undefined;
    }
    case 'bin': break;
    default: return undefined;
  }
  if (['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.op)) return [0, 1];
  const a = rangeOf(e.a, env), b = rangeOf(e.b, env);
  if (!a || !b) return undefined;
  switch (e.op) {
    case 'add': return fits(a[0] + b[0], a[1] + b[1]);
    case 'sub': return fits(a[0] - b[1], a[1] - b[0]);
    case 'mul': {
      const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
      return fits(Math.min(...p), Math.max(...p));
    }
    case 'min': return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
    case 'max': return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
    case 'floordiv': case 'div':
      if (b[0] !== b[1] || b[0] <= 0 || (e.op === 'div' && a[0] < 0)) return undefined;
      return [Math.floor(a[0] / b[0]), Math.floor(a[1] / b[0])];
    case 'floormod': case 'mod':
      if (b[0] !== b[1] || b[0] <= 0 || (e.op === 'mod' && a[0] < 0)) return undefined;
      return Math.floor(a[0] / b[0]) === Math.floor(a[1] / b[0])
        ? [a[0] - Math.floor(a[0] / b[0]) * b[0], a[1] - Math.floor(a[0] / b[0]) * b[0]] : [0, b[0] - 1];
    default: return undefined;
  }
}
