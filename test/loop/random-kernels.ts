// Random small well-formed kernels (loops of extent 0..4, lets, locals, ifs, selects, index
// arithmetic with floordiv/floormod, read-modify-write stores) for differential tests of passes.
import {
  add, bin, cast, cnst, F32, fconst, load, loop, mul, select, seq, store, sub, v,
  type Buffer, type Expr, type Kernel, type Stmt,
} from '../../src/loop/ir.js';
import { interpretKernel, type TypedArray } from '../../src/loop/interpret.js';

const IN: Buffer = { name: 'IN', elem: 'f32', size: 16 };
const INI: Buffer = { name: 'INI', elem: 'i32', size: 16 };
const OUT: Buffer = { name: 'OUT', elem: 'f32', size: 24 };
const OUTI: Buffer = { name: 'OUTI', elem: 'i32', size: 24 };
export const RANDOM_PARAMS: readonly Buffer[] = [IN, INI, OUT, OUTI];

class Gen {
  private names = 0;
  private readonly ints: string[] = [];
  private readonly floats: string[] = [];
  private readonly locals: string[] = [];
  constructor(private readonly next: () => number) {}

  private pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  private small(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }

  int(depth: number): Expr {
    const r = this.next();
    if (depth <= 0 || r < 0.25) return this.ints.length && r < 0.18 ? v(this.pick(this.ints)) : cnst(this.small(-3, 9));
    const a = () => this.int(depth - 1);
    if (r < 0.45) return add(a(), a());
    if (r < 0.55) return sub(a(), a());
    if (r < 0.68) return mul(a(), cnst(this.small(-2, 8)));
    if (r < 0.78) return bin(this.pick(['floordiv', 'floormod'] as const), a(), cnst(this.pick([1, 2, 3, 4, 8, -3])));
    if (r < 0.83) return bin(this.pick(['min', 'max'] as const), a(), a());
    if (r < 0.88) return select(this.cond(depth - 1), a(), a());
    if (r < 0.94) return load(INI, this.index(INI, depth - 1));
    return bin(this.pick(['lt', 'le', 'eq', 'ne', 'gt', 'ge'] as const), a(), a());
  }

  private cond(depth: number): Expr {
    return bin(this.pick(['lt', 'le', 'eq', 'ne', 'gt', 'ge'] as const), this.int(depth), this.int(depth));
  }

  private index(b: Buffer, depth: number): Expr {
    return bin('floormod', this.int(depth), cnst(b.size));
  }

  float(depth: number): Expr {
    const r = this.next();
    if (depth <= 0 || r < 0.2) {
      if (this.floats.length && r < 0.1) return v(this.pick(this.floats), F32);
      return r < 0.15 ? fconst(this.pick([0, 1, -0, 0.5, -2.25])) : load(IN, this.index(IN, depth - 1));
    }
    const f = () => this.float(depth - 1);
    if (r < 0.45) return bin(this.pick(['add', 'sub', 'mul'] as const), f(), f());
    if (r < 0.55) return mul(f(), fconst(1));
    if (r < 0.65) return cast(this.int(depth - 1), 'f32');
    if (r < 0.75) return select(this.cond(depth - 1), f(), f());
    if (r < 0.85 && this.locals.length) return v(this.pick(this.locals), F32);
    return load(IN, this.index(IN, depth - 1));
  }

  private fresh(prefix: string): string { return `${prefix}${this.names++}`; }

  private scoped(list: string[], name: string, inner: () => Stmt): Stmt {
    list.push(name);
    try { return inner(); } finally { list.pop(); }
  }

  stmt(depth: number): Stmt {
    const r = this.next();
    const d = depth - 1;
    if (depth <= 0 || r < 0.2) {
      if (this.locals.length && r < 0.12) {
        const acc = this.pick(this.locals);
        return { k: 'set', v: acc, value: mul(v(acc, F32), this.float(1)) };
      }
      return r < 0.1 ? store(OUT, this.index(OUT, 2), add(load(OUT, this.index(OUT, 1)), this.float(2)))
        : store(OUTI, this.index(OUTI, 2), this.int(2));
    }
    if (r < 0.45) {
      const name = this.fresh('i'), extent = this.pick([0, 1, 2, 3, 4]), min = this.pick([0, 0, 1, -2]);
      return loop(name, extent, this.scoped(this.ints, name, () => this.stmt(d)), 'serial', min);
    }
    if (r < 0.55) {
      const name = this.fresh('n');
      return { k: 'let', v: name, value: this.int(2), body: this.scoped(this.ints, name, () => this.stmt(d)) };
    }
    if (r < 0.62) {
      const name = this.fresh('x');
      return { k: 'let', v: name, value: this.float(2), body: this.scoped(this.floats, name, () => this.stmt(d)) };
    }
    if (r < 0.72) {
      const name = this.fresh('acc');
      return {
        k: 'local', v: name, type: F32, init: this.float(1), body: this.scoped(this.locals, name, () => seq(
          this.stmt(d), { k: 'set', v: name, value: add(v(name, F32), this.float(2)) },
          store(OUT, this.index(OUT, 2), v(name, F32)))),
      };
    }
    if (r < 0.82) return { k: 'if', cond: this.cond(2), then: this.stmt(d), ...(this.next() < 0.5 ? { else: this.stmt(d) } : {}) };
    return seq(this.stmt(d), this.stmt(d), ...(this.next() < 0.5 ? [this.stmt(d)] : []));
  }
}

export function randomKernel(next: () => number, depth = 4): Kernel {
  return { name: 'random', params: RANDOM_PARAMS, body: new Gen(next).stmt(depth) };
}

/** Fresh random inputs and zeroed outputs for RANDOM_PARAMS. */
export function randomBuffers(next: () => number): TypedArray[] {
  return [
    Float32Array.from({ length: IN.size }, () => Math.fround(next() * 8 - 4)),
    Int32Array.from({ length: INI.size }, () => Math.floor(next() * 40) - 20),
    new Float32Array(OUT.size), new Int32Array(OUTI.size),
  ];
}

/** Runs `k` on copies of `buffers`; returns the outputs (or the error message it raised). */
export function runOn(k: Kernel, buffers: readonly TypedArray[]): TypedArray[] | string {
  const copies = buffers.map((b) => b.slice() as TypedArray);
  try { interpretKernel(k, copies); } catch (e) { return (e as Error).message; }
  return copies;
}
