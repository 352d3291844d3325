// The scalar half of lowering loop-IR expressions to wasm: bindings of names and buffers, a pool of
// temporaries, addresses with constant memarg offsets, and scalar arithmetic of every type.
import type { BinOp, Buffer, Expr, Intrinsic, ScalarType, UnOp, VType } from '../../loop/ir.js';
import { UnsupportedError } from '../../errors.js';
import type { Code } from './code.js';
import type { Temps } from './half.js';
import type { ValType } from './opcodes.js';
import { ELEM_BYTES, FLOAT_BIN, FLOAT_UN, INT_BIN, SCALAR_BYTES, UINT_BIN, VALTYPE, isFloat, isUnsigned, op, splitIndex, type SplitIndex } from './lower-tables.js';

const DIVISIONS: ReadonlySet<BinOp> = new Set(['div', 'mod', 'floordiv', 'floormod']);

/** True when `divisor` is a constant the wasm division cannot trap on (index arithmetic divides by these). */
function trapFreeDivisor(divisor: Expr | undefined, o: BinOp, t: ScalarType): boolean {
  const k = divisor?.k === 'broadcast' ? divisor.value : divisor;
  if (k?.k !== 'const' || !Number.isFinite(k.value)) return false;
  const v = VALTYPE[t] === 'i32' ? k.value | 0 : Math.trunc(k.value); // the value scalarConst materialises
  return v !== 0 && (isUnsigned(t) || v !== -1 || o === 'mod' || o === 'floormod');
}

export interface TargetOptions {
  readonly simd: boolean;
  /** f32x4.relaxed_madd for fma (results may differ by one rounding from mul+add). */
  readonly relaxedSimd: boolean;
}

/** Supplies the module's intrinsic functions, emitting each the first time it is asked for. */
export interface IntrinsicProvider {
  intrinsic(fn: Intrinsic, type: VType): number;
}

/** Where a name's value lives: one local (scalar or v128), or one scalar local per lane. */
export interface Binding { readonly type: VType; readonly locals: readonly number[] }

export abstract class ScalarLowering {
  protected readonly vars = new Map<string, Binding>();
  /** Loop variables in scope that start at a non-negative constant (so they never go below 0). */
  protected readonly countingUp = new Set<string>();
  /** Base-address local of each buffer in scope. */
  protected readonly bufs = new Map<string, number>();
  private readonly freeTemps = new Map<ValType, number[]>();

  constructor(protected readonly c: Code, protected readonly target: TargetOptions,
    protected readonly lib: IntrinsicProvider, protected readonly kernelName: string) {}

  protected fail(msg: string): never {
    throw new UnsupportedError(`wasm codegen, kernel '${this.kernelName}': ${msg}`);
  }

  /** True when values of `t` are single v128 values on this target. */
  protected native(t: VType): boolean {
    return this.target.simd && t.lanes > 1 && t.lanes * SCALAR_BYTES[t.scalar] === 16;
  }
  /** The wasm locals a binding of type `t` needs. */
  protected localsFor(t: VType): number[] {
    if (t.lanes === 1) return [this.c.local(VALTYPE[t.scalar])];
    if (this.native(t)) return [this.c.local('v128')];
    return Array.from({ length: t.lanes }, () => this.c.local(VALTYPE[t.scalar]));
  }
  /** The temp pool, for the inline half conversions. */
  protected readonly temps: Temps = { take: (t) => this.temp(t), give: (t, i) => this.release(t, i) };
  protected temp(t: ValType): number {
    return this.freeTemps.get(t)?.pop() ?? this.c.local(t);
  }
  protected release(t: ValType, index: number): void {
    const free = this.freeTemps.get(t) ?? [];
    free.push(index);
    this.freeTemps.set(t, free);
  }
  protected binding(name: string, t: VType): Binding {
    const b = this.vars.get(name) ?? this.fail(`variable '${name}' used where it is not bound`);
    if (b.type.scalar !== t.scalar || b.type.lanes !== t.lanes) this.fail(`variable '${name}' used with another type`);
    return b;
  }
  protected baseOf(buf: Buffer): number {
    return this.bufs.get(buf.name) ?? this.fail(`buffer '${buf.name}' is not bound`);
  }

  /** Pushes lane `i` of `e` as a scalar; the vector half (ExprLowering) reads vectors lane by lane. */
  abstract lane(e: Expr, i: number): void;

  protected scalarConst(value: number, t: ScalarType): void {
    if (VALTYPE[t] === 'i32') this.c.i32(value | 0);
    else if (VALTYPE[t] === 'i64') this.c.i64(BigInt.asIntN(64, BigInt(Math.trunc(value))));
    else if (t === 'f32') this.c.f32(value);
    else this.c.f64(value);
  }

  /**
   * Pushes the byte address of element `index` (lane `i` of a vector index) of `buf`, then calls
   * `access` with the constant part of the address as the memarg offset when that part is non-negative.
   */
  protected address(buf: Buffer, index: Expr, access: (offset: number) => void, i = 0): void {
    const c = this.c, size = ELEM_BYTES[buf.elem];
    let split: SplitIndex;
    if (index.type.lanes === 1) split = splitIndex(index);
    else if (index.k === 'ramp') { const s = splitIndex(index.base); split = { terms: s.terms, offset: s.offset + i * index.stride }; }
    else if (index.k === 'broadcast') split = splitIndex(index.value);
    else split = { terms: [], offset: 0 };
    c.get(this.baseOf(buf));
    const dynamic = split.terms.length === 0 && index.type.lanes > 1 && index.k !== 'ramp' && index.k !== 'broadcast';
    if (dynamic) this.lane(index, i);
    split.terms.forEach((term, n) => { this.lane(term, 0); if (n > 0) c.op('i32.add'); });
    const scaled = split.terms.length > 0 || dynamic;
    if (scaled && size > 1) c.i32(Math.log2(size)).op('i32.shl');
    if (scaled) c.op('i32.add');
    const bytes = split.offset * size;
    // a memarg offset is added after base + terms as unsigned: only safe when that sum cannot wrap below 0
    if (bytes >= 0 && bytes <= 0xffffffff && (bytes === 0 || split.terms.every((t) => this.isNonNegative(t)))) return access(bytes);
    c.i32(bytes).op('i32.add');
    access(0);
  }

  /** True when the i32 index term `e` is >= 0 whatever the variables in scope hold (loop counters from a non-negative start). */
  protected isNonNegative(e: Expr): boolean {
    switch (e.k) {
      case 'const': return e.value >= 0;
      case 'var': return this.countingUp.has(e.name);
      case 'bin':
        if (e.op === 'floormod') return e.b.k === 'const' && e.b.value > 0;
        return ['add', 'mul', 'shl', 'floordiv', 'div', 'min', 'max', 'and'].includes(e.op) && this.isNonNegative(e.a) && this.isNonNegative(e.b);
      default: return false;
    }
  }

  /**
   * Pushes `a o b`. Integer division and remainder are total in the loop IR (x / 0 = x % 0 = 0,
   * MIN / -1 = MIN): unless `divisor` is a constant that cannot trap, the divisor is guarded.
   */
  protected scalarBin(o: BinOp, t: ScalarType, a: () => void, b: () => void, divisor?: Expr): void {
    if (!isFloat(t) && DIVISIONS.has(o) && !trapFreeDivisor(divisor, o, t)) this.guardedDivision(o, t, a, b);
    else this.plainBin(o, t, a, b);
  }

  /** Divides by 1 where the divisor is 0 (or -1, for a signed quotient), then selects the defined result there. */
  private guardedDivision(o: BinOp, t: ScalarType, a: () => void, b: () => void): void {
    const c = this.c, w = VALTYPE[t], T = (s: string) => op(`${w}.${s}`);
    const ta = this.temp(w), tb = this.temp(w), r = this.temp(w);
    a(); c.set(ta); b(); c.set(tb);
    const quotient = o === 'div' || o === 'floordiv', signed = !isUnsigned(t);
    const one = () => this.scalarConst(1, t);
    const isZero = () => { c.get(tb).op(T('eqz')); };
    const isMinusOne = () => { c.get(tb); this.scalarConst(-1, t); c.op(T('eq')); };
    // a remainder by 1 or -1 is 0 and never traps: only 0 needs replacing; a signed quotient also avoids -1
    const safeDivisor = () => {
      one(); c.get(tb);
      if (quotient && signed) { c.get(tb); one(); c.op(T('add')); one(); c.op(T('le_u')); } else isZero();
      c.op('select');
    };
    this.plainBin(o, t, () => c.get(ta), safeDivisor);
    if (!quotient) { this.release(w, ta); this.release(w, tb); this.release(w, r); return; }
    c.set(r);
    this.scalarConst(0, t);
    if (signed) { this.scalarConst(0, t); c.get(r).op(T('sub')); c.get(r); isMinusOne(); c.op('select'); } // x / -1 = 0 - x, wrapping
    else c.get(r);
    isZero(); c.op('select');
    this.release(w, ta); this.release(w, tb); this.release(w, r);
  }

  private plainBin(o: BinOp, t: ScalarType, a: () => void, b: () => void): void {
    const c = this.c;
    const w = VALTYPE[t], unsigned = isUnsigned(t);
    const direct = isFloat(t) ? FLOAT_BIN[o] : (o === 'min' || o === 'max') ? undefined : (unsigned ? UINT_BIN : INT_BIN)[o];
    if (direct) { a(); b(); c.op(op(`${w}.${direct}`)); return; }
    if (!['mod', 'floordiv', 'floormod', 'min', 'max'].includes(o)) this.fail(`'${o}' is not defined on ${t}`);
    const ta = this.temp(w), tb = this.temp(w);
    a(); c.set(ta); b(); c.set(tb);
    const A = () => c.get(ta), B = () => c.get(tb), T = (s: string) => op(`${w}.${s}`);
    const zero = () => this.scalarConst(0, t);
    if (isFloat(t)) {
      A();
      if (o === 'floordiv') { B(); c.op(T('div')).op(T('floor')); }
      else { A(); B(); c.op(T('div')).op(T(o === 'mod' ? 'trunc' : 'floor')); B(); c.op(T('mul')).op(T('sub')); }
    } else if (o === 'min' || o === 'max') {
      A(); B(); A(); B(); c.op(T(`${o === 'min' ? 'lt' : 'gt'}_${unsigned ? 'u' : 's'}`)).op('select');
    } else {
      // floor division/modulo: truncate, then step toward -inf when the remainder's sign differs from b's
      const fixup = () => { A(); B(); c.op(T('rem_s')); zero(); c.op(T('ne')); A(); B(); c.op(T('xor')); zero(); c.op(T('lt_s')).op('i32.and'); };
      if (o === 'floordiv') {
        A(); B(); c.op(T('div_s'));
        fixup();
        if (t === 'i64') c.op('i64.extend_i32_u');
        c.op(T('sub'));
      } else {
        const r = this.temp(w);
        A(); B(); c.op(T('rem_s')).tee(r);
        B(); zero();
        c.get(r); zero(); c.op(T('ne')); c.get(r); B(); c.op(T('xor')); zero(); c.op(T('lt_s')).op('i32.and');
        c.op('select').op(T('add'));
        this.release(w, r);
      }
    }
    this.release(w, ta);
    this.release(w, tb);
  }

  protected scalarUn(o: UnOp, t: ScalarType, a: () => void): void {
    const c = this.c;
    if (isFloat(t)) {
      const name = FLOAT_UN[o] ?? this.fail(`'${o}' is not defined on ${t}`);
      a(); c.op(op(`${t}.${name}`));
      return;
    }
    const w = VALTYPE[t];
    if (o === 'neg') { this.scalarConst(0, t); a(); c.op(op(`${w}.sub`)); return; }
    if (o === 'abs' && isUnsigned(t)) { a(); return; }
    if (o === 'abs') {
      const x = this.temp(w);
      a(); c.set(x);
      this.scalarConst(0, t); c.get(x).op(op(`${w}.sub`)).get(x);
      c.get(x); this.scalarConst(0, t); c.op(op(`${w}.lt_s`)).op('select');
      this.release(w, x);
      return;
    }
    if (o !== 'not') this.fail(`'${o}' is not defined on ${t}`);
    a();
    c.op(op(`${w}.eqz`));
    if (w === 'i64') c.op('i64.extend_i32_u');
  }

  protected scalarCall(fn: Intrinsic, t: ScalarType, args: readonly (() => void)[]): void {
    if (!isFloat(t)) this.fail(`intrinsic '${fn}' on ${t}`);
    for (const a of args) a();
    if (fn === 'round_half_even') { this.c.op(op(`${t}.nearest`)); return; }
    if (fn === 'fma') { const x = this.temp(t); this.c.set(x).op(op(`${t}.mul`)).get(x).op(op(`${t}.add`)); this.release(t, x); return; }
    this.c.call(this.lib.intrinsic(fn, { scalar: t, lanes: 1 }));
  }
}
