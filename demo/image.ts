// Image input for the demo: decode a PNG or JPEG and make the tensor an image classifier
// reads — RGB scaled to [0,1], resized bilinearly with aligned corners, as nsfwjs prepares it.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { FormatError } from '../src/errors.js';
import { Tensor } from '../src/ir/tensor.js';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  readonly data: Uint8Array;
}

export function decodeImage(bytes: Uint8Array, source: string): RgbaImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0x89 && buf.toString('latin1', 1, 4) === 'PNG') {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: png.data };
  }
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new FormatError(`${source}: not a PNG or JPEG image`);
}

/** A [1, size, size, 3] float32 tensor: RGB / 255, bilinear resize with align_corners. */
export function imageTensor(img: RgbaImage, size: number): Tensor {
  const out = new Float32Array(size * size * 3);
  // align_corners: the corner pixels of input and output coincide
  const scaleY = size > 1 ? (img.height - 1) / (size - 1) : 0;
  const scaleX = size > 1 ? (img.width - 1) / (size - 1) : 0;
  const pixel = (y: number, x: number, c: number) => img.data[(y * img.width + x) * 4 + c] / 255;
  for (let oy = 0; oy < size; oy++) {
    const sy = oy * scaleY, y0 = Math.floor(sy), y1 = Math.min(y0 + 1, img.height - 1), fy = sy - y0;
    for (let ox = 0; ox < size; ox++) {
      const sx = ox * scaleX, x0 = Math.floor(sx), x1 = Math.min(x0 + 1, img.width - 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top = pixel(y0, x0, c) + (pixel(y0, x1, c) - pixel(y0, x0, c)) * fx;
        const bottom = pixel(y1, x0, c) + (pixel(y1, x1, c) - pixel(y1, x0, c)) * fx;
        out[(oy * size + ox) * 3 + c] = top + (bottom - top) * fy;
      }
    }
  }
  return new Tensor('float32', [1, size, size, 3], out);
}

/** The RGB bytes of an image as a [height, width, 3] array, what tf.browser.fromPixels yields. */
export function rgbPixels(img: RgbaImage): Int32Array {
  const rgb = new Int32Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c];
  }
  return rgb;
}
