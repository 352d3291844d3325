// Compute definitions of the Q/DQ ops: each element reads its scale and zero point through the
// layout (per tensor, per axis, blocked), divides or multiplies in float32 and rounds half to
// even with f32.nearest, saturating before the narrowing store so the result is exact.
import { UnsupportedError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import { bin, cast, cnst, select, un, type Expr } from '../loop/ir.js';
import { compute, elementZero, reduce, type TeTensor } from '../lower/te.js';
import type { ComputeContext } from './op.js';
import { quantLayout, quantRange, type QuantLayout } from './quantize-params.js';

interface LayoutAttrs { readonly axis: number; readonly block_size: number }

const f32 = (e: Expr) => (e.type.scalar === 'f32' ? e : cast(e, 'f32'));
const i32 = (e: Expr) => (e.type.scalar === 'i32' ? e : cast(e, 'i32'));

/** Element idx's entry of a scale or zero point laid out as `layout`. */
export function paramAt(t: TeTensor, layout: QuantLayout, idx: readonly Expr[]): Expr {
  if (layout.kind === 'tensor') return elementZero(t);
  if (layout.kind === 'axis') return t.at([idx[layout.axis]]);
  return t.at(idx.map((e, d) => (d === layout.axis ? bin('floordiv', e, cnst(layout.block)) : e)));
}

/** saturate(round_even(x / scale) + zero point) as an i32 in [lo, hi]; x and scale are f32. */
export function quantizeExpr(x: Expr, scale: Expr, zeroPoint: Expr | undefined, lo: number, hi: number): Expr {
  const rounded = un('nearest', bin('div', f32(x), f32(scale)));
  const shifted = zeroPoint ? bin('add', rounded, f32(zeroPoint)) : rounded;
  return cast(bin('max', cnst(lo, shifted.type), bin('min', cnst(hi, shifted.type), shifted)), 'i32');
}

function layoutOf(ctx: ComputeContext<LayoutAttrs>, op: string): QuantLayout {
  const [x, scale, zp] = ctx.inputTypes;
  return quantLayout(op, x!.shape, scale!, zp, ctx.attrs.axis, ctx.attrs.block_size);
}

export function quantizeCompute(ctx: ComputeContext<LayoutAttrs>): TeTensor[] {
  const [x, scale, zp] = ctx.inputs;
  const out = ctx.outputs[0];
  const layout = layoutOf(ctx, 'QuantizeLinear');
  const [lo, hi] = quantRange('QuantizeLinear', ctx.inputTypes[2]?.dtype ?? outDType(out.elem));
  return [compute(out.name, out.shape, (idx) =>
    quantizeExpr(x!.at(idx), paramAt(scale!, layout, idx), zp && paramAt(zp, layout, idx), lo, hi), { elem: out.elem })];
}

function outDType(elem: string): DType {
  const dtypes: Readonly<Record<string, DType>> = { i8: 'int8', u8: 'uint8', i16: 'int16', u16: 'uint16' };
  const d = dtypes[elem];
  if (!d) throw new UnsupportedError(`QuantizeLinear: compiled kernels do not quantise to ${elem}`);
  return d;
}

/** (x - zero point) in i32, then one multiply by the scale in float32. */
export function dequantizeCompute(ctx: ComputeContext<LayoutAttrs>): TeTensor[] {
  const [x, scale, zp] = ctx.inputs;
  const out = ctx.outputs[0];
  const layout = layoutOf(ctx, 'DequantizeLinear');
  return [compute(out.name, out.shape, (idx) => {
    const q = i32(x!.at(idx));
    const centred = zp ? bin('sub', q, i32(paramAt(zp, layout, idx))) : q;
    return bin('mul', cast(centred, 'f32'), f32(paramAt(scale!, layout, idx)));
  }, { elem: out.elem })];
}

/** The data's min and max as two reductions, then scale and zero point as scalars, then y. */
export function dynamicQuantizeCompute(ctx: ComputeContext<unknown>): TeTensor[] {
  const x = ctx.inputs[0]!;
  const [y, scaleOut, zpOut] = ctx.outputs;
  const all = (kind: 'min' | 'max') => compute(`${y.name}_${kind}`, [], () => reduce(kind, x.shape, (r) => x.at(r)), { elem: 'f32' });
  const min = all('min'), max = all('max');
  const zero = cnst(0, min.at([]).type);
  const scale = compute(scaleOut.name, [], () => {
    const lo = bin('min', zero, min.at([])), hi = bin('max', zero, max.at([]));
    const range = bin('sub', hi, lo);
    return select(bin('eq', range, zero), cnst(1, zero.type), bin('div', range, cnst(255, zero.type)));
  }, { elem: 'f32', materialize: true });
  const zeroPoint = compute(zpOut.name, [], () => {
    const lo = bin('min', zero, min.at([]));
    const initial = bin('sub', zero, bin('div', lo, scale.at([])));
    return cast(un('nearest', bin('max', zero, bin('min', cnst(255, zero.type), initial))), 'i32');
  }, { elem: 'u8', materialize: true });
  const q = compute(y.name, y.shape, (idx) => quantizeExpr(x.at(idx), scale.at([]), zeroPoint.at([]), 0, 255), { elem: 'u8' });
  return [q, scale, zeroPoint];
}
