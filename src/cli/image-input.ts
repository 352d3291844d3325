// `--input NAME=photo.jpg`: an image fed to a 4-D input, prepared by the flags (--layout, --resize,
// --scale, --mean, --std, --channels) or by defaults read off the input: its layout from where
// the 1 or 3 channels sit, its size from its dims (the image's own where they are symbolic),
// floats scaled to [0,1] and integers left as bytes.
import { InputError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { decodeImage, imageTensor, LAYOUTS, RESIZE_MODES, type Layout, type ResizeMode } from '../io/image.js';
import type { Signature } from './run.js';

export interface ImageFlags {
  readonly layout?: string;
  readonly resize?: string;
  readonly scale?: string;
  readonly mean?: string;
  readonly std?: string;
  readonly channels?: string;
}

const isChannels = (d: Dim) => d === 1 || d === 3;

function layoutOf(input: Signature, flag: string | undefined): Layout {
  if (flag !== undefined) {
    const l = LAYOUTS.find((x) => x === flag.toLowerCase());
    if (!l) throw new InputError(`--layout must be one of ${LAYOUTS.join(', ')}, got '${flag}'`);
    return l;
  }
  if (isChannels(input.shape[3])) return 'nhwc';
  if (isChannels(input.shape[1])) return 'nchw';
  throw new InputError(`cannot tell where the channels of input '${input.name}' ${fmtShape(input.shape)} are (no dim of 1 or 3 at axis 1 or 3); give --layout nhwc or --layout nchw`);
}

function numberList(option: string, text: string | undefined, fallback: number): number[] {
  if (text === undefined) return [fallback];
  const values = text.split(',').map((s) => parseFraction(s.trim()));
  if (!values.length || values.some((v) => !Number.isFinite(v))) throw new InputError(`${option} takes numbers separated by commas (one, or one per channel), got '${text}'`);
  return values;
}

/** '0.5', '1/255' or '-1'. */
function parseFraction(text: string): number {
  const [a, b, extra] = text.split('/');
  if (extra !== undefined || a.trim() === '') return NaN;
  return b === undefined ? Number(a) : Number(a) / Number(b);
}

export function imageFeed(file: string, bytes: Uint8Array, input: Signature, flags: ImageFlags): Tensor {
  if (input.shape.length !== 4) throw new InputError(`--input ${input.name}=${file}: an image feeds a 4-D input (NHWC or NCHW), but '${input.name}' has shape ${fmtShape(input.shape)}; give a .npy file`);
  if (input.dtype === 'string' || input.dtype === 'bool') throw new InputError(`--input ${input.name}=${file}: input '${input.name}' is ${input.dtype}, which an image cannot feed`);
  const img = decodeImage(bytes, file);
  const layout = layoutOf(input, flags.layout);
  const [hAxis, wAxis, cAxis] = layout === 'nhwc' ? [1, 2, 3] : [2, 3, 1];
  const dim = (axis: number, own: number) => (typeof input.shape[axis] === 'number' ? input.shape[axis] as number : own);
  const channels = dim(cAxis, 3);
  if (channels !== 1 && channels !== 3) throw new InputError(`--input ${input.name}=${file}: input '${input.name}' ${fmtShape(input.shape)} has ${channels} channels; an image gives 1 (grey) or 3; give --layout if the channels are elsewhere`);
  const order = (flags.channels ?? 'rgb').toLowerCase();
  if (order !== 'rgb' && order !== 'bgr') throw new InputError(`--channels must be rgb or bgr, got '${flags.channels}'`);
  const resize = RESIZE_MODES.find((m) => m === (flags.resize ?? 'asymmetric'));
  if (!resize) throw new InputError(`--resize must be one of ${RESIZE_MODES.join(', ')}, got '${flags.resize}'`);
  const [scale] = numberList('--scale', flags.scale, isFloat(input.dtype) ? 1 / 255 : 1);
  const mean = numberList('--mean', flags.mean, 0), std = numberList('--std', flags.std, 1);
  for (const [option, values] of [['--mean', mean], ['--std', std]] as const) {
    if (values.length !== 1 && values.length !== channels) throw new InputError(`${option} gives ${values.length} values; give 1 or one per channel (${channels})`);
  }
  if (std.some((s) => s === 0)) throw new InputError('--std must not be 0');
  return imageTensor(img, {
    height: dim(hAxis, img.height), width: dim(wAxis, img.width), channels, layout,
    order, resize: resize as ResizeMode, scale, mean, std, dtype: input.dtype,
  });
}
