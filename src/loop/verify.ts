// Checks a kernel is well formed before any pass or code generator trusts it: names bound
// before use and never shadowed, types consistent at every node, ops defined on their types.
import type { Buffer, Expr, Kernel, Stmt, VType } from './ir.js';
import { computeType, fmtType } from './ir.js';
import { LoopIRError } from './errors.js';
import { checkParallelPlacement } from './phases.js';
import { binFn, callFn, intrinsicArity, unFn } from './semantics.js';
import { printExpr, printStmt } from './print.js';

const LANES = new Set([1, 2, 4, 8, 16]);
const STMT_KINDS = new Set<string>(['for', 'let', 'local', 'set', 'store', 'if', 'seq', 'alloc']);
const sameType = (a: VType, b: VType) => a.scalar === b.scalar && a.lanes === b.lanes;
const isI32 = (t: VType) => t.scalar === 'i32';

/** Short text of a node for messages. */
function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

interface Binding { readonly type: VType; readonly mutable: boolean }

class Verifier {
  private readonly vars = new Map<string, Binding>();
  private readonly bufs = new Map<string, Buffer>();

  constructor(private readonly kernel: string) {}

  /** `at` is printed only on failure: printing every node up front would be quadratic. */
  private fail(msg: string, at: Expr | Stmt | string): never {
    const text = typeof at === 'string' ? at : STMT_KINDS.has(at.k) ? printStmt(at as Stmt) : printExpr(at as Expr);
    throw new LoopIRError(`kernel '${this.kernel}': ${msg} in \`${snippet(text)}\`; fix the pass that built it`);
  }

  private bindVar(name: string, b: Binding, at: Stmt | string, inner: () => void): void {
    if (this.vars.has(name)) this.fail(`'${name}' shadows an enclosing binding`, at);
    this.vars.set(name, b);
    inner();
    this.vars.delete(name);
  }

  bindBuf(buf: Buffer, at: Stmt | string, inner: () => void): void {
    if (this.bufs.has(buf.name)) this.fail(`buffer '${buf.name}' is declared twice`, at);
    if (!Number.isInteger(buf.size) || buf.size < 0) this.fail(`buffer '${buf.name}' has size ${buf.size}`, at);
    this.bufs.set(buf.name, buf);
    inner();
    this.bufs.delete(buf.name);
  }

  private buffer(buf: Buffer, at: Expr | Stmt): Buffer {
    const b = this.bufs.get(buf.name) ?? this.fail(`buffer '${buf.name}' is not a param or alloc`, at);
    if (b.elem !== buf.elem) this.fail(`buffer '${buf.name}' is ${b.elem} but accessed as ${buf.elem}`, at);
    return b;
  }

  /** An index of `lanes` lanes into `buf`; a constant one must be in bounds. */
  private index(buf: Buffer, index: Expr, lanes: number, at: Expr | Stmt): void {
    this.expr(index);
    if (!isI32(index.type) || index.type.lanes !== lanes) {
      this.fail(`index of '${buf.name}' is ${fmtType(index.type)}, expected i32${lanes > 1 ? `x${lanes}` : ''}`, at);
    }
    if (index.k === 'const' && !(index.value >= 0 && index.value < buf.size)) {
      this.fail(`index ${index.value} is outside '${buf.name}' (${buf.size} elements)`, at);
    }
  }

  expr(e: Expr): void {
    const at = e;
    const t = e.type;
    if (!LANES.has(t.lanes)) this.fail(`${t.lanes} lanes`, at);
    const expect = (want: VType, what: string) => {
      if (!sameType(t, want)) this.fail(`${what} should be ${fmtType(want)}, is ${fmtType(t)}`, at);
    };
    switch (e.k) {
      case 'const':
        if (t.scalar[0] === 'i' && !Number.isInteger(e.value)) this.fail(`${t.scalar} constant ${e.value}`, at);
        return;
      case 'var': {
        const b = this.vars.get(e.name) ?? this.fail(`'${e.name}' is used where it is not bound`, at);
        return expect(b.type, `'${e.name}'`);
      }
      case 'bin': {
        this.expr(e.a); this.expr(e.b);
        if (!sameType(e.a.type, e.b.type)) this.fail(`${e.op} of ${fmtType(e.a.type)} and ${fmtType(e.b.type)}`, at);
        if (!binFn(e.op, e.a.type.scalar)) this.fail(`${e.op} is not defined on ${e.a.type.scalar}`, at);
        const compare = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.op);
        return expect(compare ? { scalar: 'i32', lanes: e.a.type.lanes } : e.a.type, 'the result');
      }
      case 'un':
        this.expr(e.a);
        if (!unFn(e.op, e.a.type.scalar)) this.fail(`${e.op} is not defined on ${e.a.type.scalar}`, at);
        return expect(e.a.type, 'the result');
      case 'call':
        if (e.args.length !== intrinsicArity(e.fn)) this.fail(`${e.fn} takes ${intrinsicArity(e.fn)} arguments`, at);
        if (!callFn(e.fn, t.scalar)) this.fail(`${e.fn} is not defined on ${t.scalar}`, at);
        for (const a of e.args) {
          this.expr(a);
          if (!sameType(a.type, t)) this.fail(`${e.fn} argument is ${fmtType(a.type)}, expected ${fmtType(t)}`, at);
        }
        return;
      case 'select':
        this.expr(e.cond); this.expr(e.a); this.expr(e.b);
        if (!isI32(e.cond.type) || (e.cond.type.lanes !== 1 && e.cond.type.lanes !== t.lanes)) {
          this.fail(`select condition is ${fmtType(e.cond.type)}`, at);
        }
        expect(e.a.type, 'the result');
        return expect(e.b.type, 'the result');
      case 'cast':
        this.expr(e.a);
        if (e.a.type.lanes !== t.lanes) this.fail(`cast changes lanes ${e.a.type.lanes} -> ${t.lanes}`, at);
        return;
      case 'load': {
        const b = this.buffer(e.buf, at);
        this.index(b, e.index, t.lanes, at);
        return expect({ scalar: computeType(b.elem), lanes: t.lanes }, 'the loaded value');
      }
      case 'ramp':
        this.expr(e.base);
        if (e.base.type.lanes !== 1 || e.base.type.scalar[0] !== 'i') this.fail(`ramp base is ${fmtType(e.base.type)}`, at);
        if (!Number.isInteger(e.stride)) this.fail(`ramp stride ${e.stride}`, at);
        if (t.lanes < 2) this.fail('a ramp of one lane', at);
        return expect({ scalar: e.base.type.scalar, lanes: t.lanes }, 'the ramp');
      case 'broadcast':
        this.expr(e.value);
        if (e.value.type.lanes !== 1) this.fail(`broadcast of a ${fmtType(e.value.type)}`, at);
        return expect({ scalar: e.value.type.scalar, lanes: t.lanes }, 'the broadcast');
      case 'lane':
        this.expr(e.a);
        if (e.a.type.lanes < 2) this.fail('lane of a scalar', at);
        if (typeof e.lane === 'number' && !(Number.isInteger(e.lane) && e.lane >= 0 && e.lane < e.a.type.lanes)) {
          this.fail(`lane ${e.lane} of ${fmtType(e.a.type)}`, at);
        }
        if (typeof e.lane === 'string' && !binFn(e.lane, t.scalar)) this.fail(`reduce_${e.lane} on ${t.scalar}`, at);
        return expect({ scalar: e.a.type.scalar, lanes: 1 }, 'the lane');
    }
  }

  stmt(s: Stmt): void {
    switch (s.k) {
      case 'for':
        this.expr(s.min); this.expr(s.extent);
        if (!isI32(s.min.type) || s.min.type.lanes !== 1 || !isI32(s.extent.type) || s.extent.type.lanes !== 1) {
          this.fail(`loop '${s.v}' bounds must be scalar i32`, s);
        }
        return this.bindVar(s.v, { type: { scalar: 'i32', lanes: 1 }, mutable: false }, s, () => this.stmt(s.body));
      case 'let':
        this.expr(s.value);
        return this.bindVar(s.v, { type: s.value.type, mutable: false }, s, () => this.stmt(s.body));
      case 'local':
        this.expr(s.init);
        if (!sameType(s.init.type, s.type)) this.fail(`local '${s.v}' is ${fmtType(s.type)} but starts as ${fmtType(s.init.type)}`, s);
        return this.bindVar(s.v, { type: s.type, mutable: true }, s, () => this.stmt(s.body));
      case 'set': {
        const b = this.vars.get(s.v) ?? this.fail(`set of '${s.v}', which is not bound`, s);
        if (!b.mutable) this.fail(`set of '${s.v}', which is not a local`, s);
        this.expr(s.value);
        if (!sameType(s.value.type, b.type)) this.fail(`'${s.v}' is ${fmtType(b.type)}, set to ${fmtType(s.value.type)}`, s);
        return;
      }
      case 'store': {
        const b = this.buffer(s.buf, s);
        this.expr(s.value);
        this.index(b, s.index, s.value.type.lanes, s);
        if (s.value.type.scalar !== computeType(b.elem)) {
          this.fail(`stores ${fmtType(s.value.type)} into ${b.elem} '${b.name}'`, s);
        }
        return;
      }
      case 'if':
        this.expr(s.cond);
        if (!isI32(s.cond.type) || s.cond.type.lanes !== 1) this.fail(`if condition is ${fmtType(s.cond.type)}`, s);
        this.stmt(s.then);
        if (s.else) this.stmt(s.else);
        return;
      case 'seq':
        for (const b of s.body) this.stmt(b);
        return;
      case 'alloc':
        return this.bindBuf(s.buf, s, () => this.stmt(s.body));
    }
  }
}

/** Throws a LoopIRError naming the first problem in `kernel`. */
export function verifyKernel(kernel: Kernel): void {
  const v = new Verifier(kernel.name);
  const bindAll = (i: number): void => {
    if (i === kernel.params.length) return v.stmt(kernel.body);
    v.bindBuf(kernel.params[i], `param ${kernel.params[i].name}`, () => bindAll(i + 1));
  };
  bindAll(0);
  checkParallelPlacement(kernel.name, kernel.body);
}
