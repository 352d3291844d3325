// Builders shared by the elementwise families: an op from a scalar function (unary), from a
// broadcasting scalar function of two inputs (binary), or folded over many inputs (variadic).
import { GraphError, ShapeError, UnsupportedError } from '../errors.js';
import { allocData, castNumber, isFloat, isInteger, type DType, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { broadcastShapes, fmtShape, sameShape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { map2, planBroadcast } from './broadcast.js';
import { defineOp, type AttrSchema, type AttrsOf, type OpDef } from './op.js';

export type Scalar1 = (x: number) => number;
export type Scalar2 = (x: number, y: number) => number;

/** The element types an op accepts, as ONNX's type constraints group them. */
export type DTypeClass = 'float' | 'numeric' | 'integer' | 'bool' | 'comparable' | 'any';

function inClass(cls: DTypeClass, d: DType): boolean {
  switch (cls) {
    case 'float': return isFloat(d);
    case 'numeric': return isFloat(d) || isInteger(d);
    case 'integer': return isInteger(d);
    case 'bool': return d === 'bool';
    case 'comparable': return d !== 'string';
    case 'any': return true;
  }
}

export function checkDType(op: string, cls: DTypeClass, d: DType): void {
  if (!inClass(cls, d)) {
    throw new UnsupportedError(`${op} does not accept ${d} inputs (it takes ${cls === 'comparable' ? 'numeric or bool' : cls} types)`);
  }
}

export function checkSameDType(op: string, infos: readonly (ValueInfo | undefined)[]): DType {
  const present = infos.filter((v): v is ValueInfo => v !== undefined);
  const d = present[0].dtype;
  const other = present.find((v) => v.dtype !== d);
  if (other) throw new GraphError(`${op} inputs must share one dtype, got ${d} and ${other.dtype}`);
  return d;
}

/**
 * Wraps `f` so its result is what `dtype` holds, for the dtypes whose storage would not round
 * it by itself (float16 in Float32Array, int64 in Float64Array); typed arrays do the rest.
 */
export function storing<A extends unknown[]>(dtype: DType, f: (...args: A) => number): (...args: A) => number {
  if (dtype === 'float16' || dtype === 'int64' || dtype === 'uint64') return (...args) => castNumber(dtype, f(...args));
  return f;
}

/** A new tensor of `dtype` with f applied to every element of `x`. */
export function mapUnary(x: Tensor, dtype: DType, f: Scalar1): Tensor {
  const src = x.numbers;
  const out = allocData(dtype, src.length) as NumericData;
  const g = storing(dtype, f);
  for (let i = 0; i < src.length; i++) out[i] = g(src[i]);
  return new Tensor(dtype, x.shape, out);
}

/** A new tensor of `dtype`, f applied over the numpy broadcast of `a` and `b`. */
export function mapBinary(a: Tensor, b: Tensor, dtype: DType, f: Scalar2): Tensor {
  const plan = planBroadcast([a.shape, b.shape]);
  const out = allocData(dtype, plan.size);
  // string inputs reach here only for ops whose scalar function compares with ===
  map2(plan, a.data as ArrayLike<number>, b.data as ArrayLike<number>, out as NumericData, storing(dtype, f));
  return new Tensor(dtype, plan.shape, out);
}

/** An elementwise op of one input: `make` picks the scalar function for the attributes and dtype. */
export function unaryOp<S extends AttrSchema>(attrs: S, cls: DTypeClass,
  make: (a: AttrsOf<S>, dtype: DType) => Scalar1, outDType?: DType): OpDef<S> {
  return defineOp({
    attrs, inputs: [1, 1], fusion: 'elemwise',
    infer: ({ node, inputs: [x] }) => {
      checkDType(node.op, cls, x!.dtype);
      return [{ dtype: outDType ?? x!.dtype, shape: x!.shape }];
    },
    run: ({ attrs: a, inputs: [x] }) => [mapUnary(x!, outDType ?? x!.dtype, make(a, x!.dtype))],
  });
}

/** unaryOp without attributes. */
export function simpleUnary(f: Scalar1, cls: DTypeClass = 'numeric', outDType?: DType): OpDef<{}> {
  return unaryOp({}, cls, () => f, outDType);
}

export interface BinaryOptions {
  /** 'bool' for comparisons; by default the result has the first input's dtype. */
  readonly out?: 'bool';
  /** Pow and the like: the second input may have another dtype of the class. */
  readonly mixed?: true;
}

/** A broadcasting op of two inputs. */
export function binaryOp<S extends AttrSchema>(attrs: S, cls: DTypeClass,
  make: (a: AttrsOf<S>, dtype: DType) => Scalar2, opts: BinaryOptions = {}): OpDef<S> {
  return defineOp({
    attrs, inputs: [2, 2], fusion: 'broadcast',
    infer: ({ node, inputs: [a, b] }) => {
      checkDType(node.op, cls, a!.dtype);
      checkDType(node.op, cls, b!.dtype);
      if (!opts.mixed) checkSameDType(node.op, [a, b]);
      return [{ dtype: opts.out ?? a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }];
    },
    run: ({ attrs: at, inputs: [a, b] }) => [mapBinary(a!, b!, opts.out ?? a!.dtype, make(at, a!.dtype))],
  });
}

/** simple binaryOp without attributes. */
export function simpleBinary(f: Scalar2, cls: DTypeClass = 'numeric', opts: BinaryOptions = {}): OpDef<{}> {
  return binaryOp({}, cls, () => f, opts);
}

/** A variadic broadcasting op folding `f` over its inputs left to right, then `finish(acc, n)`. */
export function variadicOp(f: Scalar2, finish?: (acc: number, n: number) => number): OpDef<{}> {
  return defineOp({
    attrs: {}, inputs: [1, Infinity], fusion: 'broadcast',
    infer: ({ node, inputs }) => {
      inputs.forEach((v) => checkDType(node.op, 'numeric', v!.dtype));
      const dtype = checkSameDType(node.op, inputs);
      return [{ dtype, shape: broadcastShapes(...inputs.map((v) => v!.shape)) }];
    },
    run: ({ inputs }) => {
      const dtype = inputs[0]!.dtype;
      let acc = inputs[0]!;
      for (const t of inputs.slice(1)) acc = mapBinary(acc, t!, dtype, f);
      if (finish) {
        const n = inputs.length;
        acc = mapUnary(acc, dtype, (v) => finish(v, n));
      }
      return [acc];
    },
  });
}

/** Checks that broadcasting `slope` to `x` leaves x's shape (unidirectional broadcast). */
export function checkUnidirectional(op: string, x: ValueInfo, slope: ValueInfo): void {
  const out = broadcastShapes(x.shape, slope.shape);
  if (!sameShape(out, x.shape)) {
    throw new ShapeError(`${op}: ${fmtShape(slope.shape)} must broadcast to the input's shape ${fmtShape(x.shape)}`);
  }
}
