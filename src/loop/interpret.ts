// Executes a loop-IR kernel on TypedArrays exactly as a code generator must: the test oracle
// for lowering, the passes and the targets. Compiled once to closures, so big tests stay quick.
import type { Buffer, Expr, Kernel, ScalarType, Stmt, VType } from './ir.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../ir/dtype.js';
import { fmtType } from './ir.js';
import { LoopIRError } from './errors.js';
import {
  ARRAY_OF, binFn, callFn, castFn, constScalar, isTruthy, unFn,
  type BinFn, type Scalar, type Value,
} from './semantics.js';
import { withContext } from '../errors.js';

export type TypedArray =
  | Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array | Int16Array | Uint16Array;
type Memory = { [i: number]: Scalar; readonly length: number };

/** Registers (one slot per binding) and buffers (params, then allocs) of one run. */
interface Ctx { readonly regs: Value[]; readonly mem: Memory[] }
type Ev = (c: Ctx) => Value;
type Exec = (c: Ctx) => void;

interface VarSlot { readonly slot: number; readonly type: VType; readonly mutable: boolean }
interface BufSlot { readonly slot: number; readonly buf: Buffer }

/** Compile-time state: what each name means at the current point of the tree. */
class Scope {
  readonly vars = new Map<string, VarSlot>();
  readonly bufs = new Map<string, BufSlot>();
  regCount = 0;
  bufCount = 0;
  constructor(readonly kernel: string) {}

  fail(msg: string): never {
    throw new LoopIRError(`kernel '${this.kernel}': ${msg}`);
  }
  /** Compiles `inner` with `name` bound to a fresh register slot. */
  withVar<T>(name: string, type: VType, mutable: boolean, inner: (slot: number) => T): T {
    const prev = this.vars.get(name);
    const slot = this.regCount++;
    this.vars.set(name, { slot, type, mutable });
    try { return inner(slot); } finally { restore(this.vars, name, prev); }
  }
  withBuf<T>(buf: Buffer, inner: (slot: number) => T): T {
    const prev = this.bufs.get(buf.name);
    const slot = this.bufCount++;
    this.bufs.set(buf.name, { slot, buf });
    try { return inner(slot); } finally { restore(this.bufs, buf.name, prev); }
  }
  buffer(buf: Buffer, use: string): BufSlot {
    const b = this.bufs.get(buf.name);
    if (!b) this.fail(`${use} of unknown buffer '${buf.name}'`);
    if (b.buf.elem !== buf.elem) this.fail(`${use} treats buffer '${buf.name}' (${b.buf.elem}) as ${buf.elem}`);
    return b;
  }
}

function restore<T>(m: Map<string, T>, name: string, prev: T | undefined): void {
  if (prev === undefined) m.delete(name); else m.set(name, prev);
}

/** Applies `f` to each lane (vectors are arrays of lanes). */
function lanewise1(f: (a: Scalar) => Scalar, a: Ev, lanes: number): Ev {
  if (lanes === 1) return (c) => f(a(c) as Scalar);
  return (c) => (a(c) as readonly Scalar[]).map(f);
}
function lanewise2(f: BinFn, a: Ev, b: Ev, lanes: number): Ev {
  if (lanes === 1) return (c) => f(a(c) as Scalar, b(c) as Scalar);
  return (c) => {
    const x = a(c) as readonly Scalar[], y = b(c) as readonly Scalar[];
    return x.map((xi, i) => f(xi, y[i]));
  };
}

function opFor<F>(f: F | undefined, s: Scope, what: string, t: ScalarType): F {
  return f ?? s.fail(`${what} is not defined on ${t}`);
}

/**
 * Horizontal reduction by halving: lanes [0, n/2) combine with [n/2, n) until one is left,
 * so f32x4 'add' is (l0+l2)+(l1+l3) — the order a shuffle-based target computes.
 */
function reduceLanes(f: BinFn, x: readonly Scalar[]): Scalar {
  let v = x;
  while (v.length > 1) {
    const h = v.length >> 1;
    v = v.slice(0, h).map((a, i) => f(a, v[i + h]));
  }
  return v[0];
}

function outOfBounds(s: Scope, access: string, buf: Buffer, index: number): never {
  return s.fail(`${access} '${buf.name}' at index ${index} is outside its ${buf.size} elements`);
}

function compileExpr(e: Expr, s: Scope): Ev {
  const t = e.type.scalar, lanes = e.type.lanes;
  switch (e.k) {
    case 'const': {
      const x = constScalar(e.value, t);
      const val: Value = lanes === 1 ? x : new Array<Scalar>(lanes).fill(x);
      return () => val;
    }
    case 'var': {
      const b = s.vars.get(e.name) ?? s.fail(`variable '${e.name}' used where it is not bound`);
      if (b.type.scalar !== t || b.type.lanes !== lanes) {
        s.fail(`variable '${e.name}' is ${fmtType(b.type)} but used as ${fmtType(e.type)}`);
      }
      const slot = b.slot;
      return (c) => c.regs[slot];
    }
    case 'bin': {
      const at = e.a.type.scalar;
      const f = opFor(binFn(e.op, at), s, `'${e.op}'`, at);
      return lanewise2(f, compileExpr(e.a, s), compileExpr(e.b, s), lanes);
    }
    case 'un':
      return lanewise1(opFor(unFn(e.op, t), s, `'${e.op}'`, t), compileExpr(e.a, s), lanes);
    case 'call': {
      const f = opFor(callFn(e.fn, t), s, `intrinsic '${e.fn}'`, t);
      const args = e.args.map((a) => compileExpr(a, s));
      if (lanes === 1) return (c) => f(...args.map((a) => a(c) as Scalar));
      return (c) => {
        const vals = args.map((a) => a(c) as readonly Scalar[]);
        return vals[0].map((_, i) => f(...vals.map((v) => v[i])));
      };
    }
    case 'select': {
      const cond = compileExpr(e.cond, s), a = compileExpr(e.a, s), b = compileExpr(e.b, s);
      if (e.cond.type.lanes === 1) return (c) => (isTruthy(cond(c) as Scalar) ? a(c) : b(c));
      return (c) => {
        const m = cond(c) as readonly Scalar[], x = a(c) as readonly Scalar[], y = b(c) as readonly Scalar[];
        return m.map((mi, i) => (isTruthy(mi) ? x[i] : y[i]));
      };
    }
    case 'cast':
      return lanewise1(castFn(e.a.type.scalar, t), compileExpr(e.a, s), lanes);
    case 'load': {
      const { slot, buf } = s.buffer(e.buf, 'load');
      const index = compileExpr(e.index, s);
      const size = buf.size, half = buf.elem === 'f16';
      const read = (m: Memory, i: number): Scalar => {
        if (!(i >= 0 && i < size)) outOfBounds(s, 'load from', buf, i);
        return half ? Math.fround(float16BitsToNumber(m[i] as number)) : m[i];
      };
      if (lanes === 1) return (c) => read(c.mem[slot], index(c) as number);
      return (c) => {
        const m = c.mem[slot];
        return (index(c) as readonly number[]).map((i) => read(m, i));
      };
    }
    case 'ramp': {
      const add = opFor(binFn('add', t), s, 'ramp', t);
      const offsets = Array.from({ length: lanes }, (_, i) => constScalar(i * e.stride, t));
      const base = compileExpr(e.base, s);
      return (c) => {
        const b = base(c) as Scalar;
        return offsets.map((o) => add(b, o));
      };
    }
    case 'broadcast': {
      const value = compileExpr(e.value, s);
      return (c) => new Array<Scalar>(lanes).fill(value(c) as Scalar);
    }
    case 'lane': {
      const a = compileExpr(e.a, s);
      const lane = e.lane;
      if (typeof lane === 'number') {
        if (lane < 0 || lane >= e.a.type.lanes) s.fail(`lane ${lane} of a ${fmtType(e.a.type)}`);
        return (c) => (a(c) as readonly Scalar[])[lane];
      }
      const f = opFor(binFn(lane, t), s, `lane reduction '${lane}'`, t);
      return (c) => reduceLanes(f, a(c) as readonly Scalar[]);
    }
  }
}

function compileStmt(st: Stmt, s: Scope): Exec {
  switch (st.k) {
    case 'for': {
      const min = compileExpr(st.min, s), extent = compileExpr(st.extent, s);
      return s.withVar(st.v, { scalar: 'i32', lanes: 1 }, false, (slot) => {
        const body = compileStmt(st.body, s);
        return (c) => {
          const lo = min(c) as number, hi = lo + (extent(c) as number);
          for (let i = lo; i < hi; i++) {
            c.regs[slot] = i;
            body(c);
          }
        };
      });
    }
    case 'let': {
      const value = compileExpr(st.value, s);
      return s.withVar(st.v, st.value.type, false, (slot) => {
        const body = compileStmt(st.body, s);
        return (c) => { c.regs[slot] = value(c); body(c); };
      });
    }
    case 'local': {
      const init = compileExpr(st.init, s);
      return s.withVar(st.v, st.type, true, (slot) => {
        const body = compileStmt(st.body, s);
        return (c) => { c.regs[slot] = init(c); body(c); };
      });
    }
    case 'set': {
      const b = s.vars.get(st.v) ?? s.fail(`set of '${st.v}', which is not bound`);
      if (!b.mutable) s.fail(`set of '${st.v}', which is not a local`);
      const value = compileExpr(st.value, s);
      const slot = b.slot;
      return (c) => { c.regs[slot] = value(c); };
    }
    case 'store': {
      const { slot, buf } = s.buffer(st.buf, 'store');
      const index = compileExpr(st.index, s), value = compileExpr(st.value, s);
      const size = buf.size, half = buf.elem === 'f16';
      const write = (m: Memory, i: number, x: Scalar): void => {
        if (!(i >= 0 && i < size)) outOfBounds(s, 'store to', buf, i);
        m[i] = half ? numberToFloat16Bits(x as number) : x;
      };
      if (st.index.type.lanes !== st.value.type.lanes) {
        s.fail(`store to '${buf.name}' of ${fmtType(st.value.type)} at a ${fmtType(st.index.type)} index`);
      }
      if (st.index.type.lanes === 1) return (c) => write(c.mem[slot], index(c) as number, value(c) as Scalar);
      return (c) => {
        const m = c.mem[slot], x = value(c) as readonly Scalar[];
        (index(c) as readonly number[]).forEach((i, l) => write(m, i, x[l]));
      };
    }
    case 'if': {
      const cond = compileExpr(st.cond, s), then = compileStmt(st.then, s);
      const otherwise = st.else ? compileStmt(st.else, s) : undefined;
      return (c) => {
        if (isTruthy(cond(c) as Scalar)) then(c);
        else otherwise?.(c);
      };
    }
    case 'seq': {
      const body = st.body.map((b) => compileStmt(b, s));
      return (c) => { for (const b of body) b(c); };
    }
    case 'alloc': {
      const { elem, size } = st.buf;
      return s.withBuf(st.buf, (slot) => {
        const body = compileStmt(st.body, s);
        return (c) => { c.mem[slot] = new ARRAY_OF[elem](size); body(c); };
      });
    }
  }
}

function checkArray(kernel: Kernel, p: Buffer, a: TypedArray | undefined): void {
  const want = ARRAY_OF[p.elem];
  if (!(a instanceof want)) {
    throw new LoopIRError(`kernel '${kernel.name}': buffer '${p.name}' (${p.elem}) needs ${want.name}, ` +
      `got ${a?.constructor.name ?? 'nothing'}`);
  }
  if (a.length < p.size) {
    throw new LoopIRError(`kernel '${kernel.name}': buffer '${p.name}' declares ${p.size} elements ` +
      `but the array holds ${a.length}`);
  }
}

/** Compiles `kernel` once; the result runs it on one TypedArray per param, in order, in place. */
export function kernelInterpreter(kernel: Kernel): (buffers: readonly TypedArray[]) => void {
  const s = new Scope(kernel.name);
  const body = bindParams(kernel.params, 0, s, () => compileStmt(kernel.body, s));
  return (buffers) => {
    if (buffers.length !== kernel.params.length) {
      throw new LoopIRError(`kernel '${kernel.name}' takes ${kernel.params.length} buffers, got ${buffers.length}`);
    }
    kernel.params.forEach((p, i) => checkArray(kernel, p, buffers[i]));
    const mem: Memory[] = [...buffers];
    try {
      body({ regs: new Array<Value>(s.regCount), mem });
    } catch (err) {
      throw withContext(err, `kernel '${kernel.name}'`);
    }
  };
}

function bindParams(params: readonly Buffer[], i: number, s: Scope, inner: () => Exec): Exec {
  if (i === params.length) return inner();
  if (s.bufs.has(params[i].name)) s.fail(`two params are named '${params[i].name}'`);
  return s.withBuf(params[i], () => bindParams(params, i + 1, s, inner));
}

/** Runs `kernel` on `buffers` (one per param, in order), writing its outputs in place. */
export function interpretKernel(kernel: Kernel, buffers: readonly TypedArray[]): void {
  kernelInterpreter(kernel)(buffers);
}
