// Cast between Kiln dtypes, strings included: floats truncate toward zero into integers,
// integers wrap, anything but ±0 is true, and numbers print as their shortest exact decimal.
import { UnsupportedError } from '../errors.js';
import { allocData, castNumber, isDType, DTYPES, type DType, type NumericData } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { attr, defineOp, type OpTable } from './op.js';

function targetDType(to: string): DType {
  if (!isDType(to)) throw new UnsupportedError(`Cast to ${to} is not supported; Kiln's dtypes are ${DTYPES.join(', ')}`);
  return to;
}

/** The value `dtype` holds for x; unlike castNumber, NaN is true as ONNX's Cast defines. */
function convert(dtype: DType, x: number): number {
  return dtype === 'bool' ? (x === 0 ? 0 : 1) : castNumber(dtype, x);
}

/** Reads a number the way ONNX's Cast does: decimal or scientific, INF/+INF/-INF/NaN in any case. */
function parseNumber(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan' || t === '') return NaN;
  return Number(t);
}

/** Prints a number of `dtype`: floats as the shortest decimal that reads back to the same value. */
function formatNumber(x: number, dtype: DType): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'INF';
  if (x === -Infinity) return '-INF';
  if (dtype === 'float32' || dtype === 'float16') {
    for (let digits = 1; digits < 9; digits++) {
      const v = Number(x.toPrecision(digits));
      if (Math.fround(v) === x) return String(v);
    }
  }
  return String(x);
}

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
    for (let i = 0; i < n; i++) out[i] = convert(to, parseNumber(x.data[i]));
  } else {
    const src = x.data;
    for (let i = 0; i < n; i++) out[i] = convert(to, src[i]);
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
  }),
} satisfies OpTable;
