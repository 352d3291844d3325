// Kernels in a form where equal loop nests are equal data: unread params dropped and buffers and
// variables renamed by position, so the code generator emits one function for all of them.
import type { Buffer, Expr, Kernel, Stmt } from '../loop/ir.js';
import { forEachInStmt, mapChildren, mapStmt } from '../loop/visit.js';

/**
 * The kernel without the input params (the first `inputs`) its body never loads — constants
 * the lowering read at compile time (pads, shapes, starts) — and the indices of the params kept.
 */
export function dropUnreadInputs(k: Kernel, inputs: number): { readonly kernel: Kernel; readonly kept: readonly number[] } {
  const loaded = new Set<string>();
  forEachInStmt(k.body, (e) => { if (e.k === 'load') loaded.add(e.buf.name); });
  const kept = k.params.flatMap((p, i) => (i >= inputs || loaded.has(p.name) ? [i] : []));
  return { kernel: kept.length === k.params.length ? k : { ...k, params: kept.map((i) => k.params[i]) }, kept };
}

/**
 * `k` with params named p0.., scratch buffers s0.. and bound variables v0.. in tree order.
 * Loop-IR names are never shadowed, so one map per kind renames consistently.
 */
export function canonicalKernel(k: Kernel): Kernel {
  const bufs = new Map<string, string>(k.params.map((p, i) => [p.name, `p${i}`]));
  const vars = new Map<string, string>();
  forEachInStmt(k.body, () => {}, (s) => {
    if (s.k === 'alloc' && !bufs.has(s.buf.name)) bufs.set(s.buf.name, `s${bufs.size - k.params.length}`);
    if ((s.k === 'for' || s.k === 'let' || s.k === 'local') && !vars.has(s.v)) vars.set(s.v, `v${vars.size}`);
  });
  const buf = (b: Buffer): Buffer => ({ ...b, name: bufs.get(b.name) ?? b.name });
  const expr = (e: Expr): Expr => {
    if (e.k === 'var') return { ...e, name: vars.get(e.name) ?? e.name };
    const mapped = mapChildren(e, expr);
    return mapped.k === 'load' ? { ...mapped, buf: buf(mapped.buf) } : mapped;
  };
  const stmt = (s: Stmt): Stmt => {
    const mapped = mapStmt(s, expr, stmt);
    switch (mapped.k) {
      case 'for': case 'let': case 'local': case 'set': return { ...mapped, v: vars.get(mapped.v) ?? mapped.v };
      case 'store': case 'alloc': return { ...mapped, buf: buf(mapped.buf) };
      default: return mapped;
    }
  };
  return { name: k.name, params: k.params.map(buf), body: stmt(k.body) };
}
