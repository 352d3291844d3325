// A tiny SSA-style emitter for numerical code: each operation reads locals and writes a new
// one, so one definition of a math function yields its f32, f32x4 and f64 versions.
import type { Code } from './code.js';
import type { PlainOp, ValType } from './opcodes.js';

export type Kind = 'f32' | 'f32x4' | 'f64';
/** A value held in a local: a float (F), an integer of the same width (I), or a condition (M). */
export interface Val { readonly l: number }

const INT: Readonly<Record<Kind, string>> = { f32: 'i32', f32x4: 'i32x4', f64: 'i64' };
const op = (s: string) => s as PlainOp;

export class MathBuilder {
  private readonly consts = new Map<string, Val>();
  readonly vec: boolean;
  private readonly fv: ValType;
  private readonly iv: ValType;
  private readonly mv: ValType;

  constructor(readonly c: Code, readonly kind: Kind) {
    this.vec = kind === 'f32x4';
    this.fv = this.vec ? 'v128' : kind === 'f64' ? 'f64' : 'f32';
    this.iv = this.vec ? 'v128' : kind === 'f64' ? 'i64' : 'i32';
    this.mv = this.vec ? 'v128' : 'i32';
  }

  param(i: number): Val { return { l: i }; }
  private out(t: ValType): Val { const l = this.c.local(t); this.c.set(l); return { l }; }
  private emit(name: string, t: ValType, ...args: Val[]): Val {
    for (const a of args) this.c.get(a.l);
    this.c.op(op(name));
    return this.out(t);
  }
  private get f(): string { return this.kind; }
  private get i(): string { return INT[this.kind]; }

  /** A float constant (f32 constants are rounded to f32 here). */
  k(x: number): Val {
    const key = `f${x}`;
    let v = this.consts.get(key);
    if (!v) {
      if (this.kind === 'f64') this.c.f64(x);
      else if (this.vec) this.c.f32x4([x, x, x, x]);
      else this.c.f32(x);
      v = this.out(this.fv);
      this.consts.set(key, v);
    }
    return v;
  }
  /** An integer constant of the kind's integer width. */
  ik(n: number): Val {
    const key = `i${n}`;
    let v = this.consts.get(key);
    if (!v) {
      if (this.kind === 'f64') this.c.i64(BigInt(n));
      else if (this.vec) this.c.i32x4([n, n, n, n]);
      else this.c.i32(n);
      v = this.out(this.iv);
      this.consts.set(key, v);
    }
    return v;
  }

  add(a: Val, b: Val) { return this.emit(`${this.f}.add`, this.fv, a, b); }
  sub(a: Val, b: Val) { return this.emit(`${this.f}.sub`, this.fv, a, b); }
  mul(a: Val, b: Val) { return this.emit(`${this.f}.mul`, this.fv, a, b); }
  div(a: Val, b: Val) { return this.emit(`${this.f}.div`, this.fv, a, b); }
  min(a: Val, b: Val) { return this.emit(`${this.f}.min`, this.fv, a, b); }
  max(a: Val, b: Val) { return this.emit(`${this.f}.max`, this.fv, a, b); }
  abs(a: Val) { return this.emit(`${this.f}.abs`, this.fv, a); }
  neg(a: Val) { return this.emit(`${this.f}.neg`, this.fv, a); }
  sqrt(a: Val) { return this.emit(`${this.f}.sqrt`, this.fv, a); }
  nearest(a: Val) { return this.emit(`${this.f}.nearest`, this.fv, a); }
  trunc(a: Val) { return this.emit(`${this.f}.trunc`, this.fv, a); }
  /** a*b + c, rounded twice (deterministic on every host). */
  madd(a: Val, b: Val, c: Val) { return this.add(this.mul(a, b), c); }
  /** Horner evaluation of coefficients lowest-first at u. */
  poly(u: Val, coef: readonly number[]): Val {
    let p = this.k(coef[coef.length - 1]);
    for (let j = coef.length - 2; j >= 0; j--) p = this.madd(p, u, this.k(coef[j]));
    return p;
  }

  lt(a: Val, b: Val) { return this.emit(`${this.f}.lt`, this.mv, a, b); }
  le(a: Val, b: Val) { return this.emit(`${this.f}.le`, this.mv, a, b); }
  gt(a: Val, b: Val) { return this.emit(`${this.f}.gt`, this.mv, a, b); }
  eq(a: Val, b: Val) { return this.emit(`${this.f}.eq`, this.mv, a, b); }
  ne(a: Val, b: Val) { return this.emit(`${this.f}.ne`, this.mv, a, b); }
  and(a: Val, b: Val) { return this.emit(this.vec ? 'v128.and' : 'i32.and', this.mv, a, b); }
  or(a: Val, b: Val) { return this.emit(this.vec ? 'v128.or' : 'i32.or', this.mv, a, b); }
  not(a: Val) { return this.emit(this.vec ? 'v128.not' : 'i32.eqz', this.mv, a); }
  /** m ? a : b, lane by lane (a and b are floats, or both integers). */
  select(m: Val, a: Val, b: Val): Val {
    this.c.get(a.l).get(b.l).get(m.l).op(this.vec ? 'v128.bitselect' : 'select');
    return this.out(this.c.localType(a.l));
  }
  /** |a| with the sign of s. */
  copysign(a: Val, s: Val): Val {
    if (!this.vec) return this.emit(`${this.f}.copysign`, this.fv, a, s);
    this.c.get(s.l).get(a.l).i32x4([-0x80000000, -0x80000000, -0x80000000, -0x80000000]).op('v128.bitselect');
    return this.out('v128');
  }

  /** The float's bits as an integer, and back. */
  bits(a: Val): Val { return this.vec ? a : this.emit(this.kind === 'f64' ? 'i64.reinterpret_f64' : 'i32.reinterpret_f32', this.iv, a); }
  fromBits(a: Val): Val { return this.vec ? a : this.emit(this.kind === 'f64' ? 'f64.reinterpret_i64' : 'f32.reinterpret_i32', this.fv, a); }
  /** Float -> integer (saturating, toward zero) and integer -> float. */
  toInt(a: Val): Val { return this.emit(this.vec ? 'i32x4.trunc_sat_f32x4_s' : `${this.i}.trunc_sat_${this.f}_s`, this.iv, a); }
  toFloat(a: Val): Val { return this.emit(this.vec ? 'f32x4.convert_i32x4_s' : `${this.f}.convert_${this.i}_s`, this.fv, a); }
  iadd(a: Val, b: Val) { return this.emit(`${this.i}.add`, this.iv, a, b); }
  isub(a: Val, b: Val) { return this.emit(`${this.i}.sub`, this.iv, a, b); }
  iand(a: Val, b: Val) { return this.emit(this.vec ? 'v128.and' : `${this.i}.and`, this.iv, a, b); }
  ieq(a: Val, b: Val) { return this.emit(`${this.i}.eq`, this.mv, a, b); }
  ishl(a: Val, n: number) { return this.shift('shl', a, n); }
  ishr(a: Val, n: number) { return this.shift('shr_s', a, n); }
  private shift(name: string, a: Val, n: number): Val {
    this.c.get(a.l);
    if (this.kind === 'f64') this.c.i64(BigInt(n)); else this.c.i32(n);
    this.c.op(op(`${this.i}.${name}`));
    return this.out(this.iv);
  }

  /** Ends the function returning `v`. */
  ret(v: Val): void { this.c.get(v.l); }
}
