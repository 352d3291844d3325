// Cast between Kiln dtypes, strings included: floats truncate toward zero into integers,
// integers wrap, anything but ±0 is true, and floats print with 8 significant digits.
import { UnsupportedError } from '../errors.js';
import { allocData, castNumber, floatToInteger, isDType, isFloat, DTYPES, type DType, type NumericData } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { sameTypePassesInput0 } from './facets.js';
import { attr, defineOp, type OpTable } from './op.js';
import { castCompute } from './movement-compute.js';

function targetDType(to: string): DType {
  if (!isDType(to)) throw new UnsupportedError(`Cast to ${to} is not supported; Kiln's dtypes are ${DTYPES.join(', ')}`);
  return to;
}

/** The value `dtype` holds for x; unlike castNumber, NaN is true as ONNX's Cast defines. */
function convert(dtype: DType, x: number): number {
  return dtype === 'bool' ? (x === 0 ? 0 : 1) : castNumber(dtype, x);
}
/** The value `dtype` holds for float x: saturating (floatToInteger) for integer targets. */
function convertFloat(dtype: DType, x: number): number {
  return dtype === 'bool' ? (x === 0 ? 0 : 1) : floatToInteger(dtype, x);
}

/** Reads a number the way ONNX's Cast does: decimal or scientific, INF/+INF/-INF/NaN in any case. */
function parseNumber(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan' || t === '') return NaN;
  return Number(t);
}

/**
 * Prints a number of `dtype` as onnxruntime does: integers in full, floats like C's "%.8g"
 * (8 significant digits, trailing zeros dropped, exponent form below 1e-4 or from 1e8).
 */
function formatNumber(x: number, dtype: DType): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'INF';
  if (x === -Infinity) return '-INF';
  if (!isFloat(dtype)) return String(x);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exp] = x.toExponential(SIGNIFICANT_DIGITS - 1).split('e');
  const e = Number(exp);
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (e < -4 || e >= SIGNIFICANT_DIGITS) {
    return `${trim(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(SIGNIFICANT_DIGITS - 1 - e));
}
const SIGNIFICANT_DIGITS = 8;

function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  const n = x.size;
  if (to === 'string') {
    const src = x.numbers;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = formatNumber(src[i], x.dtype);
    return new Tensor(to, x.shape, out);
  }
  const out = allocData(to, n) as NumericData;
  if (Array.isArray(x.data)) {
    for (let i = 0; i < n; i++) out[i] = convertFloat(to, parseNumber(x.data[i]));
  } else {
    const src = x.data, from = isFloat(x.dtype) ? convertFloat : convert;
    for (let i = 0; i < n; i++) out[i] = from(to, src[i]);
  }
  return new Tensor(to, x.shape, out);
}

export const castOps = {
  Cast: defineOp({
    // saturate only concerns float8 targets, which Kiln does not have
    attrs: { to: attr.required('string'), saturate: attr.int(1) },
    inputs: [1, 1], fusion: 'elemwise',
    infer: ({ attrs, inputs: [x] }) => [{ dtype: targetDType(attrs.to), shape: x!.shape }],
    run: ({ attrs, inputs: [x] }) => [cast(x!, targetDType(attrs.to))],
    compute: castCompute,
    passThrough: sameTypePassesInput0,
  }),
} satisfies OpTable;
