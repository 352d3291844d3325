// Loop-IR statements -> the body of one wasm function whose params are the byte addresses of
// the kernel's buffers (then one per scratch `alloc`, in tree order).
import type { Buffer, Expr, Kernel, Stmt, VType } from '../../loop/ir.js';
import { Code } from './code.js';
import { emitF32ToHalf, emitF32x4ToHalf } from './half.js';
import { ELEM_BYTES, ExprLowering, SHAPE, STORE, type IntrinsicProvider, type TargetOptions } from './lower-expr.js';
import type { LaneOp, MemLaneOp, MemOp, ValType } from './opcodes.js';
import { phasesOf } from '../../loop/phases.js';
import { emitChunkBound, type ThreadSupport } from './threads.js';

/** The scratch buffers a kernel allocates, in the order their addresses follow the params. */
export function kernelScratch(kernel: Kernel): readonly Buffer[] {
  const out: Buffer[] = [];
  const walk = (s: Stmt): void => {
    switch (s.k) {
      case 'alloc': out.push(s.buf); walk(s.body); break;
      case 'for': case 'let': case 'local': walk(s.body); break;
      case 'if': walk(s.then); if (s.else) walk(s.else); break;
      case 'seq': s.body.forEach(walk); break;
      case 'set': case 'store': break;
    }
  };
  walk(kernel.body);
  return out;
}

/** Bytes of scratch memory each alloc needs (a plan should align each to 16). */
export function scratchBytes(buf: Buffer): number {
  return buf.size * ELEM_BYTES[buf.elem];
}

class KernelLowering extends ExprLowering {
  private nextScratch: number;
  /** Whether the phase lowered last ran on every thread; undefined before the first. */
  private lastParallel: boolean | undefined;

  constructor(private readonly kernel: Kernel, target: TargetOptions, lib: IntrinsicProvider,
    private readonly threads?: ThreadSupport) {
    const params: ValType[] = [...kernel.params, ...kernelScratch(kernel)].map(() => 'i32');
    super(new Code(params), target, lib, kernel.name);
    kernel.params.forEach((p, i) => {
      if (this.bufs.has(p.name)) this.fail(`two params are named '${p.name}'`);
      this.bufs.set(p.name, i);
    });
    this.nextScratch = kernel.params.length;
  }

  lower(): Code {
    if (this.threads) this.phase(this.kernel.body); else this.stmt(this.kernel.body);
    return this.c;
  }

  /**
   * The body phase by phase (src/loop/phases.ts): a barrier where a parallel phase begins or ends,
   * serial phases on thread 0 only.
   */
  private phase(s: Stmt): void {
    const t = this.threads!;
    if (s.k === 'alloc') return this.withScratch(s, () => this.phase(s.body));
    if (s.k === 'seq') return s.body.forEach((b) => this.phase(b));
    const parallel = phasesOf(s)[0]?.parallel ?? false;
    if (this.lastParallel !== undefined && (this.lastParallel || parallel)) this.c.call(t.barrier);
    this.lastParallel = parallel;
    if (parallel) return this.stmt(s);
    this.c.variable('global.get', t.tid).op('i32.eqz').if();
    this.stmt(s);
    this.c.end();
  }

  private withScratch(s: Extract<Stmt, { k: 'alloc' }>, inner: () => void): void {
    const prev = this.bufs.get(s.buf.name);
    this.bufs.set(s.buf.name, this.nextScratch++);
    inner();
    if (prev !== undefined) this.bufs.set(s.buf.name, prev); else this.bufs.delete(s.buf.name);
  }

  /** Binds `name` to fresh locals of type `t` for the duration of `inner`. */
  private scoped(name: string, t: VType, inner: (locals: readonly number[]) => void): void {
    const prev = this.vars.get(name), prevCounting = this.countingUp.delete(name);
    const locals = this.localsFor(t);
    this.vars.set(name, { type: t, locals });
    inner(locals);
    if (prev) this.vars.set(name, prev); else this.vars.delete(name);
    if (prevCounting) this.countingUp.add(name); else this.countingUp.delete(name);
  }

  /** Evaluates `value` into `locals`: all lanes first, so a value reading the same locals sees old lanes. */
  private assign(locals: readonly number[], value: Expr): void {
    if (locals.length === 1) { this.value(value); this.c.set(locals[0]); return; }
    for (let i = 0; i < locals.length; i++) this.lane(value, i);
    for (let i = locals.length - 1; i >= 0; i--) this.c.set(locals[i]);
  }

  private stmt(s: Stmt): void {
    const c = this.c;
    switch (s.k) {
      case 'seq': s.body.forEach((b) => this.stmt(b)); return;
      case 'for': return this.loop(s);
      case 'let': return this.scoped(s.v, s.value.type, (locals) => {
        this.assign(locals, s.value);
        // a non-negative address base keeps the constant parts of addresses built on it in memarg offsets
        if (s.value.type.scalar === 'i32' && s.value.type.lanes === 1 && this.isNonNegative(s.value)) this.countingUp.add(s.v);
        this.stmt(s.body);
      });
      case 'local': return this.scoped(s.v, s.type, (locals) => { this.assign(locals, s.init); this.stmt(s.body); });
      case 'set': {
        const b = this.vars.get(s.v) ?? this.fail(`set of '${s.v}', which is not bound`);
        return this.assign(b.locals, s.value);
      }
      case 'if':
        this.truthy(s.cond);
        c.if();
        this.stmt(s.then);
        if (s.else) { c.else(); this.stmt(s.else); }
        c.end();
        return;
      case 'alloc': return this.withScratch(s, () => this.stmt(s.body));
      case 'store': return this.store(s.buf, s.index, s.value);
    }
  }

  private loop(s: Extract<Stmt, { k: 'for' }>): void {
    const c = this.c;
    const constExtent = s.extent.k === 'const' ? s.extent.value : undefined;
    if (constExtent !== undefined && constExtent <= 0) return;
    const chunked = s.kind === 'parallel' && this.threads !== undefined;
    this.scoped(s.v, { scalar: 'i32', lanes: 1 }, ([iv]) => {
      // the bound: a constant when min and extent are, else a local computed once
      const constEnd = !chunked && s.min.k === 'const' && constExtent !== undefined ? s.min.value + constExtent : undefined;
      let end = -1;
      if (chunked) {
        // this thread's chunk [min + extent*tid/threads, min + extent*(tid+1)/threads)
        end = this.temp('i32');
        const extent = this.temp('i32');
        this.value(s.extent);
        c.set(extent);
        for (const [at, last] of [[iv, false], [end, true]] as const) {
          emitChunkBound(c, this.threads!, () => c.get(extent), last);
          this.value(s.min);
          c.op('i32.add').set(at);
        }
        this.release('i32', extent);
      } else {
        this.value(s.min);
        c.set(iv);
        if (constEnd === undefined) {
          end = this.temp('i32');
          c.get(iv);
          this.value(s.extent);
          c.op('i32.add').set(end);
        }
      }
      const pushEnd = () => (constEnd === undefined ? c.get(end) : c.i32(constEnd));
      c.block();
      if (chunked || constExtent === undefined) { c.get(iv); pushEnd(); c.op('i32.ge_s').brIf(0); }
      c.loop();
      if (s.min.k === 'const' && s.min.value >= 0) this.countingUp.add(s.v);
      this.stmt(s.body);
      c.get(iv).i32(1).op('i32.add').tee(iv);
      pushEnd();
      c.op('i32.lt_s').brIf(0);
      c.end().end();
      if (end >= 0) this.release('i32', end);
    });
  }

  private store(buf: Buffer, index: Expr, value: Expr): void {
    const c = this.c, lanes = value.type.lanes, size = ELEM_BYTES[buf.elem];
    if (index.type.lanes !== lanes) this.fail(`store to '${buf.name}' of ${lanes} lanes at a ${index.type.lanes}-lane index`);
    const toHalf = () => { if (buf.elem === 'f16') emitF32ToHalf(c, this.temps); };
    if (lanes === 1) {
      this.address(buf, index, (offset) => { this.value(value); toHalf(); c.mem(STORE[buf.elem], offset); });
      return;
    }
    if (this.native(value.type) && buf.elem === 'f16') {
      // four halves rounded at once, then narrowed to 16 bits each (they fit: no saturation)
      const v = this.temp('v128');
      this.value(value);
      emitF32x4ToHalf(c, this.temps);
      c.set(v);
      if (index.k === 'ramp' && index.stride === 1) {
        this.address(buf, index.base, (offset) => { c.get(v).get(v).op('i16x8.narrow_i32x4_u').memLane('v128.store64_lane', 0, offset, 1); });
      } else {
        for (let i = 0; i < lanes; i++) {
          this.address(buf, index, (offset) => { c.get(v).lane('i32x4.extract_lane', i).mem('i32.store16', offset); }, i);
        }
      }
      this.release('v128', v);
      return;
    }
    if (this.native(value.type) && buf.elem !== 'f16') {
      if (index.k === 'ramp' && index.stride === 1 && size * lanes === 16) {
        this.address(buf, index.base, (offset) => { this.value(value); c.mem('v128.store', offset, Math.log2(size)); });
        return;
      }
      // lane stores from one computed vector
      const v = this.temp('v128');
      this.value(value);
      c.set(v);
      const bits = size * 8;
      for (let i = 0; i < lanes; i++) {
        if (size * lanes === 16) {
          this.address(buf, index, (offset) => { c.get(v).memLane(`v128.store${bits}_lane` as MemLaneOp, i, offset); }, i);
        } else {
          this.address(buf, index, (offset) => {
            c.get(v).lane(`${SHAPE[value.type.scalar]}.extract_lane` as LaneOp, i).mem(STORE[buf.elem] as MemOp, offset);
          }, i);
        }
      }
      this.release('v128', v);
      return;
    }
    this.withLaneMasks(value, () => {
      for (let i = 0; i < lanes; i++) {
        this.address(buf, index, (offset) => { this.lane(value, i); toHalf(); c.mem(STORE[buf.elem], offset); }, i);
      }
    });
  }
}

/** One wasm function body for `kernel`; with `threads`, run by every thread (SPMD, src/loop/phases.ts). */
export function lowerKernel(kernel: Kernel, target: TargetOptions, lib: IntrinsicProvider, threads?: ThreadSupport): Code {
  return new KernelLowering(kernel, target, lib, threads).lower();
}
