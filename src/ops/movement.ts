// TODO(family movement): filled in by its owner.
import type { OpTable } from './op.js';

export const movementOps = {
} satisfies OpTable;
