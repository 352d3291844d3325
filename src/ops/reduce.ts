// TODO(family reduce): filled in by its owner.
import type { OpTable } from './op.js';

export const reduceOps = {
} satisfies OpTable;
