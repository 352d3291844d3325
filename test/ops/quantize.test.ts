// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear against onnxruntime-node on both Kiln
// engines, exactly: per tensor, per axis, blocked, every 8/16-bit type, negative zero points,
// ties (round half to even) and values far past the saturation limits; and the shape errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/errors.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { rng } from '../../src/io/random.js';
import { buildNodeModel, dtype as dtypeAttr } from '../util/onnx-builder.js';
import { inferNode } from './nn-helpers.js';
import { matchesOrtOnBoth } from './three-engines.js';

const RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535] };

/** x values reaching past the type's range at `scale`, with exact ties (k + 0.5) * scale mixed in. */
function quantInput(shape: readonly number[], scale: number, zp: number, q: DType, seed: number): Tensor {
  const next = rng(seed), [lo, hi] = RANGE[q];
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => {
    // two elements far past each limit
    if (i === 1 || i === 2) return (i === 1 ? lo - zp - 1000.5 : hi - zp + 999.5) * scale;
    const level = lo - zp - 20 + next() * (hi - lo + 40);
    return (i % 3 === 0 ? Math.floor(level) + 0.5 : level) * scale;
  });
  return Tensor.from('float32', shape, values);
}

const quantizeModel = (x: Tensor, scale: Tensor, zp: Tensor | undefined, attrs: Record<string, number>, op = 'QuantizeLinear') => buildNodeModel({
  op, inputs: [{ name: 'x', dtype: x.dtype, shape: x.shape }],
  initializers: { scale, ...(zp ? { zp } : {}) },
  outputs: [{ name: 'y', dtype: op === 'QuantizeLinear' ? (zp?.dtype ?? 'uint8') : scale.dtype }],
  attrs, opset: 21,
});

for (const q of ['int8', 'uint8', 'int16', 'uint16'] as const) {
  test(`QuantizeLinear and DequantizeLinear to ${q}, per tensor, match onnxruntime exactly`, async () => {
    const zp = q === 'int8' ? -7 : q === 'int16' ? -300 : q === 'uint8' ? 131 : 40000;
    // a power-of-two scale makes the ties exact; the other one rounds in the division
    for (const scale of [0.125, 0.0371]) {
      const x = quantInput([3, 5, 7], scale, zp, q, 11);
      const scaleT = Tensor.scalar('float32', scale), zpT = Tensor.scalar(q, zp);
      const { ort } = await matchesOrtOnBoth(quantizeModel(x, scaleT, zpT, {}), { x }, `Q ${q} scale ${scale}`);
      const y = ort.get('y')!;
      assert.ok(y.numbers.includes(RANGE[q][0]) && y.numbers.includes(RANGE[q][1]), 'the data reaches both saturation limits');
      await matchesOrtOnBoth(quantizeModel(y, scaleT, zpT, {}, 'DequantizeLinear'), { x: y }, `DQ ${q} scale ${scale}`);
    }
  });
}

test('QuantizeLinear without a zero point gives uint8; output_dtype picks int8', async () => {
  const x = quantInput([4, 9], 0.5, 0, 'int8', 3);
  await matchesOrtOnBoth(quantizeModel(x, Tensor.scalar('float32', 0.5), undefined, {}), { x }, 'Q no zero point');
  const model = buildNodeModel({
    op: 'QuantizeLinear', inputs: [{ name: 'x', dtype: 'float32', shape: x.shape }],
    initializers: { scale: Tensor.scalar('float32', 0.5) }, outputs: [{ name: 'y', dtype: 'int8' }],
    attrs: { output_dtype: dtypeAttr('int8') }, opset: 21,
  });
  await matchesOrtOnBoth(model, { x }, 'Q output_dtype int8');
});

test('per-axis QuantizeLinear and DequantizeLinear, negative axis and negative zero points, match onnxruntime', async () => {
  for (const [shape, axis] of [[[2, 6, 5], 1], [[3, 4, 7], -1], [[5, 3], 0]] as const) {
    const a = axis < 0 ? axis + shape.length : axis, len = shape[a];
    const scales = Tensor.from('float32', [len], Array.from({ length: len }, (_, i) => 0.02 + 0.013 * i));
    const zps = Tensor.from('int8', [len], Array.from({ length: len }, (_, i) => -40 + 17 * i));
    const x = quantInput(shape, 0.05, 0, 'int8', 5 + a);
    const { ort } = await matchesOrtOnBoth(quantizeModel(x, scales, zps, { axis }), { x }, `Q per-axis ${shape} axis ${axis}`);
    const y = ort.get('y')!;
    await matchesOrtOnBoth(quantizeModel(y, scales, zps, { axis }, 'DequantizeLinear'), { x: y }, `DQ per-axis ${shape} axis ${axis}`);
  }
});

test('blocked QuantizeLinear and DequantizeLinear (a ragged last block) match onnxruntime', async () => {
  const shape = [3, 10], blockSize = 4, blocks = Math.ceil(shape[1] / blockSize);
  const scales = Tensor.from('float32', [3, blocks], Array.from({ length: 3 * blocks }, (_, i) => 0.01 + 0.007 * i));
  const zps = Tensor.from('uint8', [3, blocks], Array.from({ length: 3 * blocks }, (_, i) => 100 + 9 * i));
  const x = quantInput(shape, 0.03, 0, 'int8', 9);
  const attrs = { axis: 1, block_size: blockSize };
  const { ort } = await matchesOrtOnBoth(quantizeModel(x, scales, zps, attrs), { x }, 'Q blocked');
  const y = ort.get('y')!;
  await matchesOrtOnBoth(quantizeModel(y, scales, zps, attrs, 'DequantizeLinear'), { x: y }, 'DQ blocked');
});

test('DynamicQuantizeLinear matches onnxruntime on random shapes and ranges (all positive, all negative, mixed)', async () => {
  const cases: [number[], number, number][] = [[[17], -3, 5], [[4, 33], 0.5, 9], [[2, 3, 8], -7, -0.25], [[6, 6], 0, 0]];
  for (const [shape, lo, hi] of cases) {
    const next = rng(shape.length * 7 + 1);
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Tensor.from('float32', shape, Array.from({ length: n }, () => lo + next() * (hi - lo)));
    const model = buildNodeModel({
      op: 'DynamicQuantizeLinear', inputs: [{ name: 'x', dtype: 'float32', shape }],
      outputs: [{ name: 'y', dtype: 'uint8' }, { name: 'y_scale', dtype: 'float32' }, { name: 'y_zero_point', dtype: 'uint8' }],
    });
    await matchesOrtOnBoth(model, { x }, `DynamicQuantizeLinear [${shape}] in [${lo}, ${hi}]`);
  }
});

test('Q/DQ inference rejects scales that fit no granularity with a ShapeError naming the op and shapes', () => {
  const f32 = (shape: number[]) => ({ dtype: 'float32' as const, shape });
  const bad = (op: string, x: { dtype: DType; shape: number[] }, scale: number[], zp: number[] | undefined, attrs = {}, pattern: RegExp) =>
    assert.throws(() => inferNode(op, [x, f32(scale), zp && { dtype: 'uint8', shape: zp }], attrs),
      (e: unknown) => e instanceof ShapeError && new RegExp(op).test(e.message) && pattern.test(e.message));
  bad('QuantizeLinear', f32([2, 6]), [5], [5], {}, /per-axis scale must be 1-D of length 6/);
  bad('QuantizeLinear', f32([2, 6]), [3], [4], {}, /zero point \[4\] must have the shape of the scale \[3\]/);
  bad('QuantizeLinear', f32([2, 6]), [2, 3], [2, 3], { block_size: 4 }, /blocked scale .* must be \[2,2\]/);
  bad('DequantizeLinear', { dtype: 'uint8', shape: [4, 4] }, [4, 2], [4, 2], { axis: 0, block_size: 2 }, /must be \[2,4\]/);
  assert.throws(() => inferNode('QuantizeLinear', [f32([2, 6]), f32([]), f32([])]), /float32 is not supported/);
});

test('float16 data and scales quantise and dequantise as onnxruntime does', async () => {
  const next = rng(3);
  const x = Tensor.from('float16', [4, 50], Array.from({ length: 200 }, () => (next() - 0.5) * 30));
  const scale = Tensor.scalar('float16', 0.0937), zp = Tensor.scalar('int8', 3);
  const { ort } = await matchesOrtOnBoth(quantizeModel(x, scale, zp, {}), { x }, 'Q float16');
  const y = ort.get('y')!;
  await matchesOrtOnBoth(quantizeModel(y, scale, zp, {}, 'DequantizeLinear'), { x: y }, 'DQ float16');
});
