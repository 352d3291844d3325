// TODO(family pool): filled in by its owner.
import type { OpTable } from './op.js';

export const poolOps = {
} satisfies OpTable;
