// The default schedule of a node: the one its op's `schedule` facet states (src/ops), else the
// elementwise template for elementwise kinds, else none. Knows no op by name.
import type { Attrs, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { TargetFacts } from '../target/target.js';
import { DEFAULT_FACTS } from '../target/wasm/facts.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind, resolveAttrs } from '../ops/op.js';
import type { Schedule } from './schedule.js';
import { elementwiseTemplate } from './templates.js';

// the benches tune these templates by their old home
export { convTemplate, matmulTemplate } from './templates.js';

/**
 * The default schedule of a node for `target`: its family's template at the default knobs, or no
 * steps. Pass the node's attrs where known.
 */
export function defaultSchedule(op: string, fusion: string,
  inputs: readonly ({ readonly name: string; readonly info: ValueInfo; readonly constant?: Tensor } | undefined)[],
  outShapes: readonly (readonly number[])[], attrs: Attrs = {}, outputNames?: readonly string[], target: TargetFacts = DEFAULT_FACTS): Schedule {
  const def = opDef(op);
  if (def?.schedule) return def.schedule({ attrs: resolveAttrs(def.attrs, attrs), inputs, outputs: outShapes, outputNames, target });
  // movement ops index through floordiv/floormod and selects: left scalar until the simplifier folds those
  if (isElementwiseKind(fusion) && outShapes.length === 1) {
    const p = { shape: outShapes[0], lanes: target.lanes('f32') };
    return elementwiseTemplate.schedule(p, elementwiseTemplate.defaults(p));
  }
  return [];
}
