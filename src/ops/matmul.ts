// TODO(family matmul): filled in by its owner.
import type { OpTable } from './op.js';

export const matmulOps = {
} satisfies OpTable;
