// Image input for the demo: the mandrill prepared as nsfwjs prepares an image — RGB scaled to
// [0,1], resized bilinearly with aligned corners to 224x224 — with Kiln's own image code (src/io/image.ts).
import { imageTensor, type RgbaImage } from '../src/io/image.js';
import type { Tensor } from '../src/ir/tensor.js';

export { decodeImage } from '../src/io/image.js';

/** A [1, size, size, 3] float32 tensor: RGB / 255, bilinear resize with align_corners. */
export function nsfwjsInput(img: RgbaImage, size: number): Tensor {
  return imageTensor(img, {
    height: size, width: size, channels: 3, layout: 'nhwc', order: 'rgb', resize: 'align-corners',
    scale: 1 / 255, mean: [0], std: [1], dtype: 'float32',
  });
}

/** The RGB bytes of an image as a [height, width, 3] array, what tf.browser.fromPixels yields. */
export function rgbPixels(img: RgbaImage): Int32Array {
  const rgb = new Int32Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c];
  }
  return rgb;
}
