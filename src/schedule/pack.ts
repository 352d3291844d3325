// Pack: a compile-time layout change of a constant input. The packed tensor is produced here by a
// plain loop; the placeholder's index map reads it, so computes keep their logical indices.
import { bin, cnst, type Expr } from '../loop/ir.js';
import { allocData, type NumericData } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { rowMajor, type Layout } from '../lower/te.js';
import { IllegalScheduleError, type PackLayout, type Step } from './schedule.js';

export interface Packed {
  /** The constant in its new layout, flat (shape [size]); padding blocks are zero. */
  readonly tensor: Tensor;
  /** How a compute's logical index finds its element in `tensor`. */
  readonly layout: Layout;
}

/** The blocked shape: dim `axis` becomes ceil(n / block) and a dim of `block` is appended. */
export function packedShape(shape: readonly number[], { axis, block }: PackLayout): number[] {
  return [...shape.slice(0, axis), Math.ceil(shape[axis] / block), ...shape.slice(axis + 1), block];
}

export function packConstant(step: Step & { s: 'pack' }, value: Tensor | undefined): Packed {
  const { axis, block } = step.layout;
  if (!value) throw new IllegalScheduleError(step, `${step.input} is not a compile-time constant`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= value.rank) throw new IllegalScheduleError(step, `axis ${axis} is outside rank ${value.rank}`);
  if (!Number.isInteger(block) || block < 1) throw new IllegalScheduleError(step, 'block must be a positive integer');
  const shape = packedShape(value.shape, step.layout);
  const size = shape.reduce((n, d) => n * d, 1);
  const src = value.numbers;
  const out = allocData(value.dtype, size) as NumericData;
  const inner = value.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const n = value.shape[axis];
  for (let flat = 0; flat < src.length; flat++) {
    const outerIdx = Math.floor(flat / (inner * n)), a = Math.floor(flat / inner) % n, rest = flat % inner;
    out[((outerIdx * Math.ceil(n / block) + Math.floor(a / block)) * inner + rest) * block + (a % block)] = src[flat];
  }
  const offset = (idx: readonly Expr[]): Expr => rowMajor([
    ...idx.slice(0, axis), bin('floordiv', idx[axis], cnst(block)), ...idx.slice(axis + 1), bin('floormod', idx[axis], cnst(block)),
  ], shape);
  return { tensor: new Tensor(value.dtype, [size], out), layout: { size, offset } };
}
