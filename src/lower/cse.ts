// Common subexpressions of lowered values. Computes share Expr objects (Mish reads its input once and
// uses it three times) and separate producers rebuild equal trees; value numbering finds both, and each
// value used more than once becomes one `let`, so a fused chain's kernel grows linearly, not exponentially.
import { v, type Buffer, type Expr, type Stmt } from '../loop/ir.js';
import { fromLinear, toLinear, type Linear, type Term } from '../loop/linear.js';
import { printExpr } from '../loop/print.js';
import { children, mapChildren, varsOf } from '../loop/visit.js';

const fmtNumber = (x: number) => (Object.is(x, -0) ? '-0' : String(x));
const typeKey = (e: Expr) => `${e.type.scalar}x${e.type.lanes}`;

/**
 * Numbers each structurally distinct expression; memoised per object, so a DAG of shared nodes
 * costs time linear in its distinct nodes however many paths lead to them.
 */
class ValueNumbering {
  private readonly byObject = new Map<Expr, number>();
  private readonly bySignature = new Map<string, number>();
  private readonly buffers = new Map<Buffer, number>();
  /** The first node seen with each number, children replaced by numbers. */
  readonly nodes: { readonly e: Expr; readonly children: readonly number[] }[] = [];

  number(e: Expr): number {
    const seen = this.byObject.get(e);
    if (seen !== undefined) return seen;
    const kids = children(e).map((c) => this.number(c));
    const signature = `${this.head(e)}|${typeKey(e)}|${kids.join(',')}`;
    let id = this.bySignature.get(signature);
    if (id === undefined) {
      id = this.nodes.length;
      this.bySignature.set(signature, id);
      this.nodes.push({ e, children: kids });
    }
    this.byObject.set(e, id);
    return id;
  }

  private head(e: Expr): string {
    switch (e.k) {
      case 'const': return `c${fmtNumber(e.value)}`;
      case 'var': return `v${e.name}`;
      case 'bin': case 'un': return `${e.k}${e.op}`;
      case 'call': return `f${e.fn}`;
      case 'load': {
        if (!this.buffers.has(e.buf)) this.buffers.set(e.buf, this.buffers.size);
        return `l${this.buffers.get(e.buf)}`;
      }
      case 'ramp': return `r${e.stride}`;
      case 'lane': return `L${e.lane}`;
      default: return e.k;
    }
  }
}


function withChildren(e: Expr, c: readonly Expr[]): Expr {
  switch (e.k) {
    case 'bin': return { ...e, a: c[0], b: c[1] };
    case 'un': case 'cast': case 'lane': return { ...e, a: c[0] };
    case 'call': return { ...e, args: c };
    case 'select': return { ...e, cond: c[0], a: c[1], b: c[2] };
    case 'load': return { ...e, index: c[0] };
    case 'ramp': return { ...e, base: c[0] };
    case 'broadcast': return { ...e, value: c[0] };
    default: return e;
  }
}

export interface SharedValues {
  /** Bindings in evaluation order (each may read the earlier ones). */
  readonly lets: readonly (readonly [string, Expr])[];
  /** The roots, reading shared values through the bound names. */
  readonly exprs: readonly Expr[];
}

/**
 * Binds every value the roots use more than once. Addresses (load indices, ramp bases) stay
 * inline: the vectoriser and the simplifier need them as affine trees, and targets fold them.
 */
export function bindShared(roots: readonly Expr[], prefix: string): SharedValues {
  const vn = new ValueNumbering();
  const rootIds = roots.map((r) => vn.number(r));
  const uses = new Array<number>(vn.nodes.length).fill(0);
  const address = new Array<boolean>(vn.nodes.length).fill(false);
  const visited = new Set<number>();
  const count = (id: number) => {
    if (visited.has(id)) return;
    visited.add(id);
    for (const c of vn.nodes[id].children) { uses[c]++; count(c); }
  };
  const markAddress = (id: number) => {
    if (address[id]) return;
    address[id] = true;
    vn.nodes[id].children.forEach(markAddress);
  };
  rootIds.forEach((id) => { uses[id]++; count(id); });
  for (const id of visited) {
    const { e, children } = vn.nodes[id];
    if (e.k === 'load' || e.k === 'ramp') markAddress(children[0]);
  }
  const shareable = (e: Expr, id: number) => !address[id] && e.k !== 'const' && e.k !== 'var' && e.k !== 'ramp'
    && !(e.k === 'broadcast' && (e.value.k === 'const' || e.value.k === 'var'));
  const lets: [string, Expr][] = [];
  const rebuilt = new Map<number, Expr>();
  const build = (id: number): Expr => {
    const done = rebuilt.get(id);
    if (done) return done;
    const { e, children } = vn.nodes[id];
    let out = withChildren(e, children.map(build));
    if (uses[id] > 1 && shareable(e, id)) {
      const name = `${prefix}${lets.length}`;
      lets.push([name, out]);
      out = { k: 'var', type: e.type, name };
    }
    rebuilt.set(id, out);
    return out;
  };
  return { lets, exprs: rootIds.map(build) };
}

/** `body` inside the bindings, outermost first. */
export const wrapLets = (lets: SharedValues['lets'], body: Stmt): Stmt =>
  lets.reduceRight((inner: Stmt, [v, value]): Stmt => ({ k: 'let', v, value, body: inner }), body);

/**
 * Moves the part of each load address that the inner loops do not change into one `let` per distinct
 * base, bound outside them. A register tile's loads then share one base (the code generator would
 * recompute it per load), and the rest of each address is the inner loop variables' terms, which the
 * engine's loop-invariant code motion lifts level by level when they come in loop order: normalised
 * sums order their terms by name, so `prefix` must sort before the loop variables' names. Indices are
 * simplified first (a packed layout's divisions fold); terms that load or divide by a variable stay
 * inside, where guards may protect them.
 */
/** No loads and no integer division by a non-constant: evaluating it where the original did not cannot trap. */
function safeToHoist(e: Expr): boolean {
  if (e.k === 'load') return false;
  if (e.k === 'bin' && ['div', 'mod', 'floordiv', 'floormod'].includes(e.op) && e.b.k !== 'const') return false;
  return children(e).every(safeToHoist);
}

export function hoistAddressBases(roots: readonly Expr[], isInner: (name: string) => boolean, prefix: string,
  simplify: (index: Expr) => Expr): SharedValues {
  const bases = new Map<string, string>();
  const lets: [string, Expr][] = [];
  const baseOf = (outer: Linear): Expr => {
    const value = fromLinear(outer);
    const key = printExpr(value);
    let name = bases.get(key);
    if (!name) { name = `${prefix}${lets.length}`; bases.set(key, name); lets.push([name, value]); }
    return v(name);
  };
  const split = (index: Expr): Expr => {
    const lin = toLinear(simplify(index));
    const outer = new Map<string, Term>(), inner = new Map<string, Term>();
    for (const [key, t] of lin.terms) ([...varsOf(t.atom)].some(isInner) || !safeToHoist(t.atom) ? inner : outer).set(key, t);
    // a lone loop variable or constant is as cheap as its let
    const [only] = outer.values();
    if (outer.size === 0 || (outer.size === 1 && only.coef === 1 && only.atom.k === 'var')) return index;
    const base = baseOf({ terms: outer, c: 0 });
    return fromLinear({ terms: new Map([...inner, [`\u0000${printExpr(base)}`, { atom: base, coef: 1 }]]), c: lin.c });
  };
  const done = new Map<Expr, Expr>();
  const go = (e: Expr): Expr => {
    let out = done.get(e);
    if (out) return out;
    if (e.k === 'load') {
      const { index } = e;
      const at = index.k === 'ramp' ? { ...index, base: split(index.base) }
        : index.k === 'broadcast' ? { ...index, value: split(index.value) }
          : index.type.lanes === 1 && index.type.scalar === 'i32' ? split(index) : index;
      out = { ...e, index: at };
    } else {
      out = mapChildren(e, go);
    }
    done.set(e, out);
    return out;
  };
  return { lets, exprs: roots.map(go) };
}
