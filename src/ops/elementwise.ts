// Elementwise ops: unary math and activations, broadcasting binary/variadic ops, and Cast.
// Each family lives in its own elementwise-*.ts file; this table merges them.
import type { OpTable } from './op.js';
import { binaryOps } from './elementwise-binary.js';
import { castOps } from './elementwise-cast.js';
import { unaryOps } from './elementwise-unary.js';

export const elementwiseOps = {
  ...unaryOps, ...binaryOps, ...castOps,
} satisfies OpTable;
