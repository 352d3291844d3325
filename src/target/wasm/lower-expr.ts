// Loop-IR expressions -> wasm instructions, the vector half (scalars: lower-scalar.ts). Vectors whose
// shape fills a v128 (f32x4, i32x4, f64x2, i64x2) become SIMD values when the target has SIMD; any
// other vector, and every vector on a scalar target, is computed lane by lane.
import type { BinOp, Buffer, Expr, Intrinsic, ScalarType, VType } from '../../loop/ir.js';
import { emitHalfToF32, emitHalfToF32x4 } from './half.js';
import type { LaneOp, MemOp } from './opcodes.js';
import {
  BITWISE, CAST, COMPARE, ELEM_BYTES, FLOAT_UN, LOAD, SHAPE, SIMD_BIN, SIMD_CAST, VALTYPE, containsLoad, isFloat, isUnsigned, op,
} from './lower-tables.js';
import { children } from '../../loop/visit.js';
import { ScalarLowering } from './lower-scalar.js';

export type { IntrinsicProvider, TargetOptions } from './lower-scalar.js';

/** Vectors: SIMD where the shape is native, else lane by lane over the scalar half. */
export class ExprLowering extends ScalarLowering {
  /** Native vectors already computed into a v128 local, read lane by lane by a fallback. */
  private readonly computed = new Map<Expr, number>();
  /** Two-lane comparisons held as i64x2 masks (one SIMD compare), read lane by lane as 0/1. */
  private readonly masks = new Map<Expr, number>();

  /** Pushes the value of a scalar or native-vector expression. */
  value(e: Expr): void {
    if (e.type.lanes === 1) return this.lane(e, 0);
    if (!this.native(e.type)) this.fail(`a ${e.type.scalar}x${e.type.lanes} value is needed whole on a target without that vector shape`);
    const cached = this.computed.get(e);
    if (cached !== undefined) { this.c.get(cached); return; }
    if (!this.vector(e)) this.assembleLanes(e);
  }

  /** Pushes an i32 that is non-zero exactly when the scalar `e` is truthy. */
  truthy(e: Expr): void {
    this.value(e);
    const t = e.type.scalar;
    if (VALTYPE[t] === 'i64') this.c.op('i64.eqz').op('i32.eqz');
    else if (isFloat(t)) { if (t === 'f32') this.c.f32(0); else this.c.f64(0); this.c.op(op(`${t}.ne`)); }
  }

  /** SIMD lowering of a native vector; false when this node needs the lane-by-lane fallback. */
  private vector(e: Expr): boolean {
    const t = e.type.scalar, shape = SHAPE[t], c = this.c;
    switch (e.k) {
      case 'const': {
        const lanes = new Array(e.type.lanes).fill(e.value);
        const arr = t === 'f32' ? new Float32Array(lanes) : t === 'f64' ? new Float64Array(lanes)
          : VALTYPE[t] === 'i32' ? new Int32Array(lanes) : new BigInt64Array(lanes.map((x) => BigInt.asIntN(64, BigInt(Math.trunc(x)))));
        c.v128(new Uint8Array(arr.buffer));
        return true;
      }
      case 'var': c.get(this.binding(e.name, e.type).locals[0]); return true;
      case 'bin': {
        const at = e.a.type.scalar;
        if (!this.native(e.a.type)) return false;
        if ((e.op === 'shl' || e.op === 'shr') && !isFloat(at) && e.b.k === 'broadcast') {
          this.value(e.a);
          this.value(e.b.value);
          if (VALTYPE[at] === 'i64') c.op('i32.wrap_i64');
          c.op(op(`${SHAPE[at]}.${e.op === 'shl' ? 'shl' : isUnsigned(at) ? 'shr_u' : 'shr_s'}`));
          return true;
        }
        if ((e.op === 'min' || e.op === 'max') && VALTYPE[at] === 'i64') { this.minMax64(e); return true; }
        const name = BITWISE.has(e.op) && !isFloat(at) ? `v128.${e.op}` : SIMD_BIN[at][e.op] && (isFloat(at) ? `${SHAPE[at]}.${SIMD_BIN[at][e.op]}` : SIMD_BIN[at][e.op]);
        if (!name) return false;
        if (COMPARE.has(e.op)) { this.mask(e); c.op('i32x4.neg'); return true; }  // mask -1 -> the IR's 1
        this.value(e.a);
        this.value(e.b);
        c.op(op(name));
        return true;
      }
      case 'un': {
        if (isFloat(t) && FLOAT_UN[e.op]) { this.value(e.a); c.op(op(`${shape}.${FLOAT_UN[e.op]}`)); return true; }
        if (isUnsigned(t) && e.op === 'abs') { this.value(e.a); return true; }
        if (!isFloat(t) && (e.op === 'neg' || e.op === 'abs')) { this.value(e.a); c.op(op(`${shape}.${e.op}`)); return true; }
        if (VALTYPE[t] === 'i32' && e.op === 'not') { this.mask(e); c.op('i32x4.neg'); return true; }
        return false;
      }
      case 'call': return this.vectorCall(e.fn, e.args, e.type);
      case 'select': {
        const cond = e.cond;
        if ((!this.native(cond.type) && !this.simdCompare(cond)) || cond.type.lanes !== e.type.lanes) return false;
        this.value(e.a);
        this.value(e.b);
        this.mask(cond);
        c.op('v128.bitselect');
        return true;
      }
      case 'cast': {
        // between a signed and an unsigned type of one width the bits already mean the value
        if (this.native(e.a.type) && CAST[e.a.type.scalar][t].length === 0) { this.value(e.a); return true; }
        const name = SIMD_CAST[`${e.a.type.scalar}->${t}`];
        if (!name || !this.native(e.a.type)) return false;
        this.value(e.a);
        c.op(name);
        return true;
      }
      case 'load': return this.vectorLoad(e.buf, e.index, e.type);
      case 'ramp': {
        if (t !== 'i32') return false;
        this.value(e.base);
        c.op('i32x4.splat').i32x4([0, 1, 2, 3].map((i) => i * e.stride)).op('i32x4.add');
        return true;
      }
      case 'broadcast': this.value(e.value); c.op(op(`${shape}.splat`)); return true;
      case 'lane': return false;
    }
  }

  /**
   * Pushes an all-ones/all-zeros lane mask that is set where the native vector `cond` is non-zero.
   * Comparisons, and logic over them, stay masks (SIMD comparisons give one) with no 0/1 round trip.
   */
  private mask(cond: Expr): void {
    const c = this.c;
    if (this.simdCompare(cond)) {
      this.compareMask(cond.a.type.scalar, cond.op, () => this.value(cond.a), () => this.value(cond.b));
      return;
    }
    if (cond.k === 'un' && cond.op === 'not' && this.native(cond.a.type)) { this.mask(cond.a); c.op('v128.not'); return; }
    if (cond.k === 'bin' && BITWISE.has(cond.op) && isBoolean(cond.a) && isBoolean(cond.b)) {
      this.mask(cond.a);
      this.mask(cond.b);
      c.op(op(`v128.${cond.op}`));
      return;
    }
    this.value(cond);
    c.v128(new Uint8Array(16)).op(op(`${SHAPE[cond.type.scalar]}.ne`));
  }

  /** A comparison of native vectors that one SIMD compare answers (u64 too: see compareMask). */
  private simdCompare(e: Expr): e is Expr & { k: 'bin' } {
    if (e.k !== 'bin' || !COMPARE.has(e.op) || !this.native(e.a.type)) return false;
    return !!SIMD_BIN[e.a.type.scalar][e.op] || e.a.type.scalar === 'u64';
  }

  /**
   * Pushes the lane mask of `a op b`. i64x2 has no unsigned order: flipping both sign bits maps
   * unsigned order onto signed order (0 -> -2^63, 2^64-1 -> 2^63-1), so the signed compare answers.
   */
  private compareMask(t: ScalarType, cmp: BinOp, a: () => void, b: () => void): void {
    const c = this.c;
    if (t === 'u64' && cmp !== 'eq' && cmp !== 'ne') {
      const flip = () => c.v128(new Uint8Array(new BigInt64Array([-(1n << 63n), -(1n << 63n)]).buffer)).op('v128.xor');
      a(); flip(); b(); flip();
      c.op(op(`i64x2.${cmp}_s`));
      return;
    }
    a(); b();
    c.op(op(isFloat(t) ? `${SHAPE[t]}.${SIMD_BIN[t][cmp]}` : SIMD_BIN[t][cmp]!));
  }

  /**
   * Runs `emit` (code reading `e` lane by lane) with every two-lane comparison of native 64-bit
   * vectors in `e` computed once as a mask. A select's arms are left alone: their loads may be
   * guarded by the select's branch.
   */
  withLaneMasks(e: Expr, emit: () => void): void {
    const held: Expr[] = [];
    const hold = (x: Expr, root = false): void => {
      if (!root && (this.native(x.type) || this.masks.has(x))) return;
      if (this.simdCompare(x) && x.type.lanes === 2) {
        const m = this.temp('v128');
        this.mask(x);
        this.c.set(m);
        this.masks.set(x, m);
        held.push(x);
        return;
      }
      if (x.k === 'select') hold(x.cond); else for (const k of children(x)) hold(k);
    };
    if (this.target.simd) hold(e, true);
    emit();
    for (const x of held) { this.release('v128', this.masks.get(x)!); this.masks.delete(x); }
  }

  /** i64 and u64 min and max: a compare mask picks between the operands. */
  private minMax64(e: Expr & { k: 'bin' }): void {
    const [x, y] = [this.temp('v128'), this.temp('v128')];
    this.value(e.a);
    this.c.set(x);
    this.value(e.b);
    this.c.set(y).get(x).get(y);
    this.compareMask(e.a.type.scalar, e.op === 'min' ? 'lt' : 'gt', () => this.c.get(x), () => this.c.get(y));
    this.c.op('v128.bitselect');
    this.release('v128', y);
    this.release('v128', x);
  }

  private vectorCall(fn: Intrinsic, args: readonly Expr[], type: VType): boolean {
    const c = this.c, shape = SHAPE[type.scalar];
    if (!isFloat(type.scalar)) return false;
    if (fn === 'round_half_even') { this.value(args[0]); c.op(op(`${shape}.nearest`)); return true; }
    for (const a of args) this.value(a);
    if (fn === 'fma') {
      if (this.target.relaxedSimd) c.op(op(`${shape}.relaxed_madd`));
      else {
        const t = this.temp('v128');
        c.set(t).op(op(`${shape}.mul`)).get(t).op(op(`${shape}.add`));
        this.release('v128', t);
      }
      return true;
    }
    c.call(this.lib.intrinsic(fn, type));
    return true;
  }

  private vectorLoad(buf: Buffer, index: Expr, type: VType): boolean {
    const c = this.c, size = ELEM_BYTES[buf.elem];
    const splat = index.k === 'broadcast' ? index.value : index.k === 'ramp' && index.stride === 0 ? index.base : undefined;
    if (splat && size * type.lanes === 16) {
      this.address(buf, splat, (offset) => c.mem(op(`v128.load${size * 8}_splat`) as MemOp, offset, Math.log2(size)));
      return true;
    }
    if (index.k !== 'ramp') return false;
    if (buf.elem === 'f16') {
      if (index.stride !== 1 || type.lanes !== 4) return false;
      this.address(buf, index.base, (offset) => c.mem('v128.load16x4_u', offset, 1));
      emitHalfToF32x4(c, this.temps);
      return true;
    }
    if (index.stride === 2 && size === 4 && type.lanes === 4) {
      // a stride-2 row (strided convs and pools): two loads covering elements 0..6 and one
      // shuffle keeping lanes 0,2 of the first and 1,3 of the second; no element past 6 is read
      this.address(buf, index.base, (offset) => c.mem('v128.load', offset, 2));
      this.address(buf, index.base, (offset) => c.mem('v128.load', offset + 12, 2));
      c.shuffle([0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23, 28, 29, 30, 31]);
      return true;
    }
    if (index.stride !== 1) return false;
    if (size * type.lanes === 16) {
      this.address(buf, index.base, (offset) => c.mem('v128.load', offset, Math.log2(size)));
      return true;
    }
    if (type.scalar !== 'i32' || type.lanes !== 4) return false;
    const signed = buf.elem === 'i8' || buf.elem === 'i16';
    if (size === 2) {
      this.address(buf, index.base, (offset) => c.mem(signed ? 'v128.load16x4_s' : 'v128.load16x4_u', offset, 1));
      return true;
    }
    const su = signed ? 's' : 'u';
    this.address(buf, index.base, (offset) => c.mem('v128.load32_zero', offset, 0));
    c.op(op(`i16x8.extend_low_i8x16_${su}`)).op(op(`i32x4.extend_low_i16x8_${su}`));
    return true;
  }

  /** Builds a native vector lane by lane, computing its native operands once. */
  private assembleLanes(e: Expr): void {
    const held: Expr[] = [];
    for (const k of children(e)) {
      if (this.native(k.type) && !this.computed.has(k)) {
        const t = this.temp('v128');
        this.value(k);
        this.c.set(t);
        this.computed.set(k, t);
        held.push(k);
      }
    }
    this.withLaneMasks(e, () => {
      this.c.v128(new Uint8Array(16));
      for (let i = 0; i < e.type.lanes; i++) {
        this.lane(e, i);
        this.c.lane(`${SHAPE[e.type.scalar]}.replace_lane` as LaneOp, i);
      }
    });
    for (const k of held) {
      this.release('v128', this.computed.get(k)!);
      this.computed.delete(k);
    }
  }

  /** Pushes lane `i` of `e` as a scalar (lane 0 of a scalar is the scalar). */
  lane(e: Expr, i: number): void {
    const c = this.c, t = e.type.scalar;
    const cached = this.computed.get(e);
    if (cached !== undefined) { c.get(cached).lane(`${SHAPE[t]}.extract_lane` as LaneOp, i); return; }
    const mask = this.masks.get(e);
    if (mask !== undefined) { c.get(mask).lane('i64x2.extract_lane', i).op('i32.wrap_i64').i32(1).op('i32.and'); return; }
    switch (e.k) {
      case 'const': this.scalarConst(e.value, t); return;
      case 'var': {
        const b = this.binding(e.name, e.type);
        if (b.locals.length === e.type.lanes) c.get(b.locals[i]);
        else c.get(b.locals[0]).lane(`${SHAPE[t]}.extract_lane` as LaneOp, i);
        return;
      }
      case 'bin': {
        const at = e.a.type.scalar;
        this.scalarBin(e.op, at, () => this.lane(e.a, i), () => this.lane(e.b, i), e.b);
        return;
      }
      case 'un': return this.scalarUn(e.op, t, () => this.lane(e.a, i));
      case 'call': return this.scalarCall(e.fn, t, e.args.map((a) => () => this.lane(a, i)));
      case 'select': {
        const cond = e.cond, ci = cond.type.lanes === 1 ? 0 : i;
        if (containsLoad(e.a) || containsLoad(e.b)) {
          this.laneTruthy(cond, ci);
          c.if(VALTYPE[t]);
          this.lane(e.a, i);
          c.else();
          this.lane(e.b, i);
          c.end();
        } else {
          this.lane(e.a, i);
          this.lane(e.b, i);
          this.laneTruthy(cond, ci);
          c.op('select');
        }
        return;
      }
      case 'cast': {
        this.lane(e.a, i);
        for (const o of CAST[e.a.type.scalar][t]) c.op(o);
        return;
      }
      case 'load':
        this.address(e.buf, e.index, (offset) => c.mem(LOAD[e.buf.elem], offset), i);
        if (e.buf.elem === 'f16') emitHalfToF32(c, this.temps);
        return;
      case 'ramp':
        this.lane(e.base, 0);
        if (i * e.stride !== 0) { this.scalarConst(i * e.stride, t); c.op(op(`${t}.add`)); }
        return;
      case 'broadcast': return this.lane(e.value, 0);
      case 'lane': {
        if (typeof e.lane === 'number') return this.lane(e.a, e.lane);
        return this.reduceLanes(e.a, e.lane);
      }
    }
  }

  /** Horizontal reduction by halving ((l0+l2)+(l1+l3) for four lanes), the interpreter's order. */
  private reduceLanes(a: Expr, op2: 'add' | 'max' | 'min'): void {
    const t = a.type.scalar, n = a.type.lanes;
    const simdName = SIMD_BIN[t][op2] && (isFloat(t) ? `${SHAPE[t]}.${SIMD_BIN[t][op2]}` : SIMD_BIN[t][op2]);
    if (this.native(a.type) && simdName) {
      // fold the upper half onto the lower half with a byte shuffle until one lane is left
      const v = this.temp('v128'), bytes = 16 / n;
      this.value(a);
      for (let width = n; width > 1; width >>= 1) {
        const half = (width >> 1) * bytes;
        const idx = Array.from({ length: 16 }, (_, b) => (b + half) % 16);
        this.c.set(v).get(v).get(v).get(v).shuffle(idx).op(op(simdName));
      }
      this.c.lane(`${SHAPE[t]}.extract_lane` as LaneOp, 0);
      this.release('v128', v);
      return;
    }
    const tree = (j: number, stride: number, count: number): void => {
      if (count === 1) { this.lane(a, j); return; }
      this.scalarBin(op2, t, () => tree(j, stride * 2, count >> 1), () => tree(j + stride, stride * 2, count >> 1));
    };
    if (this.native(a.type) && !this.computed.has(a)) {
      const v = this.temp('v128');
      this.value(a);
      this.c.set(v);
      this.computed.set(a, v);
      tree(0, 1, n);
      this.computed.delete(a);
      this.release('v128', v);
    } else tree(0, 1, n);
  }

  private laneTruthy(cond: Expr, i: number): void {
    if (cond.type.lanes === 1) return this.truthy(cond);
    this.lane(cond, i);
    const t = cond.type.scalar;
    if (VALTYPE[t] === 'i64') this.c.op('i64.eqz').op('i32.eqz');
    else if (isFloat(t)) { this.scalarConst(0, t); this.c.op(op(`${t}.ne`)); }
  }

}

/** True when `e` is 0 or 1 in every lane, so logic on its mask equals logic on its value. */
function isBoolean(e: Expr): boolean {
  if (e.k === 'bin') return COMPARE.has(e.op) || (BITWISE.has(e.op) && isBoolean(e.a) && isBoolean(e.b));
  return e.k === 'un' && e.op === 'not';
}

export { ELEM_BYTES, SHAPE, STORE } from './lower-tables.js';
