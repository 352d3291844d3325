// TODO(family elementwise): filled in by its owner.
import type { OpTable } from './op.js';

export const elementwiseOps = {
} satisfies OpTable;
