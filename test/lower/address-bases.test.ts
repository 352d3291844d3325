// Register-tile loads address memory from bases hoisted out of the reduction: one base per input
// row and weight block, the loop variables' terms after it, the tile's offsets as constants.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr, Stmt } from '../../src/loop/ir.js';
import { forEachExpr } from '../../src/loop/visit.js';
import { checkOp } from './check.js';

/** Every load inside the loop over `loopVar`, by buffer: the distinct non-constant parts of their addresses. */
function addressesIn(s: Stmt, loopVar: string, inside = false, out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  const visit = (e: Expr) => forEachExpr(e, (x) => {
    if (!inside || x.k !== 'load') return;
    const scalar = x.index.k === 'ramp' ? x.index.base : x.index.k === 'broadcast' ? x.index.value : x.index;
    const base = scalar.k === 'bin' && scalar.op === 'add' && scalar.b.k === 'const' ? scalar.a : scalar;
    const seen = out.get(x.buf.name) ?? new Set<string>();
    out.set(x.buf.name, seen.add(JSON.stringify(base)));
  });
  switch (s.k) {
    case 'for': addressesIn(s.body, loopVar, inside || s.v.endsWith(loopVar), out); break;
    case 'let': visit(s.value); addressesIn(s.body, loopVar, inside, out); break;
    case 'local': case 'alloc': addressesIn(s.body, loopVar, inside, out); break;
    case 'set': visit(s.value); break;
    case 'seq': s.body.forEach((b) => addressesIn(b, loopVar, inside, out)); break;
    default: break;
  }
  return out;
}

/** The lets bound outside the loop over `loopVar` whose names say they are address bases. */
function basesOutside(s: Stmt, loopVar: string): string[] {
  switch (s.k) {
    case 'for': return s.v.endsWith(loopVar) ? [] : basesOutside(s.body, loopVar);
    case 'let': return [...(s.v.includes('_Base') ? [s.v] : []), ...basesOutside(s.body, loopVar)];
    case 'local': case 'alloc': return basesOutside(s.body, loopVar);
    case 'seq': return s.body.flatMap((b) => basesOutside(b, loopVar));
    default: return [];
  }
}

const conv = (x: number[], w: number[]) => [{ shape: x }, { shape: w, constant: true }, { shape: [w[0]], constant: true }];

describe('hoisted address bases', () => {
  it('a 3x3 conv tile reads the padded input and the packed weights each through one address', () => {
    const { kernel } = checkOp('Conv', { pads: [1, 1, 1, 1] }, conv([1, 6, 9, 16], [8, 6, 3, 3]));
    const byBuffer = addressesIn(kernel.body, '_c');
    assert.deepEqual([...byBuffer.keys()].sort(), ['x1', 'y_pad']);
    for (const [buf, bases] of byBuffer) assert.equal(bases.size, 1, `${buf}: ${[...bases].join(' | ')}`);
    assert.ok(basesOutside(kernel.body, '_c').length >= 2);
  });
  it('a strided, dilated, grouped conv and a MatMul tile stay correct with hoisted bases', () => {
    checkOp('Conv', { pads: [2, 1, 2, 1], strides: [2, 2], dilations: [2, 1], group: 2 }, conv([1, 4, 11, 21], [8, 2, 3, 3]));
    const { kernel } = checkOp('MatMul', {}, [{ shape: [8, 6] }, { shape: [6, 16] }]);
    for (const [buf, bases] of addressesIn(kernel.body, '_k')) assert.equal(bases.size, 1, `${buf}: ${[...bases].join(' | ')}`);
  });
});
