// Images as model inputs: decode a PNG or JPEG (pngjs, jpeg-js), resize bilinearly (TF.js's
// resizeBilinear, with its align-corners and half-pixel variants), scale, normalise, order the
// channels and lay the pixels out as the input wants (NHWC or NCHW).
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { FormatError, InputError } from '../errors.js';
import { allocData, isFloat, type DType } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  readonly data: Uint8Array;
}

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

/** How TF.js's resizeBilinear maps output to input coordinates. */
export const RESIZE_MODES = ['asymmetric', 'align-corners', 'half-pixel'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];
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

/** RGB bytes resized to height x width: [h, w, 3] floats, as tf.image.resizeBilinear computes them. */
export function resizeBilinear(img: RgbaImage, height: number, width: number, mode: ResizeMode): Float32Array {
  const out = new Float32Array(height * width * 3);
  const ratio = (inSize: number, outSize: number) => (mode === 'align-corners' && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize);
  const ry = ratio(img.height, height), rx = ratio(img.width, width);
  const source = (o: number, r: number) => (mode === 'half-pixel' ? Math.max(0, (o + 0.5) * r - 0.5) : o * r);
  const px = (y: number, x: number, c: number) => img.data[(y * img.width + x) * 4 + c];
  for (let oy = 0; oy < height; oy++) {
    const sy = source(oy, ry), y0 = Math.min(Math.floor(sy), img.height - 1), y1 = Math.min(y0 + 1, img.height - 1), fy = sy - y0;
    for (let ox = 0; ox < width; ox++) {
      const sx = source(ox, rx), x0 = Math.min(Math.floor(sx), img.width - 1), x1 = Math.min(x0 + 1, img.width - 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top = px(y0, x0, c) + (px(y0, x1, c) - px(y0, x0, c)) * fx;
        const bottom = px(y1, x0, c) + (px(y1, x1, c) - px(y1, x0, c)) * fx;
        out[(oy * width + ox) * 3 + c] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
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
