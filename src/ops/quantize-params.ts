// How a quantised tensor's scale and zero point line up with its elements (per tensor, per
// axis, blocked), the integer ranges of the quantised dtypes and ONNX's rounding, shared by
// the Q/DQ ops and the integer matmul/conv ops, reference and compiled alike.
import { ShapeError, UnsupportedError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { fmtShape, normAxis, numel, type Dim } from '../ir/shape.js';

/** [lowest, highest] of the integer dtypes a quantised tensor may have. */
const RANGES: Readonly<Partial<Record<DType, readonly [number, number]>>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1],
};

export function quantRange(where: string, dtype: DType): readonly [number, number] {
  const r = RANGES[dtype];
  if (!r) throw new UnsupportedError(`${where}: quantised type ${dtype} is not supported; Kiln quantises to int8, uint8, int16, uint16 (and int32 for DequantizeLinear)`);
  return r;
}

/** Round half to even, as ONNX quantisation rounds (numpy.rint, C nearbyint). */
export function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Which scale belongs to element idx: one for all ('tensor'), scale[idx[axis]] ('axis'), or
 * scale[idx with idx[axis] / block] ('blocked').
 */
export type QuantLayout =
  | { readonly kind: 'tensor' }
  | { readonly kind: 'axis'; readonly axis: number }
  | { readonly kind: 'blocked'; readonly axis: number; readonly block: number };

const isOne = (shape: readonly Dim[]) => shape.every((d) => d === 1);
const clash = (a: Dim, b: Dim) => typeof a === 'number' && typeof b === 'number' && a !== b;

/**
 * The layout of `scale` (and a zero point of its shape) for x, checked as the spec states it:
 * a scalar, a 1-D tensor of x's axis length, or x's shape with the axis cut into blocks.
 */
export function quantLayout(where: string, x: readonly Dim[], scale: ValueInfo, zeroPoint: ValueInfo | undefined,
  axisAttr: number, blockSize: number): QuantLayout {
  if (zeroPoint && (zeroPoint.shape.length !== scale.shape.length || zeroPoint.shape.some((d, i) => clash(d, scale.shape[i])))) {
    throw new ShapeError(`${where}: zero point ${fmtShape(zeroPoint.shape)} must have the shape of the scale ${fmtShape(scale.shape)}`);
  }
  if (blockSize < 0) throw new ShapeError(`${where}: block_size ${blockSize} must be positive`);
  const s = scale.shape;
  if (blockSize === 0 && isOne(s)) return { kind: 'tensor' };
  const axis = normAxis(axisAttr, x.length, `${where}: axis`);
  if (blockSize === 0) {
    if (s.length !== 1 || clash(s[0], x[axis])) {
      throw new ShapeError(`${where}: a per-axis scale must be 1-D of length ${x[axis]} (x ${fmtShape(x)} at axis ${axis}), got ${fmtShape(s)}; give block_size for blocked quantisation`);
    }
    return { kind: 'axis', axis };
  }
  const blocks = typeof x[axis] === 'number' ? Math.ceil((x[axis] as number) / blockSize) : undefined;
  if (s.length !== x.length || s.some((d, i) => (i === axis ? blocks !== undefined && clash(d, blocks) : clash(d, x[i])))) {
    throw new ShapeError(`${where}: a blocked scale for x ${fmtShape(x)} with block_size ${blockSize} at axis ${axis} must be ` +
      `${fmtShape(x.map((d, i) => (i === axis ? blocks ?? '?' : d)))}, got ${fmtShape(s)}`);
  }
  return { kind: 'blocked', axis, block: blockSize };
}

/** The scale's flat index for each flat element index of x (static shapes). */
export function paramIndex(layout: QuantLayout, x: readonly number[], scale: readonly number[]): (i: number) => number {
  if (layout.kind === 'tensor') return () => 0;
  const inner = x.slice(layout.axis + 1).reduce((n, d) => n * d, 1);
  const len = x[layout.axis];
  if (layout.kind === 'axis') return (i) => Math.floor(i / inner) % len;
  const sLen = scale[layout.axis], block = layout.block;
  return (i) => {
    const outer = Math.floor(i / (inner * len)), a = Math.floor(i / inner) % len, rest = i % inner;
    return (outer * sLen + Math.floor(a / block)) * inner + rest;
  };
}

/** The quantised type: output_dtype when given (it must agree with the zero point), else the zero point's, else uint8. */
export function quantisedType(where: string, outputDtype: string | undefined, zeroPoint: ValueInfo | undefined): DType {
  if (outputDtype && zeroPoint && outputDtype !== zeroPoint.dtype) {
    throw new ShapeError(`${where}: output_dtype ${outputDtype} differs from the zero point's type ${zeroPoint.dtype}; drop one of them`);
  }
  const dtype = (outputDtype ?? zeroPoint?.dtype ?? 'uint8') as DType;
  quantRange(where, dtype);
  return dtype;
}

/** How a zero point or scale lines up with its operand: per tensor, per row of A, per column of B, per output channel of W. */
export type ParamRole = 'row' | 'col' | 'channel';

/**
 * The shape of a zero point or scale stretched to its operand's rank so numpy broadcasting reads
 * it: a 1-D per-row vector becomes [M, 1], a per-channel one [M, 1, 1, 1]; one value, all ones.
 */
export function alignedParamShape(what: string, operand: readonly Dim[], param: readonly Dim[], role: ParamRole): number[] {
  const rank = operand.length;
  const dims = param.map((d) => {
    if (typeof d !== 'number') throw new ShapeError(`${what} ${fmtShape(param)} must have a static shape`);
    return d;
  });
  if (numel(dims) === 1) return new Array<number>(rank).fill(1);
  const fits = (d: number, at: number) => at >= 0 && at < rank && (operand[at] === d || typeof operand[at] !== 'number');
  const bad = () => new ShapeError(`${what} ${fmtShape(param)} does not fit operand ${fmtShape(operand)} ` +
    `(give one value, or one per ${role === 'channel' ? 'output channel' : role} of the operand)`);
  if (dims.length === 1) {
    const at = role === 'channel' ? 0 : role === 'row' ? rank - 2 : rank - 1;
    if (!fits(dims[0], at)) throw bad();
    return operand.map((_, i) => (i === at ? dims[0] : 1));
  }
  if (dims.length !== rank || dims.some((d, i) => d !== 1 && !fits(d, i))) throw bad();
  return dims;
}
