// Statement-level simplification: expressions under the ranges of their enclosing loops, then
// statement rules (dead loops and branches, unit loops, let inlining, invariant hoisting).
import type { Expr, Kernel, Stmt } from './ir.js';
import { seq } from './ir.js';
import { simplifyExpr } from './simplify-expr.js';
import { rangeOf, type Range, type RangeEnv } from './linear.js';
import { countUses, effectsOf, exprSize, forEachExpr, substitute, varsOf } from './visit.js';

/** Facts about the point being simplified. */
interface Ctx {
  readonly ranges: RangeEnv;
  /** Locals: their value changes, so expressions reading them are not pure. */
  readonly mutable: ReadonlySet<string>;
}

const EMPTY = seq();
const isEmpty = (s: Stmt) => s.k === 'seq' && s.body.length === 0;
const CHEAP_SIZE = 8;

/** No loads, no locals, no division that could trap: evaluating it anywhere, any number of times, is the same. */
function isPure(e: Expr, ctx: Ctx): boolean {
  let pure = true;
  forEachExpr(e, (x) => {
    if (x.k === 'load' || (x.k === 'var' && ctx.mutable.has(x.name))) pure = false;
    if (x.k === 'bin' && ['div', 'mod', 'floordiv', 'floormod'].includes(x.op) && x.type.scalar[0] === 'i' &&
      !(x.b.k === 'const' && x.b.value !== 0 && x.b.value !== -1)) pure = false;
  });
  return pure;
}

function withRange(ctx: Ctx, name: string, r: Range | undefined): Ctx {
  if (!r) return ctx;
  return { ...ctx, ranges: new Map(ctx.ranges).set(name, r) };
}

function simplifyFor(s: Extract<Stmt, { k: 'for' }>, ctx: Ctx): Stmt {
  const min = simplifyExpr(s.min, ctx.ranges), extent = simplifyExpr(s.extent, ctx.ranges);
  if (extent.k === 'const' && extent.value <= 0) return EMPTY;
  if (extent.k === 'const' && extent.value === 1) return simplifyStmtIn(substitute(s.body, s.v, min), ctx);
  const mr = rangeOf(min, ctx.ranges), er = rangeOf(extent, ctx.ranges);
  const vr: Range | undefined = mr && er && er[1] >= 1 ? [mr[0], mr[1] + er[1] - 1] : undefined;
  const body = simplifyStmtIn(s.body, withRange(ctx, s.v, vr));
  if (isEmpty(body)) return EMPTY;
  return hoistInvariantLets({ ...s, min, extent, body }, (er?.[0] ?? 0) >= 1, ctx);
}

/**
 * Lets at the head of a loop body whose value does not change between iterations move out.
 * Unless the loop surely runs, only pure values move (a hoisted load must not fault where the
 * original never executed); a load moves only if nothing in the loop stores to its buffer.
 */
function hoistInvariantLets(s: Extract<Stmt, { k: 'for' }>, runsAtLeastOnce: boolean, ctx: Ctx): Stmt {
  const hoisted: Extract<Stmt, { k: 'let' }>[] = [];
  const hoistedNames = new Set<string>();
  let body = s.body;
  const { stored, bound } = effectsOf(body);
  const invariant = (value: Expr) => {
    for (const n of varsOf(value)) {
      if (n === s.v || ctx.mutable.has(n) || (bound.has(n) && !hoistedNames.has(n))) return false;
    }
    let readsStored = false;
    forEachExpr(value, (x) => { if (x.k === 'load' && stored.has(x.buf.name)) readsStored = true; });
    return !readsStored && (runsAtLeastOnce || isPure(value, ctx));
  };
  while (body.k === 'let' && invariant(body.value)) {
    hoisted.push(body);
    hoistedNames.add(body.v);
    body = body.body;
  }
  let out: Stmt = { ...s, body };
  for (let i = hoisted.length - 1; i >= 0; i--) out = { ...hoisted[i], body: out };
  return out;
}

function simplifyLet(s: Extract<Stmt, { k: 'let' }>, ctx: Ctx): Stmt {
  const value = simplifyExpr(s.value, ctx.ranges);
  const uses = countUses(s.body, s.v);
  const pure = isPure(value, ctx);
  if (uses === 0 && pure) return simplifyStmtIn(s.body, ctx);
  const trivial = value.k === 'const' || (value.k === 'var' && !ctx.mutable.has(value.name));
  if (trivial || (pure && uses === 1 && exprSize(value) <= CHEAP_SIZE)) {
    return simplifyStmtIn(substitute(s.body, s.v, value), ctx);
  }
  const body = simplifyStmtIn(s.body, withRange(ctx, s.v, rangeOf(value, ctx.ranges)));
  return { ...s, value, body };
}

function simplifyIf(s: Extract<Stmt, { k: 'if' }>, ctx: Ctx): Stmt {
  const cond = simplifyExpr(s.cond, ctx.ranges);
  if (cond.k === 'const') return cond.value !== 0 ? simplifyStmtIn(s.then, ctx) : s.else ? simplifyStmtIn(s.else, ctx) : EMPTY;
  const then = simplifyStmtIn(s.then, ctx);
  const otherwise = s.else && simplifyStmtIn(s.else, ctx);
  const hasElse = otherwise !== undefined && !isEmpty(otherwise);
  if (isEmpty(then) && !hasElse && isPure(cond, ctx)) return EMPTY;
  return hasElse ? { k: 'if', cond, then, else: otherwise } : { k: 'if', cond, then };
}

function simplifyStmtIn(s: Stmt, ctx: Ctx): Stmt {
  const e = (x: Expr) => simplifyExpr(x, ctx.ranges);
  switch (s.k) {
    case 'for': return simplifyFor(s, ctx);
    case 'let': return simplifyLet(s, ctx);
    case 'if': return simplifyIf(s, ctx);
    case 'local': {
      const body = simplifyStmtIn(s.body, { ...ctx, mutable: new Set(ctx.mutable).add(s.v) });
      return { ...s, init: e(s.init), body };
    }
    case 'set': return { ...s, value: e(s.value) };
    case 'store': return { ...s, index: e(s.index), value: e(s.value) };
    case 'seq': {
      const body = s.body.map((b) => simplifyStmtIn(b, ctx)).flatMap((b) => (b.k === 'seq' ? b.body : [b]));
      return body.length === 1 ? body[0] : { k: 'seq', body };
    }
    case 'alloc': {
      const body = simplifyStmtIn(s.body, ctx);
      return isEmpty(body) ? EMPTY : { ...s, body };
    }
  }
}

/** Simplifies `s`; `ranges` gives what is known about variables bound outside it. */
export function simplifyStmt(s: Stmt, ranges: RangeEnv = new Map()): Stmt {
  return simplifyStmtIn(s, { ranges, mutable: effectsOf(s).assigned });
}

export function simplifyKernel(k: Kernel): Kernel {
  return { ...k, body: simplifyStmt(k.body) };
}
