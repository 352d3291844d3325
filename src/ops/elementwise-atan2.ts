// Atan2(y, x): the angle of the point (x, y), with Math.atan2's (and TF's) result in every
// quadrant and for signed zeros, infinities and NaN; compiled as atan(y/x) corrected by the signs.
import { bin, call, select, un, type Expr } from '../loop/ir.js';
import { k, withExpr } from './elementwise-compute.js';
import { simpleBinary } from './elementwise-build.js';
import type { OpTable } from './op.js';

/** 1 where v < 0 or v is -0 (1/-0 is -inf), else 0. */
const signBit = (v: Expr): Expr => bin('or', bin('lt', v, k(v, 0)), bin('and', bin('eq', v, k(v, 0)), bin('lt', bin('div', k(v, 1), v), k(v, 0))));

/**
 * atan(y/x) is right for x > 0 and for x = +0 or -0 against a y that is not zero (y/±0 is ±inf);
 * where x's sign bit is set the angle lies in the other half-plane: pi with y's sign is added.
 * y/x is 0/0 or inf/inf in two corners, where a stand-in quotient gives the limit: y itself for
 * two zeros (so the result is ±0 or ±pi) and ±1 for two infinities (±pi/4 or ±3pi/4).
 */
function atan2Expr(y: Expr, x: Expr): Expr {
  const inf = (v: Expr) => bin('eq', un('abs', v), k(v, Infinity));
  const unit = (v: Expr) => select(bin('lt', v, k(v, 0)), k(v, -1), k(v, 1));
  const bothZero = bin('and', bin('eq', y, k(y, 0)), bin('eq', x, k(x, 0)));
  const bothInf = bin('and', inf(y), inf(x));
  const q = select(bothZero, y, select(bothInf, bin('mul', unit(y), unit(x)), bin('div', y, x)));
  const a = call('atan', q);
  const halfTurn = select(signBit(y), k(y, -Math.PI), k(y, Math.PI));
  // a select, not a + 0: atan2(-0, 1) is -0
  return select(signBit(x), bin('add', a, halfTurn), a);
}

export const atan2Ops = {
  Atan2: withExpr(simpleBinary(Math.atan2, 'float'), ([y, x]) => atan2Expr(y, x)),
} satisfies OpTable;
