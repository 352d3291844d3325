// Expression rewriting for lowering: substitute loop variables (by index expressions, constants
// of an unrolled tile, or ramps of a vectorised one), keeping indices affine as ramps.
import {
  bin, broadcast, cast, cnst, load, ramp, type Buffer, type Expr, type VType,
} from '../loop/ir.js';

/** Thrown when a vectorised variable reaches a load index that is not base + lane * stride. */
export class NotAffineError extends Error {}

/** A constant of e's type (scalar or vector). */
export const lit = (e: Expr, value: number): Expr => cnst(value, e.type);

/** e as `lanes` lanes; a scalar load becomes a load at a broadcast index (one load-and-splat instruction). */
const widenTo = (e: Expr, lanes: number): Expr => {
  if (e.type.lanes === lanes) return e;
  if (e.type.lanes !== 1) return fail(`mixing ${e.type.lanes} and ${lanes} lanes`);
  return e.k === 'load' ? load(e.buf, broadcast(e.index, lanes)) : broadcast(e, lanes);
};

function fail(why: string): never {
  throw new NotAffineError(why);
}

/** The scalar an operand stands for when it is uniform across lanes. */
const uniform = (e: Expr): Expr | undefined => (e.type.lanes === 1 ? e : e.k === 'broadcast' ? e.value : undefined);

/** a op b where either side may have become a vector; ramps stay ramps under affine arithmetic. */
function rebuildBin(op: Extract<Expr, { k: 'bin' }>['op'], a: Expr, b: Expr): Expr {
  const ua = uniform(a), ub = uniform(b);
  if (a.k === 'ramp' || b.k === 'ramp') {
    if (op === 'add' && a.k === 'ramp' && b.k === 'ramp') return ramp(bin('add', a.base, b.base), a.stride + b.stride, a.type.lanes);
    if (op === 'add' && a.k === 'ramp' && ub) return ramp(bin('add', a.base, ub), a.stride, a.type.lanes);
    if (op === 'add' && b.k === 'ramp' && ua) return ramp(bin('add', ua, b.base), b.stride, b.type.lanes);
    if (op === 'sub' && a.k === 'ramp' && ub) return ramp(bin('sub', a.base, ub), a.stride, a.type.lanes);
    if (op === 'mul' && a.k === 'ramp' && ub?.k === 'const') return ramp(bin('mul', a.base, ub), a.stride * ub.value, a.type.lanes);
    if (op === 'mul' && b.k === 'ramp' && ua?.k === 'const') return ramp(bin('mul', ua, b.base), b.stride * ua.value, b.type.lanes);
  }
  const lanes = Math.max(a.type.lanes, b.type.lanes);
  return bin(op, widenTo(a, lanes), widenTo(b, lanes));
}

const withLanes = (t: VType, lanes: number): VType => ({ scalar: t.scalar, lanes });

/**
 * e with the variables of `map` replaced. Replacing a variable by a ramp vectorises e: uniform
 * operands are broadcast, loads at ramp indices become vector loads, uniform loads are
 * broadcast, and any other vector index throws NotAffineError. Shared nodes stay shared.
 */
export function substitute(e: Expr, map: ReadonlyMap<string, Expr>): Expr {
  const done = new Map<Expr, Expr>();
  const go = (x: Expr): Expr => {
    let out = done.get(x);
    if (!out) { out = substituteNode(x, go, map); done.set(x, out); }
    return out;
  };
  return go(e);
}

function substituteNode(e: Expr, go: (x: Expr) => Expr, map: ReadonlyMap<string, Expr>): Expr {
  switch (e.k) {
    case 'const': return e;
    case 'var': return map.get(e.name) ?? e;
    case 'bin': return rebuildBin(e.op, go(e.a), go(e.b));
    case 'un': { const a = go(e.a); return { k: 'un', type: a.type, op: e.op, a }; }
    case 'cast': { const a = go(e.a); return cast(a, e.type.scalar); }
    case 'call': {
      const args = e.args.map(go);
      const lanes = Math.max(...args.map((a) => a.type.lanes));
      const wide = args.map((a) => widenTo(a, lanes));
      return { k: 'call', type: withLanes(e.type, lanes), fn: e.fn, args: wide };
    }
    case 'select': {
      const c = go(e.cond), a = go(e.a), b = go(e.b);
      const lanes = Math.max(c.type.lanes, a.type.lanes, b.type.lanes);
      return { k: 'select', type: withLanes(e.type, lanes), cond: widenTo(c, lanes), a: widenTo(a, lanes), b: widenTo(b, lanes) };
    }
    case 'load': {
      const index = go(e.index);
      if (index.type.lanes === 1) return load(e.buf, index);
      if (index.k === 'ramp') return load(e.buf, index);
      const u = uniform(index);
      if (u) return load(e.buf, broadcast(u, index.type.lanes));
      return fail(`index of ${e.buf.name} is not affine in the vectorised axis`);
    }
    case 'ramp': {
      const base = go(e.base);
      if (base.type.lanes !== 1) return fail('ramp of a vector');
      return ramp(base, e.stride, e.type.lanes);
    }
    case 'broadcast': {
      const value = go(e.value);
      return value.type.lanes === 1 ? broadcast(value, e.type.lanes) : fail('broadcast of a vector');
    }
    case 'lane': {
      const a = go(e.a);
      return { ...e, a };
    }
  }
}

/** Names of the variables e reads. */
export function varsOf(e: Expr, into: Set<string> = new Set()): Set<string> {
  visit(e, (x) => { if (x.k === 'var') into.add(x.name); });
  return into;
}

/** Buffers e loads from, in first-read order. */
export function loadsOf(e: Expr, into: Buffer[] = []): Buffer[] {
  visit(e, (x) => { if (x.k === 'load' && !into.includes(x.buf)) into.push(x.buf); });
  return into;
}

/** The index of every load in e. */
export function loadIndicesOf(e: Expr): Expr[] {
  const into: Expr[] = [];
  visit(e, (x) => { if (x.k === 'load') into.push(x.index); });
  return into;
}

/** Calls f once per distinct node object (computes share nodes, so paths may be exponentially many). */
function visit(e: Expr, f: (x: Expr) => void, seen: Set<Expr> = new Set()): void {
  if (seen.has(e)) return;
  seen.add(e);
  f(e);
  const go = (x: Expr) => visit(x, f, seen);
  switch (e.k) {
    case 'bin': go(e.a); go(e.b); break;
    case 'un': case 'cast': case 'lane': go(e.a); break;
    case 'call': e.args.forEach(go); break;
    case 'select': go(e.cond); go(e.a); go(e.b); break;
    case 'load': go(e.index); break;
    case 'ramp': go(e.base); break;
    case 'broadcast': go(e.value); break;
    default: break;
  }
}
