// ONNX op type -> converter emitting canonical ops. Most ops pass through; older opsets'
// forms (attributes that later became inputs, coerce-to-2D softmax, Upsample, ...) are
// rewritten to the one canonical form of the latest opset.
import { FormatError } from '../../errors.js';
import { Tensor } from '../../ir/tensor.js';
import type { AttrValue } from '../../ir/graph.js';
import type { ConvertContext, AttrPlan } from './context.js';
import type { OpName } from '../../ops/index.js';
import { CONTROL_FLOW_CONVERTERS } from './control-flow.js';
import type { AttrKind } from '../../ops/op.js';

export type Converter = (ctx: ConvertContext) => void;

/** The ONNX op maps 1:1 onto the canonical op of the same name. */
const same = (plan: AttrPlan = {}): Converter => (ctx) => {
  ctx.emit(ctx.node.opType, ctx.node.inputs, ctx.attrsFor(ctx.node.opType, plan));
};

/** `attrs` moved to inputs (at `positions`) in a later opset: turn them into constant inputs. */
function attrsToInputs(moves: readonly { attr: string; at: number; make: (ctx: ConvertContext, v: readonly number[] | number) => string }[],
  plan: AttrPlan = {}): Converter {
  return (ctx) => {
    const inputs = [...ctx.node.inputs];
    const moved: string[] = [];
    for (const m of moves) {
      const v = ctx.attr(m.attr);
      if (v === undefined) continue;
      if (typeof v !== 'number' && !(Array.isArray(v) && v.every((x) => typeof x === 'number'))) ctx.typed(m.attr, 'floats');
      moved.push(m.attr);
      while (inputs.length < m.at) inputs.push('');
      inputs[m.at] = m.make(ctx, v as readonly number[] | number);
    }
    const op = ctx.node.opType;
    ctx.emit(op, inputs, ctx.attrsFor(op, { ...plan, drop: [...(plan.drop ?? []), ...moved] }));
  };
}
const int64Input = (hint: string) => (ctx: ConvertContext, v: readonly number[] | number) =>
  ctx.int64Const(hint, typeof v === 'number' ? [v] : v);
/** A scalar of the data input's element type (float32 when the model does not say). */
const scalarLikeInput = (hint: string) => (ctx: ConvertContext, v: readonly number[] | number) =>
  ctx.scalarConst(hint, ctx.dtypeOf(ctx.input(0)) ?? 'float32', v as number);

/** Reduce ops: `axes` was an attribute before it became an input (opset 13 / 18). */
const reduce = attrsToInputs([{ attr: 'axes', at: 1, make: int64Input('axes') }]);

/**
 * Softmax, LogSoftmax, Hardmax before opset 13 coerce the input to 2-D at `axis` (default 1):
 * flatten there, normalise the last axis, restore the shape.
 */
const coercedTo2d: Converter = (ctx) => {
  const op = ctx.node.opType;
  if (ctx.opset >= 13) return same()(ctx);
  const x = ctx.input(0);
  const shape = ctx.helper('Shape', [x]);
  const flat = ctx.helper('Flatten', [x], { axis: ctx.int('axis', 1) });
  const y = ctx.helper(op, [flat], { axis: -1 });
  ctx.emit('Reshape', [y, shape], {});
};

/**
 * Upsample and opset-10 Resize: (X, scales) sampled with the asymmetric coordinate map;
 * nearest rounds down when enlarging and up when shrinking (as onnxruntime does), so one
 * rounding mode must fit every axis.
 */
const upsample: Converter = (ctx) => {
  const scaleAttr = ctx.typed('scales', 'floats');
  if (!ctx.input(1) && !scaleAttr) throw new FormatError("has neither a 'scales' input nor a 'scales' attribute");
  const scales = ctx.input(1) || ctx.b.constant(`${ctx.node.name}/scales`, Tensor.from('float32', [scaleAttr!.length], scaleAttr!));
  const mode = ctx.typed('mode', 'string') ?? 'nearest';
  if (!['nearest', 'linear', 'bilinear'].includes(mode)) ctx.unsupported(`mode '${mode}'`);
  if (mode !== 'nearest') {
    return void ctx.emit('Resize', [ctx.input(0), '', scales], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' });
  }
  const values = ctx.b.constantOf(scales)?.toArray() ?? [];
  const shrinks = values.some((v) => v < 1);
  if (shrinks && values.some((v) => v > 1)) ctx.unsupported('nearest with scales both above and below 1');
  ctx.emit('Resize', [ctx.input(0), '', scales],
    { mode, coordinate_transformation_mode: 'asymmetric', nearest_mode: shrinks ? 'ceil' : 'floor' });
};

/**
 * Dropout that drops nothing (inference mode, or ratio 0): the data passes through and the
 * optional mask is all true. Training mode with a ratio above 0, or flags fed at run time, go to
 * the canonical Dropout, which drops by a hash of each element's index and the seed attribute.
 */
const dropout: Converter = (ctx) => {
  // undefined when the value is only known at run time
  const constant = (i: number, dflt: number) => (ctx.input(i) ? ctx.b.constantOf(ctx.input(i))?.numbers[0] : dflt);
  const training = constant(2, 0), ratio = constant(1, 0.5);
  if (training !== 0 && ratio !== 0) return void ctx.emit('Dropout', ctx.node.inputs, ctx.attrsFor('Dropout'), ctx.node.outputs);
  const [out, mask] = ctx.node.outputs;
  ctx.emit('Identity', [ctx.input(0)], {}, [out]);
  if (mask) {
    const shape = ctx.helper('Shape', [ctx.input(0)]);
    ctx.emit('ConstantOfShape', [shape], { value: Tensor.from('bool', [1], [1]) }, [mask]);
  }
};

/**
 * BatchNormalization; the older opsets' bookkeeping attributes go. Before opset 14 training
 * mode had other outputs (saved mean and variance), which Kiln does not give.
 */
const batchNorm: Converter = (ctx) => {
  if (ctx.int('spatial', 1) !== 1) ctx.unsupported('spatial=0 (per-activation statistics)');
  const training = ctx.node.outputs.slice(1).some((o) => o);
  if (training && ctx.opset < 14) ctx.unsupported(`training mode outputs of opset ${ctx.opset}`);
  const plan = { drop: ['spatial', 'is_test', 'consumed_inputs'] };
  ctx.emit('BatchNormalization', ctx.node.inputs, ctx.attrsFor('BatchNormalization', plan), ctx.node.outputs);
};

/**
 * Before opset 7, B broadcast onto A with its dims lined up from A's dim `axis`; give B the
 * trailing 1-dims that make numpy broadcasting line it up the same way.
 */
function alignedAt(ctx: ConvertContext, a: string, bIn: string, axis: number): string {
  const ra = ctx.rankOf(a), rb = ctx.rankOf(bIn);
  if (ra === undefined || rb === undefined) return ctx.unsupported('legacy broadcast of values of unknown rank');
  const trailing = ra - (axis < 0 ? axis + ra : axis) - rb;
  if (trailing <= 0) return bIn;
  const axes = Array.from({ length: trailing }, (_, i) => rb + i);
  return ctx.helper('Unsqueeze', [bIn, ctx.int64Const('axes', axes)]);
}

/** Binary ops before opset 7 could broadcast B from `axis`; only numpy broadcasting is canonical. */
const binary: Converter = (ctx) => {
  const plan = { drop: ['broadcast', 'axis', 'consumed_inputs'] };
  const op = ctx.node.opType;
  const axis = ctx.attr('axis');
  if (typeof axis !== 'number' || !ctx.int('broadcast', 0)) return same(plan)(ctx);
  const b = alignedAt(ctx, ctx.input(0), ctx.input(1), axis);
  ctx.emit(op, [ctx.input(0), b], ctx.attrsFor(op, plan));
};

/** PRelu before opset 7 applied a 1-D slope per channel (dim 1). */
const prelu: Converter = (ctx) => {
  if (ctx.opset >= 7 || ctx.rankOf(ctx.input(1)) !== 1) return unary(ctx);
  ctx.emit('PRelu', [ctx.input(0), alignedAt(ctx, ctx.input(0), ctx.input(1), 1)], ctx.attrsFor('PRelu', { drop: ['consumed_inputs'] }));
};

/** Constant's value attribute forms: the kind each must hold and the tensor it stands for. */
const CONSTANT_FORMS: Readonly<Record<string, readonly [AttrKind, (v: AttrValue) => Tensor]>> = {
  value: ['tensor', (v) => v as Tensor],
  value_float: ['float', (v) => Tensor.scalar('float32', v as number)],
  value_floats: ['floats', (v) => Tensor.from('float32', [(v as number[]).length], v as number[])],
  value_int: ['int', (v) => Tensor.scalar('int64', v as number)],
  value_ints: ['ints', (v) => Tensor.from('int64', [(v as number[]).length], v as number[])],
  value_string: ['string', (v) => new Tensor('string', [], [v as string])],
  value_strings: ['strings', (v) => new Tensor('string', [(v as string[]).length], [...(v as string[])])],
};

const constant: Converter = (ctx) => {
  const [form] = [...ctx.node.attrs.keys()];
  const spec = form === undefined ? undefined : CONSTANT_FORMS[form];
  if (!spec) return ctx.unsupported(`value attribute '${form ?? '(none)'}'`);
  const v = ctx.typed(form, spec[0]);
  if (v === undefined || !ctx.node.outputs[0]) throw new FormatError('a Constant needs one value attribute and one output');
  ctx.b.addConstant(ctx.node.outputs[0], spec[1](v));
};

const castLike: Converter = (ctx) => {
  const to = ctx.dtypeOf(ctx.input(1));
  if (!to) return ctx.unsupported('target type unknown (the model does not declare the type of input 2)');
  ctx.emit('Cast', [ctx.input(0)], { to });
};

const split: Converter = (ctx) => {
  const attrs = ctx.attrsFor('Split', { drop: ['split'] });
  const splitAttr = ctx.ints('split');
  const sizes = splitAttr ? ctx.int64Const('split', splitAttr) : ctx.input(1);
  ctx.emit('Split', [ctx.input(0), sizes], attrs);
};

const pad: Converter = (ctx) => {
  const pads = ctx.ints('pads') ?? ctx.ints('paddings');
  if (!pads) return same()(ctx);
  const value = ctx.typed('value', 'float');
  const inputs = [ctx.input(0), ctx.int64Const('pads', pads)];
  if (value) inputs.push(scalarLikeInput('value')(ctx, value));
  ctx.emit('Pad', inputs, ctx.attrsFor('Pad', { drop: ['pads', 'paddings', 'value'] }));
};

const clip = attrsToInputs([
  { attr: 'min', at: 1, make: scalarLikeInput('min') },
  { attr: 'max', at: 2, make: scalarLikeInput('max') },
], { drop: ['consumed_inputs'] });

const concat: Converter = (ctx) =>
  same({ set: ctx.attr('axis') === undefined && ctx.opset < 4 ? { axis: 1 } : {} })(ctx);

const unary = same({ drop: ['consumed_inputs'] });

/** Swish (opset 24) is x * sigmoid(alpha * x). */
const swish: Converter = (ctx) => {
  const x = ctx.input(0);
  const alpha = ctx.typed('alpha', 'float') ?? 1;
  const scaled = alpha === 1 ? x : ctx.helper('Mul', [x, scalarLikeInput('alpha')(ctx, alpha)]);
  ctx.emit('Mul', [x, ctx.helper('Sigmoid', [scaled])], {});
};

/**
 * RMSNormalization (opset 23): x / sqrt(mean(x^2 over axis..last) + epsilon) * scale, the
 * statistics computed in float32 (stash_type 1) and the result cast back to x's type.
 */
const rmsNormalization: Converter = (ctx) => {
  const x = ctx.input(0);
  const rank = ctx.rankOf(x), dtype = ctx.dtypeOf(x);
  if (rank === undefined || !dtype) return ctx.unsupported('input of unknown type');
  if (ctx.int('stash_type', 1) !== 1) ctx.unsupported(`stash_type ${ctx.int('stash_type', 1)}`);
  const axis = ctx.int('axis', -1);
  const first = axis < 0 ? axis + rank : axis;
  const wide = dtype === 'float32' ? x : ctx.helper('Cast', [x], { to: 'float32' });
  const meanSquare = ctx.helper('ReduceMean', [ctx.helper('Mul', [wide, wide]),
    ctx.int64Const('axes', Array.from({ length: rank - first }, (_, i) => first + i))], { keepdims: 1 });
  const eps = ctx.scalarConst('epsilon', 'float32', ctx.typed('epsilon', 'float') ?? 1e-5);
  const normed = ctx.helper('Div', [wide, ctx.helper('Sqrt', [ctx.helper('Add', [meanSquare, eps])])]);
  const back = dtype === 'float32' ? normed : ctx.helper('Cast', [normed], { to: dtype });
  ctx.emit('Mul', [back, ctx.input(1)], {});
};

/** Q/DQ: output_dtype and precision are ONNX type numbers where 0 means "not given". */
const quantizeLinear: Converter = (ctx) => {
  const typed = ['output_dtype', 'precision'].filter((a) => ctx.attr(a) !== undefined);
  const given = typed.filter((a) => ctx.attr(a) !== 0);
  const op = ctx.node.opType;
  ctx.emit(op, ctx.node.inputs, ctx.attrsFor(op, { dtypes: given, drop: typed.filter((a) => !given.includes(a)) }));
};

const REWRITES: Readonly<Record<string, Converter>> = {
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary,
  And: binary, Or: binary, Xor: binary, Equal: binary, Less: binary, Greater: binary,
  Abs: unary, Neg: unary, Reciprocal: unary, Floor: unary, Ceil: unary, Sqrt: unary, Exp: unary,
  Log: unary, Relu: unary, LeakyRelu: unary, Elu: unary, Selu: unary, Sigmoid: unary,
  HardSigmoid: unary, Tanh: unary, PRelu: prelu, Max: unary, Min: unary, Sum: unary, Mean: unary,
  Softmax: coercedTo2d, LogSoftmax: coercedTo2d, Hardmax: coercedTo2d,
  Reshape: attrsToInputs([{ attr: 'shape', at: 1, make: int64Input('shape') }], { drop: ['consumed_inputs'] }),
  Squeeze: attrsToInputs([{ attr: 'axes', at: 1, make: int64Input('axes') }]),
  Unsqueeze: attrsToInputs([{ attr: 'axes', at: 1, make: int64Input('axes') }]),
  Slice: attrsToInputs([
    { attr: 'starts', at: 1, make: int64Input('starts') },
    { attr: 'ends', at: 2, make: int64Input('ends') },
    { attr: 'axes', at: 3, make: int64Input('axes') },
  ]),
  TopK: attrsToInputs([{ attr: 'k', at: 1, make: int64Input('k') }]),
  ReduceSum: reduce, ReduceMean: reduce, ReduceMax: reduce, ReduceMin: reduce, ReduceProd: reduce,
  ReduceL1: reduce, ReduceL2: reduce, ReduceLogSum: reduce, ReduceLogSumExp: reduce, ReduceSumSquare: reduce,
  Clip: clip, Pad: pad, Split: split, Concat: concat,
  Upsample: upsample,
  Resize: (ctx) => (ctx.opset < 11 ? upsample(ctx) : same()(ctx)),
  Dropout: dropout,
  BatchNormalization: batchNorm,
  Gemm: same({ drop: ['broadcast'] }),
  Cast: same({ dtypes: ['to'], drop: ['saturate', 'round_mode'] }),
  CastLike: castLike,
  EyeLike: same({ dtypes: ['dtype'] }),
  Scatter: (ctx) => ctx.emit('ScatterElements', ctx.node.inputs, ctx.attrsFor('ScatterElements')),
  Constant: constant,
  Swish: swish,
  RMSNormalization: rmsNormalization,
  QuantizeLinear: quantizeLinear, DequantizeLinear: quantizeLinear,
};

/** The canonical op names that are also ONNX ops of the same meaning. */
const PASS_THROUGH = [
  'Round', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh',
  'Erf', 'Sign', 'Not', 'IsNaN', 'IsInf', 'Celu', 'HardSwish', 'Softplus', 'Softsign', 'Gelu', 'Mish',
  'ThresholdedRelu', 'Shrink', 'Mod', 'LessOrEqual', 'GreaterOrEqual', 'Where', 'BitShift',
  'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot',
  'ArgMax', 'ArgMin', 'CumSum',
  'Conv', 'ConvTranspose', 'MatMul', 'Einsum',
  'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'LpNormalization', 'LRN',
  'MeanVarianceNormalization',
  'MaxPool', 'AveragePool', 'LpPool', 'GlobalMaxPool', 'GlobalAveragePool', 'GlobalLpPool',
  'Identity', 'Shape', 'Size', 'Flatten', 'Expand', 'ConstantOfShape', 'Range',
  'Transpose', 'Tile', 'DepthToSpace', 'SpaceToDepth', 'Trilu',
  'Gather', 'GatherElements', 'GatherND', 'ScatterND', 'ScatterElements', 'OneHot', 'NonZero',
  'NonMaxSuppression', 'DynamicQuantizeLinear', 'MatMulInteger', 'QLinearMatMul', 'ConvInteger', 'QLinearConv',
  'CumProd', 'CenterCropPad', 'Compress',
  'RNN', 'GRU', 'LSTM', 'Attention', 'RotaryEmbedding',
] as const satisfies readonly OpName[];

export const ONNX_OPS: Readonly<Record<string, Converter>> = {
  ...Object.fromEntries(PASS_THROUGH.map((op) => [op, same()])),
  ...REWRITES,
  ...CONTROL_FLOW_CONVERTERS,
};
