// TF math ops -> canonical ops: elementwise arithmetic and activations, comparisons,
// casts, reductions, arg-max, softmax and matrix products.
import { isFloat, type DType } from '../../ir/dtype.js';
import type { Attrs } from '../../ir/graph.js';
import type { CanonicalOp, NodeContext } from './context.js';

export type Converter = (c: NodeContext) => readonly string[];

const unary = (op: CanonicalOp, attrs: Attrs = {}): Converter => (c) => [c.emit1(op, [c.input(0)], attrs)];
const binary = (op: CanonicalOp): Converter => (c) => [c.emit1(op, [c.input(0), c.input(1)])];
const elemType = (c: NodeContext): DType => c.attrs.type('T', 'float32');

/** A TF activation (standalone or the tail of a fused op) applied to `x`. */
export function activation(c: NodeContext, kind: string, x: string, dtype: DType,
  alphaOf: () => number, preluAlpha: () => string): string {
  switch (kind) {
    case 'Relu': case 'Elu': case 'Sigmoid': case 'Tanh': case 'Softplus': case 'Softsign': case 'Selu':
      return c.emit1(kind, [x]);
    case 'Relu6': return c.emit1('Clip', [x, c.scalar(dtype, 0, 'zero'), c.scalar(dtype, 6, 'six')]);
    case 'LeakyRelu': return c.emit1('LeakyRelu', [x], { alpha: alphaOf() });
    case 'Prelu': return c.emit1('PRelu', [x, preluAlpha()]);
    default: throw c.unsupported(`activation ${kind}`);
  }
}

const standaloneActivation = (kind: string): Converter => (c) =>
  [activation(c, kind, c.input(0), elemType(c), () => c.attrs.float('alpha', 0.2), () => c.input(1))];

/** floor(a / b): exact for integers through a - mod(a, b), which is a multiple of b. */
const floorDiv: Converter = (c) => {
  const [a, b] = [c.input(0), c.input(1)];
  if (isFloat(elemType(c))) return [c.emit1('Floor', [c.emit1('Div', [a, b])])];
  return [c.emit1('Div', [c.emit1('Sub', [a, c.emit1('Mod', [a, b], { fmod: 0 })]), b])];
};

/** The remainder with the divisor's sign; float Mod needs fmod=1, so fix its sign by hand. */
const floorMod: Converter = (c) => {
  const [a, b] = [c.input(0), c.input(1)];
  const t = elemType(c);
  if (!isFloat(t)) return [c.emit1('Mod', [a, b], { fmod: 0 })];
  const r = c.emit1('Mod', [a, b], { fmod: 1 });
  const zero = c.scalar(t, 0, 'zero');
  const signsDiffer = c.emit1('Xor', [c.emit1('Less', [r, zero]), c.emit1('Less', [b, zero])]);
  const fix = c.emit1('And', [c.emit1('Not', [c.emit1('Equal', [r, zero])]), signsDiffer]);
  return [c.emit1('Where', [fix, c.emit1('Add', [r, b]), r])];
};

/** Reduction axes as a 1-D int64 list (TF also allows a scalar axis). */
function axesInput(c: NodeContext, i: number): string {
  const axes = c.constant(i);
  if (axes) return c.int64s(axes.toArray());
  return c.emit1('Reshape', [c.input(i), c.int64s([-1], 'flat')]);
}

const reduce = (op: CanonicalOp): Converter => (c) =>
  [c.emit1(op, [c.input(0), axesInput(c, 1)], { keepdims: c.attrs.bool('keep_dims', false) ? 1 : 0, noop_with_empty_axes: 1 })];

/** All/Any: a min/max over 0/1 integers, since boolean reductions are not canonical. */
const boolReduce = (op: 'ReduceMin' | 'ReduceMax'): Converter => (c) => {
  const asInt = c.cast(c.input(0), 'int32');
  const r = c.emit1(op, [asInt, axesInput(c, 1)], { keepdims: c.attrs.bool('keep_dims', false) ? 1 : 0, noop_with_empty_axes: 1 });
  return [c.cast(r, 'bool')];
};

const argReduce = (op: 'ArgMax' | 'ArgMin'): Converter => (c) => {
  const [axis] = c.constInts(1, 'axis');
  const idx = c.emit1(op, [c.input(0)], { axis, keepdims: 0 });
  const want = c.attrs.type('output_type', c.state.int64As);
  return [want === 'int64' ? idx : c.cast(idx, want)];
};

/** Swaps the last two axes of input `i` (weights are transposed at import). */
function swapLastTwo(c: NodeContext, i: number): string {
  const t = c.constant(i);
  const rank = t ? t.rank : c.rank(c.input(i));
  const perm = [...Array.from({ length: rank - 2 }, (_, k) => k), rank - 1, rank - 2];
  return c.derived(i, 'Transpose', { perm }, 'transposed');
}

export function matmul(c: NodeContext, ta: string, tb: string): string {
  const a = c.attrs.bool(ta, false) ? swapLastTwo(c, 0) : c.input(0);
  const b = c.attrs.bool(tb, false) ? swapLastTwo(c, 1) : c.input(1);
  return c.emit1('MatMul', [a, b]);
}

/** _FusedMatMul: MatMul, then BiasAdd and an activation from `fused_ops`, consuming the extra inputs in order. */
const fusedMatMul: Converter = (c) => {
  let y = matmul(c, 'transpose_a', 'transpose_b');
  let arg = 2;
  for (const op of c.attrs.strs('fused_ops')) {
    if (op === 'BiasAdd' || op === 'Add') { y = c.emit1('Add', [y, c.input(arg++)]); continue; }
    y = activation(c, op, y, elemType(c), () => c.attrs.float('leakyrelu_alpha', 0.2), () => c.input(arg++));
  }
  return [y];
};

/** Select (v1) picks whole rows with a vector condition; SelectV2 broadcasts like Where. */
const select: Converter = (c) => {
  let cond = c.input(0);
  const rank = c.rank(c.input(1));
  if (c.rank(cond) === 1 && rank > 1) {
    cond = c.emit1('Unsqueeze', [cond, c.int64s(Array.from({ length: rank - 1 }, (_, k) => k + 1))]);
  }
  return [c.emit1('Where', [cond, c.input(1), c.input(2)])];
};

export const mathOps = {
  Abs: unary('Abs'), Neg: unary('Neg'), Reciprocal: unary('Reciprocal'), Inv: unary('Reciprocal'),
  Floor: unary('Floor'), Ceil: unary('Ceil'), Round: unary('Round'), Sqrt: unary('Sqrt'),
  Exp: unary('Exp'), Log: unary('Log'), Sin: unary('Sin'), Cos: unary('Cos'), Tan: unary('Tan'),
  Asin: unary('Asin'), Acos: unary('Acos'), Atan: unary('Atan'), Sinh: unary('Sinh'), Cosh: unary('Cosh'),
  Asinh: unary('Asinh'), Acosh: unary('Acosh'), Atanh: unary('Atanh'), Erf: unary('Erf'), Sign: unary('Sign'),
  IsNan: unary('IsNaN'), IsInf: unary('IsInf'), LogicalNot: unary('Not'),
  Relu: standaloneActivation('Relu'), Relu6: standaloneActivation('Relu6'), Elu: standaloneActivation('Elu'),
  Selu: standaloneActivation('Selu'), LeakyRelu: standaloneActivation('LeakyRelu'),
  Sigmoid: standaloneActivation('Sigmoid'), Tanh: standaloneActivation('Tanh'),
  Softplus: standaloneActivation('Softplus'), Softsign: standaloneActivation('Softsign'),
  Prelu: standaloneActivation('Prelu'),
  Rsqrt: (c) => [c.emit1('Reciprocal', [c.emit1('Sqrt', [c.input(0)])])],
  Square: (c) => [c.emit1('Mul', [c.input(0), c.input(0)])],
  Log1p: (c) => [c.emit1('Log', [c.emit1('Add', [c.input(0), c.scalar(elemType(c), 1, 'one')])])],

  Add: binary('Add'), AddV2: binary('Add'), Sub: binary('Sub'), Mul: binary('Mul'),
  RealDiv: binary('Div'), Div: binary('Div'), Maximum: binary('Max'), Atan2: binary('Atan2'), Minimum: binary('Min'), Pow: binary('Pow'),
  Equal: binary('Equal'), Less: binary('Less'), LessEqual: binary('LessOrEqual'), Greater: binary('Greater'),
  GreaterEqual: binary('GreaterOrEqual'), LogicalAnd: binary('And'), LogicalOr: binary('Or'),
  BitwiseAnd: binary('BitwiseAnd'), BitwiseOr: binary('BitwiseOr'), BitwiseXor: binary('BitwiseXor'),
  NotEqual: (c) => [c.emit1('Not', [c.emit1('Equal', [c.input(0), c.input(1)])])],
  SquaredDifference: (c) => {
    const d = c.emit1('Sub', [c.input(0), c.input(1)]);
    return [c.emit1('Mul', [d, d])];
  },
  FloorDiv: floorDiv, FloorMod: floorMod,
  AddN: (c) => [c.inputCount === 1 ? c.input(0) : c.emit1('Sum', c.inputs())],
  ClipByValue: (c) => [c.emit1('Clip', [c.input(0), c.input(1), c.input(2)])],
  Cast: (c) => [c.cast(c.input(0), c.attrs.type('DstT'))],
  Select: select,
  SelectV2: (c) => [c.emit1('Where', [c.input(0), c.input(1), c.input(2)])],

  Sum: reduce('ReduceSum'), Mean: reduce('ReduceMean'), Max: reduce('ReduceMax'), Min: reduce('ReduceMin'),
  Prod: reduce('ReduceProd'), All: boolReduce('ReduceMin'), Any: boolReduce('ReduceMax'),
  ArgMax: argReduce('ArgMax'), ArgMin: argReduce('ArgMin'),
  Softmax: (c) => [c.emit1('Softmax', [c.input(0)], { axis: -1 })],
  LogSoftmax: (c) => [c.emit1('LogSoftmax', [c.input(0)], { axis: -1 })],
  Cumsum: (c) => [c.emit1('CumSum', [c.input(0), c.input(1)], {
    exclusive: c.attrs.bool('exclusive', false) ? 1 : 0, reverse: c.attrs.bool('reverse', false) ? 1 : 0,
  })],

  MatMul: (c) => [matmul(c, 'transpose_a', 'transpose_b')],
  BatchMatMul: (c) => [matmul(c, 'adj_x', 'adj_y')],
  BatchMatMulV2: (c) => [matmul(c, 'adj_x', 'adj_y')],
  BatchMatMulV3: (c) => [matmul(c, 'adj_x', 'adj_y')],
  _FusedMatMul: fusedMatMul,
} satisfies Record<string, Converter>;
