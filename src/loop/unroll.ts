// Legalisation for code generators: an 'unrolled' loop of constant extent becomes one copy of
// its body per iteration with the loop variable replaced by its value; the others turn serial.
import type { Stmt } from './ir.js';
import { cnst } from './ir.js';
import { simplifyExpr } from './simplify-expr.js';
import { simplifyStmt } from './simplify.js';
import { mapStmt, substitute } from './visit.js';

function unrollIn(s: Stmt): Stmt {
  const inner = mapStmt(s, (e) => e, unrollIn);
  if (inner.k !== 'for' || inner.kind !== 'unrolled') return inner;
  const extent = simplifyExpr(inner.extent);
  if (extent.k !== 'const') return { ...inner, kind: 'serial' };
  const copies = Array.from({ length: Math.max(extent.value, 0) },
    (_, i) => substitute(inner.body, inner.v, simplifyExpr({ k: 'bin', type: inner.min.type, op: 'add', a: inner.min, b: cnst(i) })));
  return { k: 'seq', body: copies };
}

/**
 * Replaces every 'unrolled' loop of constant extent by copies of its body, then simplifies
 * (the copies' indices fold). Copies are siblings, so names bound inside repeat without shadowing.
 */
export function unrollLoops(s: Stmt): Stmt {
  return simplifyStmt(unrollIn(s));
}
