// TODO(family conv): filled in by its owner.
import type { OpTable } from './op.js';

export const convOps = {
} satisfies OpTable;
