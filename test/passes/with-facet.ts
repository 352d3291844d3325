// Gives an op a facet (or takes one away) for the length of a test, to prove that a generic pass
// or schedule learns the op's part from the facet and from nothing else.
import { opDef } from '../../src/ops/index.js';
import type { AnyOpDef } from '../../src/ops/op.js';

export function withFacets<T>(op: string, facets: Partial<AnyOpDef>, fn: () => T): T {
  const def = opDef(op) as unknown as Record<string, unknown>;
  const saved = Object.keys(facets).map((k) => [k, Object.prototype.hasOwnProperty.call(def, k), def[k]] as const);
  Object.assign(def, facets);
  try {
    return fn();
  } finally {
    for (const [k, had, v] of saved) {
      if (had) def[k] = v;
      else delete def[k];
    }
  }
}
