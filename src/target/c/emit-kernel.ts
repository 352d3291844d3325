// One loop-IR kernel as a C function: params and scratch buffers as typed pointers, loops as C
// loops (parallel and vectorized loops left serial run serially), lets and locals as block-scoped
// variables, vector loads and stores of contiguous ramps through memcpy (no alignment assumed).
import type { Buffer, ElemType, Expr, Kernel, Stmt, VType } from '../../loop/ir.js';
import { computeType, fmtType, vec } from '../../loop/ir.js';
import { kernelScratch } from '../wasm/lower-kernel.js';
import { C_SCALAR } from './prelude.js';
import { C_ELEM, CDefinitions, literal, scalarBin, scalarCall, scalarCast, scalarUn } from './emit-expr.js';

const NATIVE_FLOAT_VECTOR = new Set(['add', 'sub', 'mul', 'div']);
const NATIVE_INT_VECTOR = new Set(['and', 'or', 'xor']);

/** Element types whose register value is the memory value (no widening or half conversion). */
const sameWidth = (e: ElemType) => computeType(e) === e;

/** The element as its register value (narrow ints widen, halves convert). */
function widen(e: ElemType, x: string): string {
  if (e === 'f16') return `kiln_half_to_f32(${x})`;
  return sameWidth(e) ? x : `(int32_t)${x}`;
}
/** A register value as memory element `e`. */
function narrow(e: ElemType, x: string): string {
  if (e === 'f16') return `kiln_f32_to_half(${x})`;
  return sameWidth(e) ? x : `(${C_ELEM[e]})${x}`;
}

export class KernelEmitter {
  private readonly names = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(private readonly defs: CDefinitions) {}

  /** The C function `name` computing `k`; `comment` heads it. */
  emit(k: Kernel, name: string, comment: string): string {
    const bufs = [...k.params, ...kernelScratch(k)];
    const written = new Set<string>();
    const collect = (s: Stmt): void => {
      if (s.k === 'store') written.add(s.buf.name);
      if ('body' in s) (Array.isArray(s.body) ? s.body : [s.body]).forEach(collect);
      if (s.k === 'if') { collect(s.then); if (s.else) collect(s.else); }
    };
    collect(k.body);
    // a random or degenerate kernel may leave a buffer untouched
    const params = bufs.map((b) => `${written.has(b.name) ? '' : 'const '}${C_ELEM[b.elem]} *${this.bufName(b)} __attribute__((unused))`);
    return `/* ${comment} */\nstatic void ${name}(${params.join(', ')}) {\n${this.stmt(k.body, '  ')}}\n`;
  }

  private cName(irName: string, prefix: string): string {
    const known = this.names.get(`${prefix}:${irName}`);
    if (known) return known;
    const base = `${prefix}_${irName.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    this.names.set(`${prefix}:${irName}`, name);
    return name;
  }
  private bufName(b: Buffer): string { return this.cName(b.name, 'b'); }
  private varName(v: string): string { return this.cName(v, 'v'); }

  private stmt(s: Stmt, ind: string): string {
    const inner = `${ind}  `;
    switch (s.k) {
      case 'for': {
        const v = this.varName(s.v);
        return `${ind}for (int32_t ${v} = ${this.expr(s.min)}, ${v}_end = ${v} + ${this.expr(s.extent)}; ${v} < ${v}_end; ${v}++) {\n`
          + `${this.stmt(s.body, inner)}${ind}}\n`;
      }
      case 'let':
        return `${ind}{\n${inner}const ${this.defs.type(s.value.type)} ${this.varName(s.v)} __attribute__((unused)) = ${this.expr(s.value)};\n`
          + `${this.stmt(s.body, inner)}${ind}}\n`;
      case 'local':
        return `${ind}{\n${inner}${this.defs.type(s.type)} ${this.varName(s.v)} __attribute__((unused)) = ${this.expr(s.init)};\n`
          + `${this.stmt(s.body, inner)}${ind}}\n`;
      case 'set':
        return `${ind}${this.varName(s.v)} = ${this.expr(s.value)};\n`;
      case 'store':
        return `${ind}${this.store(s.buf, s.index, s.value)};\n`;
      case 'if':
        return `${ind}if (${this.expr(s.cond)} != 0) {\n${this.stmt(s.then, inner)}${ind}}`
          + (s.else ? ` else {\n${this.stmt(s.else, inner)}${ind}}\n` : '\n');
      case 'seq':
        return s.body.map((b) => this.stmt(b, ind)).join('');
      case 'alloc':
        // scratch buffers are params (the memory plan places them); nothing to declare
        return this.stmt(s.body, ind);
    }
  }

  private store(buf: Buffer, index: Expr, value: Expr): string {
    const p = this.bufName(buf);
    const lanes = value.type.lanes;
    if (lanes === 1) return `${p}[${this.expr(index)}] = ${narrow(buf.elem, this.expr(value))}`;
    const vt = this.defs.type(value.type);
    if (index.k === 'ramp' && index.stride === 1 && sameWidth(buf.elem)) {
      const name = this.defs.helper(`kiln_store_${fmtType(value.type)}`, () =>
        `static inline void kiln_store_${fmtType(value.type)}(${C_ELEM[buf.elem]} *p, ${vt} v) { memcpy(p, &v, sizeof v); }`);
      return `${name}(${p} + ${this.expr(index.base)}, ${this.expr(value)})`;
    }
    const it = this.defs.type(index.type);
    const name = this.defs.helper(`kiln_scatter_${buf.elem}_${fmtType(value.type)}`, () =>
      `static inline void kiln_scatter_${buf.elem}_${fmtType(value.type)}(${C_ELEM[buf.elem]} *p, ${it} idx, ${vt} v) {\n`
      + `  for (int i = 0; i < ${lanes}; i++) p[idx[i]] = ${narrow(buf.elem, 'v[i]')};\n}`);
    return `${name}(${p}, ${this.expr(index)}, ${this.expr(value)})`;
  }

  expr(e: Expr): string {
    const t = e.type;
    if (t.lanes === 1) return this.scalarExpr(e);
    const d = this.defs;
    switch (e.k) {
      case 'const': return this.splat(t, literal(e.value, t.scalar));
      case 'var': return this.varName(e.name);
      case 'broadcast': return this.splat(t, this.expr(e.value));
      case 'ramp': {
        const name = d.laneWise('ramp', t, [vec(t.scalar, 1), vec(t.scalar, 1)], ([base, stride]) => scalarBin('add', t.scalar, base, scalarBin('mul', t.scalar, stride, `((${C_SCALAR[t.scalar]})i)`)));
        return `${name}(${this.expr(e.base)}, ${literal(e.stride, t.scalar)})`;
      }
      case 'bin': {
        const at = e.a.type.scalar;
        const float = at === 'f32' || at === 'f64';
        const native = float ? NATIVE_FLOAT_VECTOR.has(e.op) : NATIVE_INT_VECTOR.has(e.op) || ((at === 'u32' || at === 'u64') && ['add', 'sub', 'mul'].includes(e.op));
        const sym = { add: '+', sub: '-', mul: '*', div: '/', and: '&', or: '|', xor: '^' } as Record<string, string>;
        if (native) return `(${this.expr(e.a)} ${sym[e.op]} ${this.expr(e.b)})`;
        return `${d.laneWise(e.op, t, [e.a.type, e.b.type], ([a, b]) => scalarBin(e.op, at, a, b))}(${this.expr(e.a)}, ${this.expr(e.b)})`;
      }
      case 'un':
        if (e.op === 'neg' && (t.scalar === 'f32' || t.scalar === 'f64')) return `(-${this.expr(e.a)})`;
        return `${d.laneWise(e.op, t, [e.a.type], ([a]) => scalarUn(e.op, t.scalar, a))}(${this.expr(e.a)})`;
      case 'call':
        return `${d.laneWise(e.fn, t, e.args.map((a) => a.type), (args) => scalarCall(e.fn, t.scalar, args))}(${e.args.map((a) => this.expr(a)).join(', ')})`;
      case 'select':
        return `${d.laneWise('select', t, [e.cond.type, e.a.type, e.b.type], ([c, a, b]) => `(${c} != 0 ? ${a} : ${b})`)}(${this.expr(e.cond)}, ${this.expr(e.a)}, ${this.expr(e.b)})`;
      case 'cast':
        return `${d.laneWise(`cast_${e.a.type.scalar}`, t, [e.a.type], ([a]) => scalarCast(e.a.type.scalar, t.scalar, a))}(${this.expr(e.a)})`;
      case 'load': return this.vectorLoad(e as Extract<Expr, { k: 'load' }>);
      case 'lane': throw new TypeError(`C target: a lane of a vector is a scalar, got ${fmtType(t)}`);
    }
  }

  private splat(t: VType, x: string): string {
    const vt = this.defs.type(t);
    const name = this.defs.helper(`kiln_splat_${fmtType(t)}`, () =>
      `static inline ${vt} kiln_splat_${fmtType(t)}(${this.defs.type(vec(t.scalar, 1))} x) {\n  ${vt} r = { ${Array(t.lanes).fill('x').join(', ')} };\n  return r;\n}`);
    return `${name}(${x})`;
  }

  private vectorLoad(e: Extract<Expr, { k: 'load' }>): string {
    const t = e.type, vt = this.defs.type(t), p = this.bufName(e.buf), elem = e.buf.elem;
    if (e.index.k === 'broadcast') return this.splat(t, widen(elem, `${p}[${this.expr(e.index.value)}]`));
    if (e.index.k === 'ramp' && e.index.stride === 1 && sameWidth(elem)) {
      const name = this.defs.helper(`kiln_load_${fmtType(t)}`, () =>
        `static inline ${vt} kiln_load_${fmtType(t)}(const ${C_ELEM[elem]} *p) {\n  ${vt} v;\n  memcpy(&v, p, sizeof v);\n  return v;\n}`);
      return `${name}(${p} + ${this.expr(e.index.base)})`;
    }
    const it = this.defs.type(e.index.type);
    const name = this.defs.helper(`kiln_gather_${elem}_${fmtType(t)}`, () =>
      `static inline ${vt} kiln_gather_${elem}_${fmtType(t)}(const ${C_ELEM[elem]} *p, ${it} idx) {\n  ${vt} r;\n`
      + `  for (int i = 0; i < ${t.lanes}; i++) r[i] = ${widen(elem, 'p[idx[i]]')};\n  return r;\n}`);
    return `${name}(${p}, ${this.expr(e.index)})`;
  }

  private scalarExpr(e: Expr): string {
    const t = e.type.scalar;
    switch (e.k) {
      case 'const': return literal(e.value, t);
      case 'var': return this.varName(e.name);
      case 'bin': return scalarBin(e.op, e.a.type.scalar, this.expr(e.a), this.expr(e.b));
      case 'un': return scalarUn(e.op, t, this.expr(e.a));
      case 'call': return scalarCall(e.fn, t, e.args.map((a) => this.expr(a)));
      case 'select': return `(${this.expr(e.cond)} != 0 ? ${this.expr(e.a)} : ${this.expr(e.b)})`;
      case 'cast': return scalarCast(e.a.type.scalar, t, this.expr(e.a));
      case 'load': return widen(e.buf.elem, `${this.bufName(e.buf)}[${this.expr(e.index)}]`);
      case 'lane': {
        if (typeof e.lane === 'number') return `(${this.expr(e.a)})[${e.lane}]`;
        const at = e.a.type, op = e.lane;
        const name = this.defs.helper(`kiln_reduce_${op}_${fmtType(at)}`, () =>
          `static inline ${this.defs.type(e.type)} kiln_reduce_${op}_${fmtType(at)}(${this.defs.type(at)} v) {\n`
          + `  for (int h = ${at.lanes / 2}; h >= 1; h /= 2)\n    for (int i = 0; i < h; i++) v[i] = ${scalarBin(op, at.scalar, 'v[i]', 'v[i + h]')};\n  return v[0];\n}`);
        return `${name}(${this.expr(e.a)})`;
      }
      case 'ramp': case 'broadcast': throw new TypeError(`C target: a one-lane ${e.k}`);
    }
  }
}
