// Legalisation for code generators: each 'vectorized' loop of constant extent becomes explicit
// vector code W lanes wide (ramps, broadcasts, vector loads, stores and locals), or a serial loop.
import type { BinOp, Expr, ScalarType, Stmt, VType } from './ir.js';
import { add, bin, broadcast, call, cast, cnst, fmtType, load, loop, mul, ramp, select, seq, store, un, v, vec } from './ir.js';
import { toLinear } from './linear.js';
import { printExpr } from './print.js';
import { simplifyExpr } from './simplify-expr.js';
import { simplifyStmt } from './simplify.js';
import { countUses, forEachExpr, forEachInStmt, mapChildren, mapStmt, varsOf } from './visit.js';

export interface VectorizeOptions {
  /** Lanes of one vector of each scalar type: the target's (src/target/target.ts). */
  readonly lanes: (s: ScalarType) => number;
  /** Told about each 'vectorized' loop the pass leaves serial, and why (for KILN_DEBUG and tests). */
  readonly onScalar?: (loopVar: string, reason: string) => void;
}

/** Vectors per loop written out one after another; longer loops keep a serial loop over vectors. */
const MAX_UNROLLED_VECTORS = 8;

/** Why a loop stays scalar; thrown inside the pass and caught at the loop it concerns. */
class Refusal extends Error {}

/** A reduction carried across the vectorised loop: `acc = acc op x` on a local declared outside it. */
interface CarriedReduction { readonly acc: string; readonly op: 'add' | 'max' | 'min'; readonly type: VType; readonly partial: string }

/**
 * Rewrites every 'vectorized' loop into vector code, innermost first, then simplifies.
 * Extent L, W lanes: floor(L/W) vector iterations (unrolled up to 8, else a serial loop over
 * vectors), then a scalar tail loop for the L mod W rest. Inside, the loop variable is
 * ramp(base, 1, W); indices affine in it stay ramps (stride 1: contiguous; other strides: gathers
 * the target does lane by lane); values not depending on it stay scalar and are broadcast where
 * they meet vectors; locals assigned values depending on it become vector locals. A local declared
 * outside and updated `acc = acc + | max | min x` becomes a vector of partial results reduced
 * across lanes after the loop (exact for integers and max/min; float sums change their order).
 * A loop it cannot vectorise soundly (non-constant extent, an `if` on the variable, memory written
 * at indices other iterations may touch, mixed lane widths, ...) turns serial and `onScalar` says why.
 */
export function vectorizeLoops(s: Stmt, opts: VectorizeOptions): Stmt {
  const lanesOf = opts.lanes;
  const names = new Set<string>();
  forEachInStmt(s, (e) => { if (e.k === 'var') names.add(e.name); }, (st) => { if ('v' in st) names.add(st.v); });
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}${i}`;
    names.add(name);
    return name;
  };
  const rewrite = (st: Stmt): Stmt => {
    const inner = mapStmt(st, (e) => e, rewrite);
    if (inner.k !== 'for' || inner.kind !== 'vectorized') return inner;
    try {
      return vectorizeLoop(inner, lanesOf, fresh);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      opts.onScalar?.(inner.v, err.message);
      return { ...inner, kind: 'serial' };
    }
  };
  return simplifyStmt(rewrite(s));
}

type Loop = Extract<Stmt, { k: 'for' }>;

function vectorizeLoop(l: Loop, lanesOf: (s: ScalarType) => number, fresh: (base: string) => string): Stmt {
  const extent = simplifyExpr(l.extent);
  if (extent.k !== 'const') throw new Refusal(`its extent ${printExpr(extent)} is not a constant`);
  const declared = declaredIn(l.body);
  if (declared.has(l.v)) throw new Refusal(`'${l.v}' is bound again inside it`);
  const varying = varyingNames(l.body, l.v, declared);
  const depends = dependenceTest(varying);
  const reductions = carriedReductions(l.body, declared, fresh);
  const width = laneCount(l.body, varying, depends, reductions, lanesOf);
  if (extent.value < width) throw new Refusal(`its extent ${extent.value} is less than one vector of ${width} lanes`);
  checkMemory(l.body, l.v, declared);

  const wide = new Widener(width, varying, depends, new Map(reductions.map((r) => [r.acc, r])))
    .stmt(l.body, new Map([[l.v, { k: 'affine', stride: 1 }]]));
  const vectors = Math.floor(extent.value / width);
  const atBase = (base: Expr): Stmt => ({ k: 'let', v: l.v, value: base, body: wide });
  let main: Stmt;
  if (vectors <= MAX_UNROLLED_VECTORS) {
    main = seq(...Array.from({ length: vectors }, (_, i) => atBase(add(l.min, cnst(i * width)))));
  } else {
    const vo = fresh(`${l.v}_vec`);
    main = loop(vo, vectors, atBase(add(l.min, mul(v(vo), cnst(width)))));
  }
  const finals = reductions.map((r): Stmt => {
    const total: Expr = { k: 'lane', type: r.type, a: v(r.partial, vec(r.type.scalar, width)), lane: r.op };
    return { k: 'set', v: r.acc, value: r.op === 'add' ? add(v(r.acc, r.type), total) : total };
  });
  const withPartials = reductions.reduceRight((body: Stmt, r): Stmt => ({
    k: 'local', v: r.partial, type: vec(r.type.scalar, width), body,
    // -0 is the exact identity of float addition; max and min may start from acc itself in every lane
    init: r.op === 'add' ? cnst(r.type.scalar[0] === 'f' ? -0 : 0, vec(r.type.scalar, width)) : broadcast(v(r.acc, r.type), width),
  }), seq(main, ...finals));
  const rest = extent.value - vectors * width;
  return rest === 0 ? withPartials : seq(withPartials, loop(l.v, rest, l.body, 'serial', add(l.min, cnst(vectors * width))));
}

/** Names bound by a let, local or loop inside `s`. */
function declaredIn(s: Stmt): Set<string> {
  const out = new Set<string>();
  forEachInStmt(s, () => {}, (st) => { if (st.k === 'let' || st.k === 'local' || st.k === 'for') out.add(st.v); });
  return out;
}

/** The loop variable and every let or local declared inside whose value may depend on it (by name). */
function varyingNames(body: Stmt, loopVar: string, declared: ReadonlySet<string>): Set<string> {
  const varying = new Set([loopVar]);
  const reads = (e: Expr) => [...varsOf(e)].some((n) => varying.has(n));
  for (let grew = true; grew;) {
    grew = false;
    forEachInStmt(body, () => {}, (st) => {
      if (st.k !== 'let' && st.k !== 'local' && st.k !== 'set') return;
      const value = st.k === 'local' ? st.init : st.value;
      if (declared.has(st.v) && !varying.has(st.v) && reads(value)) {
        varying.add(st.v);
        grew = true;
      }
    });
  }
  return varying;
}

function dependenceTest(varying: ReadonlySet<string>): (e: Expr) => boolean {
  const memo = new WeakMap<Expr, boolean>();
  const depends = (e: Expr): boolean => {
    const known = memo.get(e);
    if (known !== undefined) return known;
    let d = e.k === 'var' && varying.has(e.name);
    if (!d) mapChildren(e, (c) => { d ||= depends(c); return c; });
    memo.set(e, d);
    return d;
  };
  return depends;
}

const REDUCIBLE = new Set<BinOp>(['add', 'max', 'min']);

/** Locals declared outside and assigned inside: each must be a reduction the pass can split into lanes. */
function carriedReductions(body: Stmt, declared: ReadonlySet<string>, fresh: (base: string) => string): CarriedReduction[] {
  const sets = new Map<string, Extract<Stmt, { k: 'set' }>[]>();
  forEachInStmt(body, () => {}, (st) => {
    if (st.k === 'set' && !declared.has(st.v)) sets.set(st.v, [...(sets.get(st.v) ?? []), st]);
  });
  return [...sets].map(([acc, updates]) => {
    const refuse = () => {
      throw new Refusal(`it updates '${acc}', declared outside it, other than as acc = acc + | max | min (x) read nowhere else`);
    };
    const ops = new Set<BinOp>();
    let type: VType | undefined;
    for (const { value } of updates) {
      if (value.k !== 'bin' || !REDUCIBLE.has(value.op) || value.type.lanes !== 1) refuse();
      const { a, b } = value as Extract<Expr, { k: 'bin' }>;
      const isAcc = (e: Expr) => e.k === 'var' && e.name === acc;
      if (!(isAcc(a) || isAcc(b))) refuse();
      ops.add((value as Extract<Expr, { k: 'bin' }>).op);
      type = value.type;
    }
    if (ops.size !== 1 || countUses(body, acc) !== updates.length) refuse();
    return { acc, op: [...ops][0] as CarriedReduction['op'], type: type!, partial: fresh(`${acc}_lanes`) };
  });
}

/** W: the lanes of the non-i32 types computed per lane (i32 indices and masks follow them). */
function laneCount(body: Stmt, varying: ReadonlySet<string>, depends: (e: Expr) => boolean,
  reductions: readonly CarriedReduction[], lanesOf: (s: ScalarType) => number): number {
  const types = new Set<ScalarType>(reductions.map((r) => r.type.scalar));
  const note = (t: VType) => { if (t.scalar !== 'i32') types.add(t.scalar); };
  const visit = (e: Expr): void => {
    if (!depends(e)) return;
    if (e.type.lanes !== 1) throw new Refusal(`it already computes a ${fmtType(e.type)} from its variable`);
    note(e.type);
    mapChildren(e, (c) => { visit(c); return c; });
  };
  forEachInStmt(body, () => {}, (st) => {
    // values that are broadcast rather than widened still take the vector's width
    if (st.k === 'store' && depends(st.index)) note(st.value.type);
    if ((st.k === 'let' || st.k === 'local') && varying.has(st.v)) note(st.k === 'let' ? st.value.type : st.type);
    mapStmt(st, (e) => { visit(e); return e; }, (b) => b);
  });
  const widths = new Set([...types].map(lanesOf));
  if (widths.size > 1) throw new Refusal(`it mixes ${[...types].join(' and ')}, which fill a vector with different lane counts`);
  return widths.size === 1 ? [...widths][0] : lanesOf('i32');
}

/**
 * Lanes of one vector must not touch memory another iteration touches: every access to a buffer
 * the loop writes uses one index, `stride * v + offset` with stride != 0 and an offset fixed for
 * the whole loop, so iteration v only ever touches its own element and reordering is invisible.
 */
function checkMemory(body: Stmt, loopVar: string, declared: ReadonlySet<string>): void {
  const written = new Set<string>();
  forEachInStmt(body, () => {}, (st) => {
    if (st.k === 'store') written.add(st.buf.name);
    if (st.k === 'alloc') throw new Refusal(`it allocates '${st.buf.name}' in every iteration`);
  });
  if (written.size === 0) return;
  const indexOf = new Map<string, string>();
  const access = (buf: string, index: Expr, lets: ReadonlyMap<string, Expr>) => {
    if (!written.has(buf)) return;
    const full = simplifyExpr(expandLets(index, lets));
    const where = `'${buf}', which it writes,`;
    if ([...varsOf(full)].some((n) => declared.has(n))) throw new Refusal(`it accesses ${where} at an index that changes within one iteration`);
    forEachExpr(full, (x) => {
      if (x.k === 'load' && written.has(x.buf.name)) throw new Refusal(`it accesses ${where} at an index read from memory it writes`);
    });
    let stride = 0;
    for (const { atom, coef } of toLinear(full).terms.values()) {
      if (atom.k === 'var' && atom.name === loopVar) stride = coef;
      else if (varsOf(atom).has(loopVar)) throw new Refusal(`it accesses ${where} at ${printExpr(full)}, not affine in '${loopVar}'`);
    }
    if (stride === 0) throw new Refusal(`it accesses ${where} at ${printExpr(full)}, the same element in every iteration`);
    const text = printExpr(full), before = indexOf.get(buf);
    if (before !== undefined && before !== text) throw new Refusal(`it accesses ${where} at two indices, ${before} and ${text}`);
    indexOf.set(buf, text);
  };
  const walk = (s: Stmt, lets: ReadonlyMap<string, Expr>): void => {
    const loads = (e: Expr) => forEachExpr(e, (x) => { if (x.k === 'load') access(x.buf.name, x.index, lets); });
    if (s.k === 'store') access(s.buf.name, s.index, lets);
    if (s.k === 'let') {
      loads(s.value);
      walk(s.body, new Map(lets).set(s.v, expandLets(s.value, lets)));
      return;
    }
    mapStmt(s, (e) => { loads(e); return e; }, (b) => { walk(b, lets); return b; });
  };
  walk(body, new Map());
}

/** `e` with each let-bound name replaced by its (already expanded) value. */
function expandLets(e: Expr, lets: ReadonlyMap<string, Expr>): Expr {
  if (e.k === 'var') return lets.get(e.name) ?? e;
  return mapChildren(e, (c) => expandLets(c, lets));
}

/** How a varying name is held in the vector body: its lane-0 value plus stride*lane, or a vector. */
type Held = { readonly k: 'affine'; readonly stride: number } | { readonly k: 'vector' };

/** Rewrites one iteration's body to compute W iterations at once; the loop variable holds lane 0. */
class Widener {
  constructor(
    private readonly lanes: number,
    private readonly varying: ReadonlySet<string>,
    private readonly depends: (e: Expr) => boolean,
    private readonly reductions: ReadonlyMap<string, CarriedReduction>,
  ) {}

  stmt(s: Stmt, env: ReadonlyMap<string, Held>): Stmt {
    const W = this.lanes;
    switch (s.k) {
      case 'for':
        if (this.depends(s.min) || this.depends(s.extent)) throw new Refusal(`the bounds of loop '${s.v}' inside it depend on it`);
        return { ...s, body: this.stmt(s.body, env) };
      case 'let': {
        if (!this.varying.has(s.v)) return { ...s, body: this.stmt(s.body, env) };
        // an i32 let affine in the loop (or not depending on it) keeps its lane-0 value in a scalar
        const value = this.depends(s.value) ? this.expr(s.value, env) : undefined;
        const affine = value?.k === 'ramp' ? { base: value.base, stride: value.stride }
          : value === undefined && s.value.type.scalar === 'i32' ? { base: s.value, stride: 0 } : undefined;
        if (affine) {
          return { ...s, value: affine.base, body: this.stmt(s.body, new Map(env).set(s.v, { k: 'affine', stride: affine.stride })) };
        }
        return { ...s, value: value ?? broadcast(s.value, W), body: this.stmt(s.body, new Map(env).set(s.v, { k: 'vector' })) };
      }
      case 'local': {
        if (!this.varying.has(s.v)) return { ...s, body: this.stmt(s.body, env) };
        if (s.type.lanes !== 1) throw new Refusal(`local '${s.v}' is already a ${fmtType(s.type)}`);
        const inner = new Map(env).set(s.v, { k: 'vector' });
        return { ...s, type: vec(s.type.scalar, W), init: this.vector(s.init, env), body: this.stmt(s.body, inner) };
      }
      case 'set': {
        const r = this.reductions.get(s.v);
        if (r) {
          const value = s.value as Extract<Expr, { k: 'bin' }>;
          const x = value.a.k === 'var' && value.a.name === s.v ? value.b : value.a;
          return { k: 'set', v: r.partial, value: bin(r.op, v(r.partial, vec(r.type.scalar, W)), this.vector(x, env)) };
        }
        return this.varying.has(s.v) ? { ...s, value: this.vector(s.value, env) } : s;
      }
      case 'store':
        return store(s.buf, this.vector(s.index, env), this.vector(s.value, env));
      case 'if':
        if (this.depends(s.cond)) throw new Refusal(`an if inside it tests ${printExpr(s.cond)}, which depends on it`);
        return mapStmt(s, (e) => e, (b) => this.stmt(b, env));
      case 'seq':
        return { ...s, body: s.body.map((b) => this.stmt(b, env)) };
      case 'alloc':
        throw new Refusal(`it allocates '${s.buf.name}' in every iteration`);
    }
  }

  /** `e` as a W-lane vector: widened if it depends on the loop, else broadcast. */
  private vector(e: Expr, env: ReadonlyMap<string, Held>): Expr {
    return this.depends(e) ? this.expr(e, env) : broadcast(e, this.lanes);
  }

  /** The W-lane form of a scalar expression that depends on the loop variable. */
  private expr(e: Expr, env: ReadonlyMap<string, Held>): Expr {
    const W = this.lanes;
    if (e.type.lanes !== 1) throw new Refusal(`it already computes a ${fmtType(e.type)} from its variable`);
    const affine = this.affine(e, env);
    if (affine) return affine;
    const wide = (x: Expr) => this.vector(x, env);
    switch (e.k) {
      case 'var': {
        const held = env.get(e.name) ?? refuseUnbound(e.name);
        return held.k === 'affine' ? ramp(e, held.stride, W) : v(e.name, vec(e.type.scalar, W));
      }
      case 'bin': return bin(e.op, wide(e.a), wide(e.b));
      case 'un': return un(e.op, wide(e.a));
      case 'cast': return cast(wide(e.a), e.type.scalar);
      case 'call': return call(e.fn, ...e.args.map(wide));
      // a uniform condition picks a whole vector, as it picked every iteration's scalar
      case 'select': return select(this.depends(e.cond) ? wide(e.cond) : e.cond, wide(e.a), wide(e.b));
      case 'load': return load(e.buf, wide(e.index));
      default: throw new Refusal(`it already computes vectors (${e.k}) from its variable`);
    }
  }

  /** An i32 expression linear in affine names: a ramp from its own value (lane 0) by the summed stride. */
  private affine(e: Expr, env: ReadonlyMap<string, Held>): Expr | undefined {
    if (e.type.scalar !== 'i32' || !(e.k === 'var' || (e.k === 'bin' && ['add', 'sub', 'mul'].includes(e.op)))) return undefined;
    let stride = 0;
    for (const { atom, coef } of toLinear(e).terms.values()) {
      if (!this.depends(atom)) continue;
      const held = atom.k === 'var' ? env.get(atom.name) : undefined;
      if (held?.k !== 'affine') return undefined;
      stride = (stride + Math.imul(coef, held.stride)) | 0;
    }
    return ramp(e, stride, this.lanes);
  }
}

function refuseUnbound(name: string): never {
  throw new Refusal(`'${name}' varies with it but is bound outside the vector body`);
}
