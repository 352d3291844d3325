// Shape ops: ops that compute or change shapes without moving data.
import { defineOp, type OpTable } from './op.js';

export const shapeOps = {
  Identity: defineOp({
    attrs: {},
    inputs: [1, 1],
    fusion: 'injective',
    infer: ({ inputs }) => [inputs[0]!],
    run: ({ inputs }) => [inputs[0]!],
  }),
} satisfies OpTable;
