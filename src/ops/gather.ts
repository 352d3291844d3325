// TODO(family gather): filled in by its owner.
import type { OpTable } from './op.js';

export const gatherOps = {
} satisfies OpTable;
