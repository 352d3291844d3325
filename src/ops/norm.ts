// TODO(family norm): filled in by its owner.
import type { OpTable } from './op.js';

export const normOps = {
} satisfies OpTable;
