// Bilinear resizing of RGBA pixels as TF.js's tf.image.resizeBilinear computes it (asymmetric,
// align-corners and half-pixel coordinates). No Node or DOM APIs: the CLI and the web demo's page share it.

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** How TF.js's resizeBilinear maps output to input coordinates. */
export const RESIZE_MODES = ['asymmetric', 'align-corners', 'half-pixel'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];
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

