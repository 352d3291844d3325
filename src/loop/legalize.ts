// The loop passes every lowered kernel goes through before a code generator sees it: unrolled
// loops expanded, vectorized loops widened to the target's lanes (targets with vectors),
// simplified, verified.
import type { Kernel, ScalarType } from './ir.js';
import { simplifyKernel } from './simplify.js';
import { unrollLoops } from './unroll.js';
import { vectorizeLoops } from './vectorize.js';
import { verifyKernel } from './verify.js';

export interface LegalizeFacts {
  lanes(s: ScalarType): number;
  /** False: 'vectorized' loops stay serial loops. */
  readonly vectorizes: boolean;
}

export function legalizeLoops(kernel: Kernel, facts: LegalizeFacts, onScalar?: (loopVar: string, why: string) => void): Kernel {
  let body = unrollLoops(kernel.body);
  if (facts.vectorizes) body = vectorizeLoops(body, { lanes: (s) => facts.lanes(s), onScalar });
  const legal = simplifyKernel({ ...kernel, body });
  verifyKernel(legal);
  return legal;
}
