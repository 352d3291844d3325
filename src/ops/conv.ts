// Convolutions: Conv and ConvTranspose over 1 to 3 spatial axes, channels-first, grouped,
// with ONNX's padding rules. Kernels live in nn-conv.ts, window geometry in nn-window.ts.
import { ShapeError, UnsupportedError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { isFloat } from '../ir/dtype.js';
import { fmtShape, numel, type Dim } from '../ir/shape.js';
import { attr, defineOp, type OpTable } from './op.js';
import { convSchedule, convTransposeSchedule } from './conv-schedule.js';
import { convCompute, convTransposeCompute } from './nn-compute.js';
import { convForward, convTransposeForward } from './nn-conv.js';
import { slidingWindow, spatialOf, windowDims, windowPadAbsorption, windowSteps, type Window, type WindowAttrs } from './nn-window.js';

const windowAttrs = {
  auto_pad: attr.string('NOTSET'),
  dilations: attr.ints(),
  group: attr.int(1),
  kernel_shape: attr.ints(),
  pads: attr.ints(),
  strides: attr.ints(),
};

const clash = (a: Dim, b: Dim) => typeof a === 'number' && typeof b === 'number' && a !== b;

interface Operands {
  readonly x: ValueInfo;
  readonly spatial: readonly Dim[];
  readonly kernel: readonly number[];
  /** Output channels. */
  readonly m: Dim;
}

/**
 * Checks X, W and B of a (transposed) convolution: ranks, dtypes, channels against group,
 * kernel_shape against W, bias length. W is [M, C/group, k...] for Conv and
 * [C, M/group, k...] for ConvTranspose.
 */
function operands(op: string, inputs: readonly (ValueInfo | undefined)[], group: number,
  kernelShape: readonly number[] | undefined, transpose: boolean, symbol: (hint: string) => Dim): Operands {
  const [x, w, b] = inputs;
  const spatial = spatialOf(op, x, 'X');
  if (!w || w.shape.length !== x!.shape.length) {
    throw new ShapeError(`${op}: W ${w ? fmtShape(w.shape) : 'is missing'}; it must have the rank of X ${fmtShape(x!.shape)}`);
  }
  if (!isFloat(x!.dtype)) throw new UnsupportedError(`${op}: X must be a float tensor, got ${x!.dtype}`);
  if (w.dtype !== x!.dtype) throw new ShapeError(`${op}: W is ${w.dtype} but X is ${x!.dtype}`);
  if (!(Number.isInteger(group) && group >= 1)) throw new ShapeError(`${op}: group ${group} must be a positive integer`);
  const c = x!.shape[1], [w0, w1] = w.shape;
  const wKernel = w.shape.slice(2);
  const kernel = kernelShape ?? wKernel.map((d) => {
    if (typeof d !== 'number') throw new ShapeError(`${op}: kernel dims of W ${fmtShape(w.shape)} must be static or given by kernel_shape`);
    return d;
  });
  if (kernel.length !== spatial.length || kernel.some((k, i) => clash(k, wKernel[i]))) {
    throw new ShapeError(`${op}: kernel_shape ${fmtShape(kernel)} does not match W ${fmtShape(w.shape)}`);
  }
  const inPerGroup = transpose ? w0 : w1;
  const cOk = transpose ? !clash(c, w0) && (typeof c !== 'number' || c % group === 0)
    : typeof c !== 'number' || typeof w1 !== 'number' || c === w1 * group;
  if (!cOk) {
    throw new ShapeError(`${op}: X has ${c} channels but W ${fmtShape(w.shape)} with group ${group} expects ` +
      `${transpose ? inPerGroup : `${inPerGroup}*${group}`} (channels must split evenly into groups)`);
  }
  if (!transpose && typeof w0 === 'number' && w0 % group !== 0) {
    throw new ShapeError(`${op}: group ${group} does not divide the ${w0} output channels of W ${fmtShape(w.shape)}`);
  }
  const m = transpose ? (typeof w1 === 'number' ? w1 * group : (group === 1 ? w1 : symbol('channels'))) : w0;
  if (b && (b.shape.length !== 1 || clash(b.shape[0], m))) {
    throw new ShapeError(`${op}: bias ${fmtShape(b.shape)} must be [${m}], one value per output channel`);
  }
  return { x: x!, spatial, kernel, m };
}

export type TransposeAttrs = WindowAttrs & { readonly output_padding?: readonly number[]; readonly output_shape?: readonly number[] };

/**
 * ConvTranspose's output size and begin/end pads per spatial axis, from explicit pads,
 * auto_pad or a requested output_shape; undefined for a symbolic axis whose size follows
 * only at run time.
 */
function transposeAxes(spatial: readonly Dim[], kernel: readonly number[], a: TransposeAttrs) {
  const op = 'ConvTranspose', rank = spatial.length;
  const steps = windowSteps(op, a, rank);
  const outPad = a.output_padding ?? new Array<number>(rank).fill(0);
  if (outPad.length !== rank) throw new ShapeError(`${op}: output_padding [${outPad.join(',')}] needs ${rank} entries`);
  // older exporters give output_shape with N and C in front: the spatial part is the tail
  const wanted = a.output_shape?.slice(-rank);
  if (wanted && wanted.length !== rank) throw new ShapeError(`${op}: output_shape [${a.output_shape!.join(',')}] needs ${rank} entries`);
  const axes = spatial.map((size, i): [out: number, pb: number, pe: number] | undefined => {
    if (typeof size !== 'number') return wanted && [wanted[i], 0, 0];
    const full = steps.strides[i] * (size - 1) + outPad[i] + (kernel[i] - 1) * steps.dilations[i] + 1;
    if (wanted || a.auto_pad.startsWith('SAME')) {
      const o = wanted ? wanted[i] : size * steps.strides[i];
      const total = full - o, half = Math.floor(total / 2);
      return a.auto_pad === 'SAME_UPPER' ? [o, half, total - half] : [o, total - half, half];
    }
    if (a.auto_pad === 'VALID') return [full, 0, 0];
    const [pb, pe] = [steps.padsBegin[i], steps.padsEnd[i]];
    if (!(full - pb - pe >= 1)) throw new ShapeError(`${op}: pads [${a.pads!.join(',')}] leave no output for input ${fmtShape(spatial)}`);
    return [full - pb - pe, pb, pe];
  });
  return { axes, steps };
}

export function transposeWindow(spatial: readonly number[], kernel: readonly number[], a: TransposeAttrs): Window {
  const { axes, steps } = transposeAxes(spatial, kernel, a);
  const at = (k: number) => axes.map((r) => r![k]);
  return { kernel, strides: steps.strides, dilations: steps.dilations, padsBegin: at(1), padsEnd: at(2), out: at(0) };
}

export const convOps = {
  Conv: defineOp({
    attrs: windowAttrs,
    inputs: [2, 3],
    fusion: 'out-fusable',
    infer: ({ attrs, inputs, symbol }) => {
      const { x, spatial, kernel, m } = operands('Conv', inputs, attrs.group, attrs.kernel_shape, false, symbol);
      const out = windowDims('Conv', spatial, kernel, attrs, false, symbol);
      return [{ dtype: x.dtype, shape: [x.shape[0], m, ...out] }];
    },
    run: ({ attrs, inputs: [x, w, b] }) => {
      const kernel = attrs.kernel_shape ?? w!.shape.slice(2);
      const win = slidingWindow('Conv', x!.shape.slice(2), kernel, attrs);
      return [convForward(x!, w!, b, win, attrs.group)];
    },
    compute: convCompute,
    schedule: convSchedule,
    // a Pad by zeros is the conv's own padding
    absorbPad: ({ attrs }) => windowPadAbsorption(attrs, 0),
    // W is [M, C/group, k...]: output channel o scales W's row o
    channelWeights: () => ({ outputAxis: 1, weight: 1, weightAxis: 0, bias: { input: 2, scale: 1, unitScale: {} } }),
    macs: ({ inputs, outputs }) => numel(outputs[0].shape as number[]) * numel(inputs[1]!.shape.slice(1) as number[]),
  }),

  ConvTranspose: defineOp({
    attrs: { ...windowAttrs, output_padding: attr.ints(), output_shape: attr.ints() },
    inputs: [2, 3],
    fusion: 'out-fusable',
    infer: ({ attrs, inputs, symbol }) => {
      const { x, spatial, kernel, m } = operands('ConvTranspose', inputs, attrs.group, attrs.kernel_shape, true, symbol);
      const { axes, steps } = transposeAxes(spatial, kernel, attrs);
      const out = axes.map((r, i) => r ? r[0]
        : attrs.auto_pad.startsWith('SAME') && steps.strides[i] === 1 ? spatial[i] : symbol('convtranspose_out'));
      return [{ dtype: x.dtype, shape: [x.shape[0], m, ...out] }];
    },
    run: ({ attrs, inputs: [x, w, b] }) => {
      const kernel = attrs.kernel_shape ?? w!.shape.slice(2);
      const win = transposeWindow(x!.shape.slice(2), kernel, attrs);
      return [convTransposeForward(x!, w!, b, win, attrs.group)];
    },
    compute: (ctx) => {
      const [x, w] = ctx.inputs;
      return convTransposeCompute(ctx, transposeWindow(x!.shape.slice(2), ctx.attrs.kernel_shape ?? w!.shape.slice(2), ctx.attrs));
    },
    schedule: (ctx) => {
      if (ctx.outputs[0].length !== 4) return [];
      const [x, w] = [ctx.inputs[0]!.info.shape, ctx.inputs[1]!.info.shape] as number[][];
      return convTransposeSchedule(ctx, transposeWindow(x.slice(2), ctx.attrs.kernel_shape ?? w.slice(2), ctx.attrs));
    },
    // every input element meets every tap of its group's M/group output channels
    macs: ({ inputs }) => numel(inputs[0]!.shape as number[]) * numel(inputs[1]!.shape.slice(1) as number[]),
  }),
} satisfies OpTable;
