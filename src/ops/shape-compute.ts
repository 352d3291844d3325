// Compute definitions of ops whose outputs follow from static shapes and attributes: Shape, Size,
// ConstantOfShape, EyeLike, and Range (start and delta read at run time). Folding usually removes
// them; these keep a graph compilable when it does not (a constant too large to embed, say).
import { add, bin, cast, cnst, computeType, mul, scalar, select, type ElemType, type Expr } from '../loop/ir.js';
import { compute, elementZero, numel, type ComputeTensor, type TeTensor } from '../lower/te.js';
import type { ComputeContext } from './op.js';

type Ctx = ComputeContext<Record<string, unknown>>;

const constantOf = (elem: ElemType, value: number): Expr => cnst(value, scalar(computeType(elem)));

/** Output 0 holding `values` (a short list, chosen along its only axis by selects). */
function listOutput(ctx: Ctx, values: readonly number[]): ComputeTensor[] {
  const out = ctx.outputs[0];
  return [compute(out.name, out.shape, (idx) => {
    if (idx.length === 0) return constantOf(out.elem, values[0]);
    return values.slice(0, -1).reduceRight((rest, value, i) =>
      select(bin('eq', idx[0], cnst(i)), constantOf(out.elem, value), rest), constantOf(out.elem, values[values.length - 1] ?? 0));
  }, { elem: out.elem })];
}

/** Shape: the static dims start..end of the input, as int64. */
export function shapeCompute(ctx: Ctx, range: readonly [number, number]): ComputeTensor[] {
  return listOutput(ctx, ctx.inputs[0]!.shape.slice(...range));
}

export const sizeCompute = (ctx: Ctx): ComputeTensor[] => listOutput(ctx, [numel(ctx.inputs[0]!.shape)]);

/** ConstantOfShape: every element the fill value (the shape input is constant, else the output shape is unknown). */
export function fillCompute(ctx: Ctx, value: number): ComputeTensor[] {
  const out = ctx.outputs[0];
  return [compute(out.name, out.shape, () => constantOf(out.elem, value), { elem: out.elem })];
}

/** EyeLike: 1 on the diagonal shifted by k, 0 elsewhere. */
export function eyeCompute(ctx: Ctx, k: number): ComputeTensor[] {
  const out = ctx.outputs[0];
  return [compute(out.name, out.shape, ([i, j]) =>
    select(bin('eq', bin('sub', j, i), cnst(k)), constantOf(out.elem, 1), constantOf(out.elem, 0)), { elem: out.elem })];
}

/** Range: start + i * delta; floats in f64 and rounded once, as the reference computes them. */
export function rangeCompute(ctx: Ctx): ComputeTensor[] {
  const [start, , delta] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const type = computeType(out.elem);
  const wide = type === 'f32' ? 'f64' : type;
  const read = (t: TeTensor): Expr => { const e = elementZero(t); return e.type.scalar === wide ? e : cast(e, wide); };
  return [compute(out.name, out.shape, ([i]) => {
    const value = add(read(start), mul(wide === 'i32' ? i : cast(i, wide), read(delta)));
    return value.type.scalar === type ? value : cast(value, type);
  }, { elem: out.elem })];
}
