// The canonical operator set: one table over every op name, merged from the family files.
import type { AnyOpDef } from './op.js';
import { attentionOps } from './attention.js';
import { controlFlowOps } from './control-flow.js';
import { convOps } from './conv.js';
import { detectionOps } from './detection.js';
import { atan2Ops } from './elementwise-atan2.js';
import { elementwiseOps } from './elementwise.js';
import { gatherOps } from './gather.js';
import { matmulOps } from './matmul.js';
import { miscOps } from './misc.js';
import { movementOps } from './movement.js';
import { normOps } from './norm.js';
import { poolOps } from './pool.js';
import { recurrentOps } from './recurrent.js';
import { quantizeOps } from './quantize.js';
import { quantizeNnOps } from './quantize-nn.js';
import { reduceOps } from './reduce.js';
import { resizeOps } from './resize.js';
import { sequenceOps } from './sequence.js';
import { shapeOps } from './shape.js';

export const OPS = {
  ...elementwiseOps, ...reduceOps, ...convOps, ...matmulOps, ...normOps, ...poolOps,
  ...shapeOps, ...movementOps, ...gatherOps, ...resizeOps, ...detectionOps, ...atan2Ops,
  ...recurrentOps, ...attentionOps, ...quantizeOps, ...quantizeNnOps, ...miscOps,
  ...controlFlowOps, ...sequenceOps,
} as const;

export type OpName = keyof typeof OPS;

export function isOpName(op: string): op is OpName {
  return Object.prototype.hasOwnProperty.call(OPS, op);
}

export function opDef(op: string): AnyOpDef | undefined {
  return isOpName(op) ? OPS[op] : undefined;
}
