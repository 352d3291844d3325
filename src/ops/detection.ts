// TODO(family detection): filled in by its owner.
import type { OpTable } from './op.js';

export const detectionOps = {
} satisfies OpTable;
