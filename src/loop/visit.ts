// Generic traversals of the loop IR shared by the passes: rebuilding children, substituting
// a variable, and the facts hoisting and inlining ask (which names and buffers a tree touches).
import type { Expr, Stmt } from './ir.js';

/** The direct children of `e`, in evaluation order. */
export function children(e: Expr): readonly Expr[] {
  switch (e.k) {
    case 'const': case 'var': return [];
    case 'bin': return [e.a, e.b];
    case 'un': case 'cast': case 'lane': return [e.a];
    case 'call': return e.args;
    case 'select': return [e.cond, e.a, e.b];
    case 'load': return [e.index];
    case 'ramp': return [e.base];
    case 'broadcast': return [e.value];
  }
}

/** `e` with each direct child replaced by `f(child)`; the same object if nothing changed. */
export function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.k) {
    case 'const': case 'var': return e;
    case 'bin': { const a = f(e.a), b = f(e.b); return a === e.a && b === e.b ? e : { ...e, a, b }; }
    case 'un': case 'cast': { const a = f(e.a); return a === e.a ? e : { ...e, a }; }
    case 'lane': { const a = f(e.a); return a === e.a ? e : { ...e, a }; }
    case 'call': {
      const args = e.args.map(f);
      return args.every((a, i) => a === e.args[i]) ? e : { ...e, args };
    }
    case 'select': {
      const cond = f(e.cond), a = f(e.a), b = f(e.b);
      return cond === e.cond && a === e.a && b === e.b ? e : { ...e, cond, a, b };
    }
    case 'load': { const index = f(e.index); return index === e.index ? e : { ...e, index }; }
    case 'ramp': { const base = f(e.base); return base === e.base ? e : { ...e, base }; }
    case 'broadcast': { const value = f(e.value); return value === e.value ? e : { ...e, value }; }
  }
}

/** `s` with every expression (not sub-statement) replaced by `f(expr)`, then children by `g`. */
export function mapStmt(s: Stmt, f: (e: Expr) => Expr, g: (s: Stmt) => Stmt): Stmt {
  switch (s.k) {
    case 'for': return { ...s, min: f(s.min), extent: f(s.extent), body: g(s.body) };
    case 'let': return { ...s, value: f(s.value), body: g(s.body) };
    case 'local': return { ...s, init: f(s.init), body: g(s.body) };
    case 'set': return { ...s, value: f(s.value) };
    case 'store': return { ...s, index: f(s.index), value: f(s.value) };
    case 'if': return s.else ? { ...s, cond: f(s.cond), then: g(s.then), else: g(s.else) } : { ...s, cond: f(s.cond), then: g(s.then) };
    case 'seq': return { ...s, body: s.body.map(g) };
    case 'alloc': return { ...s, body: g(s.body) };
  }
}

export function substituteExpr(e: Expr, name: string, by: Expr): Expr {
  if (e.k === 'var') return e.name === name ? by : e;
  return mapChildren(e, (c) => substituteExpr(c, name, by));
}

/** Replaces variable `name` by `by` throughout `s` (names are never shadowed, so no capture). */
export function substitute(s: Stmt, name: string, by: Expr): Stmt {
  return mapStmt(s, (e) => substituteExpr(e, name, by), (b) => substitute(b, name, by));
}

export function forEachExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  for (const c of children(e)) forEachExpr(c, f);
}

/** Calls `f` on every expression and `g` on every statement of `s`, outermost first. */
export function forEachInStmt(s: Stmt, f: (e: Expr) => void, g: (s: Stmt) => void = () => {}): void {
  g(s);
  mapStmt(s, (e) => { forEachExpr(e, f); return e; }, (b) => { forEachInStmt(b, f, g); return b; });
}

/** Variable names an expression reads. */
export function varsOf(e: Expr): Set<string> {
  const out = new Set<string>();
  forEachExpr(e, (x) => { if (x.k === 'var') out.add(x.name); });
  return out;
}

export function countUses(s: Stmt, name: string): number {
  let n = 0;
  forEachInStmt(s, (e) => { if (e.k === 'var' && e.name === name) n++; });
  return n;
}

export interface Effects {
  /** Buffers stored to (or allocated) anywhere in the tree. */
  readonly stored: Set<string>;
  /** Names bound or assigned anywhere in the tree. */
  readonly bound: Set<string>;
  /** Names assigned with `set`. */
  readonly assigned: Set<string>;
}

export function effectsOf(s: Stmt): Effects {
  const stored = new Set<string>(), bound = new Set<string>(), assigned = new Set<string>();
  forEachInStmt(s, () => {}, (st) => {
    if (st.k === 'store' || st.k === 'alloc') stored.add(st.buf.name);
    if (st.k === 'for' || st.k === 'let' || st.k === 'local' || st.k === 'set') bound.add(st.v);
    if (st.k === 'set') assigned.add(st.v);
  });
  return { stored, bound, assigned };
}

export function exprSize(e: Expr): number {
  let n = 0;
  forEachExpr(e, () => { n++; });
  return n;
}
