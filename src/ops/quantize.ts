// Linear quantisation: QuantizeLinear, DequantizeLinear (per tensor, per axis, blocked) and
// DynamicQuantizeLinear (uint8 with the scale and zero point taken from the data's range).
import { ShapeError, UnsupportedError } from '../errors.js';
import { allocData, castNumber, type DType, type NumericData } from '../ir/dtype.js';
import type { Node, ValueInfo } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { attr, defineOp, type OpTable } from './op.js';
import { dequantizeCompute, dynamicQuantizeCompute, quantizeCompute } from './quantize-compute.js';
import { paramIndex, quantisedType, quantLayout, quantRange, roundEven } from './quantize-params.js';

// the executor and shape inference prefix the node's name
const where = (node: Node) => node.op;
const FLOATS: readonly DType[] = ['float32', 'float16'];

function checkFloat(node: Node, what: string, dtype: DType): void {
  if (!FLOATS.includes(dtype)) throw new UnsupportedError(`${where(node)}: ${what} is ${dtype}; Kiln takes float32 or float16 here`);
}

const layoutAttrs = { axis: attr.int(1), block_size: attr.int(0), output_dtype: attr.string() };

/** One element quantised: x / scale in float32, rounded half to even, plus the zero point, saturated. */
export function quantizeValue(x: number, scale: number, zeroPoint: number, lo: number, hi: number): number {
  const q = roundEven(Math.fround(x / scale)) + zeroPoint;
  return q < lo ? lo : q > hi ? hi : q;
}

function quantize(node: Node, x: Tensor, scale: Tensor, zp: Tensor | undefined, dtype: DType, axis: number, block: number): Tensor {
  const layout = quantLayout(where(node), x.shape, scale, zp, axis, block);
  const at = paramIndex(layout, x.shape, scale.shape);
  const [lo, hi] = quantRange(where(node), dtype);
  const X = x.numbers, S = scale.numbers, Z = zp?.numbers;
  const out = allocData(dtype, x.size) as NumericData;
  for (let i = 0; i < x.size; i++) {
    const p = at(i);
    out[i] = quantizeValue(X[i], S[p], Z ? Z[p] : 0, lo, hi);
  }
  return new Tensor(dtype, x.shape, out);
}

function dequantize(node: Node, x: Tensor, scale: Tensor, zp: Tensor | undefined, dtype: DType, axis: number, block: number): Tensor {
  const layout = quantLayout(where(node), x.shape, scale, zp, axis, block);
  const at = paramIndex(layout, x.shape, scale.shape);
  const X = x.numbers, S = scale.numbers, Z = zp?.numbers;
  const out = allocData(dtype, x.size) as NumericData;
  for (let i = 0; i < x.size; i++) {
    const p = at(i);
    // the integer difference first (exact for int32 too), then one float multiply
    out[i] = castNumber(dtype, Math.fround(Math.fround(X[i] - (Z ? Z[p] : 0)) * S[p]));
  }
  return new Tensor(dtype, x.shape, out);
}

/** uint8 range of x widened to hold 0; an all-zero x gets scale 1, as onnxruntime gives (the spec divides by 0). */
export function dynamicParams(min: number, max: number): { readonly scale: number; readonly zeroPoint: number } {
  const lo = Math.fround(Math.min(0, min)), hi = Math.fround(Math.max(0, max));
  const scale = hi === lo ? 1 : Math.fround(Math.fround(hi - lo) / 255);
  const initial = Math.fround(0 - Math.fround(lo / scale));
  return { scale, zeroPoint: roundEven(Math.max(0, Math.min(255, initial))) };
}

export const quantizeOps = {
  QuantizeLinear: defineOp({
    attrs: { ...layoutAttrs, saturate: attr.int(1), precision: attr.string() },
    inputs: [2, 3],
    // a per-axis or blocked scale does not broadcast as numpy does, which elementwise fusion assumes
    fusion: 'injective',
    infer: ({ node, attrs, inputs: [x, scale, zp] }) => {
      if (x!.dtype !== 'int32') checkFloat(node, 'x', x!.dtype);
      checkFloat(node, 'y_scale', scale!.dtype);
      // float16 scales divide in float32 as onnxruntime does; another precision would round otherwise
      if (attrs.precision && attrs.precision !== 'float32' && attrs.precision !== scale!.dtype) {
        throw new UnsupportedError(`${where(node)}: precision ${attrs.precision} is not supported; Kiln divides in float32 (drop the attribute)`);
      }
      quantLayout(where(node), x!.shape, scale!, zp, attrs.axis, attrs.block_size);
      return [{ dtype: quantisedType(where(node), attrs.output_dtype, zp), shape: x!.shape }];
    },
    run: ({ node, attrs, inputs: [x, scale, zp] }) =>
      [quantize(node, x!, scale!, zp, quantisedType(where(node), attrs.output_dtype, zp), attrs.axis, attrs.block_size)],
    compute: quantizeCompute,
  }),

  DequantizeLinear: defineOp({
    attrs: layoutAttrs,
    inputs: [2, 3],
    fusion: 'injective',
    infer: ({ node, attrs, inputs: [x, scale, zp] }) => {
      quantRange(where(node), x!.dtype);
      if (zp && zp.dtype !== x!.dtype) throw new ShapeError(`${where(node)}: zero point is ${zp.dtype} but x is ${x!.dtype}; they must match`);
      checkFloat(node, 'x_scale', scale!.dtype);
      const dtype = (attrs.output_dtype ?? scale!.dtype) as DType;
      checkFloat(node, 'output_dtype', dtype);
      quantLayout(where(node), x!.shape, scale!, zp, attrs.axis, attrs.block_size);
      return [{ dtype, shape: x!.shape }];
    },
    run: ({ node, attrs, inputs: [x, scale, zp] }) =>
      [dequantize(node, x!, scale!, zp, (attrs.output_dtype ?? scale!.dtype) as DType, attrs.axis, attrs.block_size)],
    compute: dequantizeCompute,
  }),

  DynamicQuantizeLinear: defineOp({
    attrs: {},
    inputs: [1, 1],
    outputs: [3, 3],
    fusion: 'opaque',
    infer: ({ node, inputs: [x] }) => {
      if (x!.dtype !== 'float32') throw new UnsupportedError(`${where(node)}: x is ${x!.dtype}; DynamicQuantizeLinear takes float32`);
      const scalar = (dtype: DType): ValueInfo => ({ dtype, shape: [] });
      return [{ dtype: 'uint8', shape: x!.shape }, scalar('float32'), scalar('uint8')];
    },
    run: ({ inputs: [x] }) => {
      const X = x!.numbers;
      let min = Infinity, max = -Infinity;
      for (let i = 0; i < X.length; i++) { min = Math.min(min, X[i]); max = Math.max(max, X[i]); }
      const { scale, zeroPoint } = dynamicParams(min, max);
      const y = Tensor.from('uint8', x!.shape, Array.from(X, (v) => quantizeValue(v, scale, zeroPoint, 0, 255)));
      return [y, Tensor.scalar('float32', scale), Tensor.scalar('uint8', zeroPoint)];
    },
    compute: dynamicQuantizeCompute,
  }),
} satisfies OpTable;
