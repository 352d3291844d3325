// Images as model inputs: decode a PNG or JPEG (pngjs, jpeg-js), resize bilinearly (TF.js's
// resizeBilinear, with its align-corners and half-pixel variants), scale, normalise, order the
// channels and lay the pixels out as the input wants (NHWC or NCHW).
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { FormatError, InputError } from '../errors.js';
import { allocData, isFloat, type DType } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { resizeBilinear, type ResizeMode, type RgbaImage } from './resize.js';

export { RESIZE_MODES, resizeBilinear, type ResizeMode, type RgbaImage } from './resize.js';

export function decodeImage(bytes: Uint8Array, source: string): RgbaImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buf[0] === 0x89 && buf.toString('latin1', 1, 4) === 'PNG') {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, data: png.data };
    }
    if (buf[0] === 0xff && buf[1] === 0xd8) {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    throw new FormatError(`${source}: the image does not decode (${(e as Error).message}); give an intact PNG or JPEG`);
  }
  throw new FormatError(`${source}: not a PNG or JPEG image`);
}

export const LAYOUTS = ['nhwc', 'nchw'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface ImagePreprocess {
  readonly height: number;
  readonly width: number;
  /** Channels the model takes: 3 (RGB or BGR) or 1 (grey, the mean of R, G and B). */
  readonly channels: 1 | 3;
  readonly layout: Layout;
  readonly order: 'rgb' | 'bgr';
  readonly resize: ResizeMode;
  /** value = (byte * scale - mean[c]) / std[c], c in the model's channel order. */
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly dtype: DType;
}

/** The model input made from `img`: [1, H, W, C] or [1, C, H, W]. */
export function imageTensor(img: RgbaImage, p: ImagePreprocess): Tensor {
  const { height: h, width: w, channels } = p;
  const rgb = resizeBilinear(img, h, w, p.resize);
  const plane = h * w;
  if (p.dtype === 'string' || p.dtype === 'bool') throw new InputError(`an image cannot feed an input of dtype ${p.dtype}`);
  const out = allocData(p.dtype, plane * channels) as Float32Array;
  const integer = !isFloat(p.dtype);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) {
      const byte = channels === 1 ? (rgb[i * 3] + rgb[i * 3 + 1] + rgb[i * 3 + 2]) / 3 : rgb[i * 3 + (p.order === 'bgr' ? 2 - c : c)];
      const v = (byte * p.scale - (p.mean[c] ?? p.mean[0])) / (p.std[c] ?? p.std[0]);
      out[p.layout === 'nhwc' ? i * channels + c : c * plane + i] = integer ? Math.round(v) : v;
    }
  }
  const shape = p.layout === 'nhwc' ? [1, h, w, channels] : [1, channels, h, w];
  return new Tensor(p.dtype, shape, out);
}
