// Image inputs: Kiln's bilinear resize against TF.js's tf.image.resizeBilinear (cpu backend) in all
// three coordinate modes, up and down and non-square, on the mandrill photo from npm; then the
// layout, channel order, scale, mean and std of imageTensor against that resized image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { decodeImage, imageTensor, resizeBilinear, RESIZE_MODES, type ResizeMode } from '../../src/io/image.js';

function mandrill() {
  const uri = createRequire(import.meta.url)('baboon-image-uri') as string;
  return decodeImage(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64'), 'mandrill');
}

const TFJS_FLAGS: Record<ResizeMode, [alignCorners: boolean, halfPixelCenters: boolean]> = {
  'asymmetric': [false, false], 'align-corners': [true, false], 'half-pixel': [false, true],
};

test('resizeBilinear matches tf.image.resizeBilinear in every mode, up and down, non-square', async () => {
  await tf.setBackend('cpu');
  const img = mandrill();
  const rgb = new Int32Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c];
  const source = tf.tensor3d(rgb, [img.height, img.width, 3], 'int32').toFloat() as tf.Tensor3D;
  for (const mode of RESIZE_MODES) {
    for (const [h, w] of [[224, 224], [37, 53], [128, 128], [1, 5]]) {
      const want = tf.image.resizeBilinear(source, [h, w], ...TFJS_FLAGS[mode]).dataSync();
      const got = resizeBilinear(img, h, w, mode);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i] - got[i]));
      assert.ok(diff < 1e-3, `${mode} to ${h}x${w}: max |diff| ${diff}`);
    }
  }
});

test('imageTensor lays out, orders, scales and normalises the resized pixels', () => {
  const img = mandrill();
  const rgb = resizeBilinear(img, 20, 30, 'half-pixel');
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const base = { height: 20, width: 30, resize: 'half-pixel' as const, scale: 1 / 255, mean, std };
  const nchwBgr = imageTensor(img, { ...base, channels: 3, layout: 'nchw', order: 'bgr', dtype: 'float32' });
  assert.deepEqual(nchwBgr.shape, [1, 3, 20, 30]);
  const nhwc = imageTensor(img, { ...base, channels: 3, layout: 'nhwc', order: 'rgb', dtype: 'float32' });
  assert.deepEqual(nhwc.shape, [1, 20, 30, 3]);
  for (const p of [0, 17, 599]) {
    for (let c = 0; c < 3; c++) {
      const want = (rgb[p * 3 + c] / 255 - mean[c]) / std[c];
      assert.ok(Math.abs(nhwc.numbers[p * 3 + c] - want) < 1e-5);
      const bgr = (rgb[p * 3 + 2 - c] / 255 - mean[c]) / std[c];
      assert.ok(Math.abs(nchwBgr.numbers[c * 600 + p] - bgr) < 1e-5);
    }
  }
  const grey = imageTensor(img, { ...base, scale: 1, mean: [0], std: [1], channels: 1, layout: 'nhwc', order: 'rgb', dtype: 'uint8' });
  assert.deepEqual(grey.shape, [1, 20, 30, 1]);
  assert.equal(grey.numbers[17], Math.round((rgb[51] + rgb[52] + rgb[53]) / 3));
});
