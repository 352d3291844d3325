// Tensor expressions (TVM's TE, made small): a tensor is a shape, an element type and a way to
// read element idx as a loop-IR expression. Computes are closures, so reading an injective
// producer inlines it (fusion by composition); reductions are materialised in a buffer.
import { UnsupportedError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import { add, cnst, computeType, load, mul, v, type Buffer, type ElemType, type Expr, type ScalarType } from '../loop/ir.js';

export type ReduceKind = 'sum' | 'max' | 'min' | 'prod';

/** A reduction over new axes; the top of a compute body, optionally wrapped by an epilogue. */
export interface Reduction {
  readonly k: 'reduce';
  readonly kind: ReduceKind;
  readonly axes: readonly { readonly name: string; readonly extent: number }[];
  /** The reduced value at reduction index r. */
  readonly body: (r: readonly Expr[]) => Expr;
  /** Applied to the accumulated value before it is stored (bias, activation, mean's division). */
  readonly epilogue: (acc: Expr) => Expr;
  /** This reduction with `f` applied after the current epilogue. */
  then(f: (value: Expr) => Expr): Reduction;
}

export type ComputeBody = Expr | Reduction;

interface TensorBase {
  readonly name: string;
  readonly shape: readonly number[];
  readonly elem: ElemType;
  /** Element idx (one index expression per dim) as a loop-IR expression. */
  at(idx: readonly Expr[]): Expr;
}

/** An input of a kernel, backed by a parameter buffer read through its layout. */
export interface Placeholder extends TensorBase {
  readonly kind: 'placeholder';
  readonly buffer: Buffer;
  /** True when a schedule packed it: element idx is not at its row-major offset. */
  readonly packed: boolean;
}

/** A tensor defined element by element. */
export interface ComputeTensor extends TensorBase {
  readonly kind: 'compute';
  /** Names of the output axes, which schedules refer to. */
  readonly axes: readonly string[];
  readonly fn: (idx: readonly Expr[]) => ComputeBody;
  /** Where the tensor lives when it is a kernel output or a materialised intermediate. */
  readonly buffer: Buffer;
  /** False for reductions and tensors asked to materialise: consumers load them from `buffer`. */
  readonly inline: boolean;
  /** Set when fn defines only a box of the tensor (indices relative to its corner); the rest holds `fill`. */
  readonly region?: Region;
}

/** A box [begin, begin + shape) of a materialised tensor that its fn defines. */
export interface Region {
  readonly begin: readonly number[];
  readonly shape: readonly number[];
  readonly fill: number;
}

export type TeTensor = Placeholder | ComputeTensor;

export const isReduction = (b: ComputeBody): b is Reduction => b.k === 'reduce';

/** The memory type of a graph dtype, or an UnsupportedError for dtypes kernels cannot hold. */
export function elemOf(dtype: DType): ElemType {
  switch (dtype) {
    case 'float32': return 'f32';
    case 'float64': return 'f64';
    case 'int32': return 'i32';
    case 'int64': return 'i64';
    case 'int8': return 'i8';
    case 'int16': return 'i16';
    case 'uint8': case 'bool': return 'u8';
    case 'uint16': return 'u16';
    case 'uint32': return 'u32';
    case 'uint64': return 'u64';
    // halves in memory, f32 in registers: each materialised result rounds as the reference's does
    case 'float16': return 'f16';
    default: throw new UnsupportedError(`compiled kernels do not support ${dtype} tensors yet; cast to float32 or int32 before the compiled part`);
  }
}

export const numel = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** The flat row-major offset of idx in shape, with constant strides. */
export function rowMajor(idx: readonly Expr[], shape: readonly number[]): Expr {
  let flat: Expr = cnst(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1) flat = add(mul(idx[d], cnst(stride)), flat);
    stride *= shape[d];
  }
  return flat;
}

/** Where element idx of a placeholder lives in its buffer of `size` elements. */
export interface Layout {
  readonly size: number;
  offset(idx: readonly Expr[]): Expr;
}

/** `idx` with its entry on `axis` replaced by `r`: element r of the same line. */
export const along = (idx: readonly Expr[], axis: number, r: Expr): Expr[] => idx.map((e, d) => (d === axis ? r : e));

/** Element 0 of `t`: a one-value parameter (an axis, a ratio, a bound, a zero point) read at run time. */
export const elementZero = (t: TeTensor): Expr => t.at(t.shape.map(() => cnst(0)));

export const rowMajorLayout = (shape: readonly number[]): Layout => ({ size: numel(shape), offset: (idx) => rowMajor(idx, shape) });

/** A kernel input: row-major unless a packed constant supplies its blocked layout (src/schedule/pack.ts). */
export function placeholder(name: string, shape: readonly number[], elem: ElemType, layout?: Layout): Placeholder {
  const { size, offset } = layout ?? rowMajorLayout(shape);
  const buffer: Buffer = { name, elem, size };
  return { kind: 'placeholder', name, shape, elem, buffer, packed: layout !== undefined, at: (idx) => load(buffer, offset(idx)) };
}

export interface ComputeOptions {
  /** Axis names for schedules; default i0, i1, ... */
  readonly axes?: readonly string[];
  /** Element type in memory; default the register type of the body (bool results say 'u8'). */
  readonly elem?: ElemType;
  /** Keep the tensor in a buffer even when injective (a pad read by a conv's vector loads). */
  readonly materialize?: boolean;
  /**
   * fn defines only this box (indices relative to its corner) and every other element is `fill`: a
   * pad is then a fill plus an affine copy, both vector loops, with no bounds test per element.
   */
  readonly region?: Region;
}

const defaultAxes = (rank: number) => Array.from({ length: rank }, (_, d) => `i${d}`);

const producers = new WeakMap<Buffer, ComputeTensor>();

/** The compute tensor a buffer materialises, if any (lowering finds a kernel's stages by it). */
export const producerOf = (buf: Buffer): ComputeTensor | undefined => producers.get(buf);

/** The register type of a body built over symbolic indices. */
function bodyType(probe: ComputeBody): ScalarType {
  if (!isReduction(probe)) return probe.type.scalar;
  return probe.epilogue(probe.body(probe.axes.map(() => cnst(0)))).type.scalar;
}

export function compute(name: string, shape: readonly number[], fn: (idx: readonly Expr[]) => ComputeBody,
  opts: ComputeOptions = {}): ComputeTensor {
  const axes = opts.axes ?? defaultAxes(shape.length);
  if (axes.length !== shape.length) throw new RangeError(`compute ${name}: ${axes.length} axis names for rank ${shape.length}`);
  const probe = fn(axes.map((n) => v(n)));
  const scalarType = bodyType(probe);
  const elem = opts.elem ?? scalarType;
  if (computeType(elem) !== scalarType) throw new TypeError(`compute ${name}: body is ${scalarType} but elem is ${elem}`);
  const buffer: Buffer = { name, elem, size: numel(shape) };
  const inline = !isReduction(probe) && !opts.materialize && !opts.region;
  const at = (idx: readonly Expr[]): Expr => (inline ? fn(idx) as Expr : load(buffer, rowMajor(idx, shape)));
  const t: ComputeTensor = { kind: 'compute', name, shape, elem, axes, fn, buffer, inline, at, region: opts.region };
  producers.set(buffer, t);
  return t;
}

/** A reduction of `kind` over axes of the given extents (named r0, r1, ... unless `names`). */
export function reduce(kind: ReduceKind, extents: readonly number[], body: (r: readonly Expr[]) => Expr,
  names?: readonly string[]): Reduction {
  const axes = extents.map((extent, d) => ({ name: names?.[d] ?? `r${d}`, extent }));
  return makeReduction(kind, axes, body, (acc) => acc);
}

function makeReduction(kind: ReduceKind, axes: Reduction['axes'], body: Reduction['body'],
  epilogue: Reduction['epilogue']): Reduction {
  return {
    k: 'reduce', kind, axes, body, epilogue,
    then: (f) => makeReduction(kind, axes, body, (acc) => f(epilogue(acc))),
  };
}
