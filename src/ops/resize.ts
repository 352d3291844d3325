// TODO(family resize): filled in by its owner.
import type { OpTable } from './op.js';

export const resizeOps = {
} satisfies OpTable;
