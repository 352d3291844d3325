// MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv against onnxruntime-node on both Kiln
// engines, bit-exact: random shapes, int8 and uint8 operands, per-column and per-channel zero
// points and scales, padding, strides, groups, bias, and sums past 2^24; then the QDQ pattern
// (DequantizeLinear -> Conv -> QuantizeLinear) as a model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KilnError } from '../../src/errors.js';
import type { DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { rng } from '../../src/io/random.js';
import { buildGraphModel, buildNodeModel } from '../util/onnx-builder.js';
import { inferNode } from './nn-helpers.js';
import { assertSame, matchesOrtOnBoth, runThree } from './three-engines.js';

/** Seeded integers of `dtype` over its whole range (or [lo, hi)). */
function ints(dtype: DType, shape: readonly number[], seed: number, lo?: number, hi?: number): Tensor {
  const next = rng(seed);
  const [a, b] = lo !== undefined ? [lo, hi!] : dtype === 'int8' ? [-128, 128] : dtype === 'uint8' ? [0, 256] : [-1000, 1000];
  return Tensor.from(dtype, shape, Array.from({ length: shape.reduce((n, d) => n * d, 1) }, () => a + Math.floor(next() * (b - a))));
}

const f32 = (shape: number[], values: number[]) => Tensor.from('float32', shape, values);

test('MatMulInteger matches onnxruntime: 2-D and batched, int8/uint8 operands, per-column B zero points', async () => {
  const cases: [number[], number[], DType, DType, boolean][] = [
    [[5, 7], [7, 3], 'uint8', 'uint8', false], [[2, 4, 9], [9, 6], 'uint8', 'int8', true],
    [[3, 1, 5, 16], [2, 16, 4], 'int8', 'int8', true], [[4, 600], [600, 3], 'uint8', 'uint8', false], [[7, 12], [12], 'int8', 'uint8', false],
  ];
  for (const [i, [as, bs, ta, tb, perColumn]] of cases.entries()) {
    const a = ints(ta, as, 10 + i), b = ints(tb, bs, 20 + i);
    const n = bs[bs.length - 1];
    // onnxruntime takes per-column zero points shaped like B with K = 1
    const azp = ints(ta, [], 30 + i), bzp = perColumn ? ints(tb, [...bs.slice(0, -2), 1, n], 40 + i) : ints(tb, [], 40 + i);
    const model = buildNodeModel({
      op: 'MatMulInteger', inputs: [{ name: 'a', dtype: ta, shape: as }], initializers: { b, azp, bzp },
      outputs: [{ name: 'y', dtype: 'int32' }], opset: 10,
    });
    await matchesOrtOnBoth(model, { a }, `MatMulInteger ${as} x ${bs} ${ta}/${tb}`);
  }
});

test('QLinearMatMul matches onnxruntime: int8 and uint8, per-tensor and per-column B, saturating outputs', async () => {
  const cases: [number[], number[], DType, DType, boolean][] = [
    [[6, 10], [10, 5], 'uint8', 'uint8', false], [[3, 7, 12], [12, 4], 'int8', 'int8', true],
    [[2, 33], [33, 17], 'uint8', 'int8', true], [[1, 300], [300, 8], 'int8', 'int8', false], [[40], [40, 6], 'uint8', 'uint8', false],
  ];
  let saturated = false;
  for (const [i, [as, bs, ta, tb, perColumn]] of cases.entries()) {
    const a = ints(ta, as, 50 + i), b = ints(tb, bs, 60 + i);
    const n = bs[bs.length - 1];
    const bScale = perColumn ? f32([n], Array.from({ length: n }, (_, j) => 0.003 + 0.0007 * j)) : f32([], [0.0041]);
    const bzp = perColumn ? ints(tb, [n], 70 + i, -3, 4).numbers.map(() => 0) : [tb === 'int8' ? -5 : 131];
    const inits = {
      a_scale: f32([], [0.0213]), a_zero_point: Tensor.scalar(ta, ta === 'int8' ? 3 : 120),
      b, b_scale: bScale, b_zero_point: Tensor.from(tb, perColumn ? [n] : [], Array.from(bzp)),
      y_scale: f32([], [0.0157 * Math.sqrt(as[as.length - 1])]), y_zero_point: Tensor.scalar(ta, ta === 'int8' ? -9 : 128),
    };
    const model = buildNodeModel({
      op: 'QLinearMatMul', inputs: [{ name: 'a', dtype: ta, shape: as }], initializers: inits,
      nodeInputs: ['a', 'a_scale', 'a_zero_point', 'b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'],
      outputs: [{ name: 'y', dtype: ta }],
    });
    const { ort } = await matchesOrtOnBoth(model, { a }, `QLinearMatMul ${as} x ${bs} ${ta}/${tb}`);
    const y = ort.get('y')!.numbers, lo = ta === 'int8' ? -128 : 0;
    assert.ok(new Set(y).size > Math.min(10, y.length / 3), 'outputs spread over the range');
    saturated ||= y.some((v) => v === lo || v === lo + 255);
  }
  assert.ok(saturated, 'some outputs saturate');
});

const convModel = (op: 'ConvInteger' | 'QLinearConv', x: Tensor, inits: Record<string, Tensor>, nodeInputs: string[],
  attrs: Record<string, number | number[]>, out: DType) => buildNodeModel({
  op, inputs: [{ name: 'x', dtype: x.dtype, shape: x.shape }], initializers: inits, nodeInputs, attrs,
  outputs: [{ name: 'y', dtype: out }], opset: 10,
});

test('ConvInteger matches onnxruntime: pads (filled with the zero point), strides, dilations, groups', async () => {
  const cases: [number[], number[], Record<string, number | number[]>][] = [
    [[1, 3, 9, 8], [4, 3, 3, 3], { pads: [1, 1, 1, 1] }],
    [[2, 4, 11, 10], [6, 2, 3, 2], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [0, 1, 2, 0] }],
    [[1, 8, 7, 7], [8, 1, 3, 3], { group: 8, pads: [1, 1, 1, 1] }],
    [[1, 16, 6, 6], [5, 16, 1, 1], {}],
  ];
  for (const [i, [xs, ws, attrs]] of cases.entries()) {
    const x = ints('uint8', xs, 80 + i), w = ints('uint8', ws, 90 + i);
    const inits = { w, x_zero_point: Tensor.scalar('uint8', 77 + i), w_zero_point: Tensor.scalar('uint8', 128) };
    await matchesOrtOnBoth(convModel('ConvInteger', x, inits, ['x', 'w', 'x_zero_point', 'w_zero_point'], attrs, 'int32'), { x },
      `ConvInteger ${xs} * ${ws} ${JSON.stringify(attrs)}`);
  }
});

test('QLinearConv matches onnxruntime: uint8 and int8, per-channel weight scales, int32 bias, groups and strides', async () => {
  const cases: [number[], number[], DType, Record<string, number | number[]>][] = [
    [[1, 3, 10, 9], [8, 3, 3, 3], 'uint8', { pads: [1, 1, 1, 1] }],
    [[2, 4, 9, 12], [6, 2, 3, 3], 'int8', { group: 2, strides: [2, 2], pads: [1, 0, 1, 2] }],
    [[1, 6, 8, 8], [6, 1, 3, 3], 'int8', { group: 6, dilations: [2, 2], pads: [2, 2, 2, 2] }],
    [[1, 32, 5, 5], [7, 32, 1, 1], 'uint8', {}],
  ];
  for (const [i, [xs, ws, t, attrs]] of cases.entries()) {
    const m = ws[0];
    const x = ints(t, xs, 100 + i), w = ints('int8', ws, 110 + i, -127, 128);
    const inits = {
      x_scale: f32([], [0.0187]), x_zero_point: Tensor.scalar(t, t === 'int8' ? -4 : 119),
      w, w_scale: f32([m], Array.from({ length: m }, (_, o) => 0.0021 + 0.0004 * o)), w_zero_point: Tensor.from('int8', [m], new Array(m).fill(0)),
      y_scale: f32([], [0.011 * Math.sqrt(ws[1] * ws[2] * ws[3])]), y_zero_point: Tensor.scalar(t, t === 'int8' ? 6 : 131),
      B: ints('int32', [m], 120 + i, -20000, 20000),
    };
    const names = ['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B'];
    await matchesOrtOnBoth(convModel('QLinearConv', x, inits, names, attrs, t), { x }, `QLinearConv ${xs} * ${ws} ${t} ${JSON.stringify(attrs)}`);
  }
});

test('the QDQ pattern DequantizeLinear -> Conv -> QuantizeLinear compiles and runs like onnxruntime', async () => {
  const x = ints('uint8', [1, 4, 12, 12], 130), w = ints('int8', [8, 4, 3, 3], 131, -127, 128);
  const next = rng(132);
  const inits = {
    x_scale: f32([], [0.0235]), x_zp: Tensor.scalar('uint8', 127),
    w, w_scale: f32([8], Array.from({ length: 8 }, (_, o) => 0.003 + 0.0005 * o)), w_zp: Tensor.from('int8', [8], new Array(8).fill(0)),
    bias: f32([8], Array.from({ length: 8 }, () => next() - 0.5)),
    y_scale: f32([], [0.041]), y_zp: Tensor.scalar('uint8', 120),
  };
  const model = buildGraphModel({
    nodes: [
      { op: 'DequantizeLinear', inputs: ['x', 'x_scale', 'x_zp'], outputs: ['xf'] },
      { op: 'DequantizeLinear', inputs: ['w', 'w_scale', 'w_zp'], outputs: ['wf'], attrs: { axis: 0 } },
      { op: 'Conv', inputs: ['xf', 'wf', 'bias'], outputs: ['yf'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['yf'], outputs: ['yr'] },
      { op: 'QuantizeLinear', inputs: ['yr', 'y_scale', 'y_zp'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dtype: 'uint8', shape: x.shape }], outputs: [{ name: 'y', dtype: 'uint8' }], initializers: inits,
  });
  // onnxruntime's optimiser would turn the pattern into integer QLinearConv; unoptimised it runs the float graph as Kiln does
  const r = await runThree(model, { x }, false);
  const want = r.ort.get('y')!;
  for (const engine of ['reference', 'compiled'] as const) {
    const got = r[engine].get('y')!;
    // float sums in another order may land a value on the other side of a rounding tie: one step at most, rarely
    assertSame(got, want, `QDQ ${engine}`, 1);
    const off = got.numbers.filter((v, i) => v !== want.numbers[i]).length;
    assert.ok(off <= want.size / 200, `QDQ ${engine}: ${off} of ${want.size} values differ by one step`);
  }
  assert.ok(new Set(want.numbers).size > 30, 'the outputs spread over many levels');
});

test('integer matmul and conv inference name the op and the offending shape or type', () => {
  const t = (dtype: DType, shape: number[]) => ({ dtype, shape });
  const u8 = (shape: number[]) => t('uint8', shape), f = (shape: number[]) => t('float32', shape);
  const throws = (op: string, inputs: ({ dtype: DType; shape: number[] } | undefined)[], pattern: RegExp, attrs = {}) =>
    assert.throws(() => inferNode(op, inputs, attrs), (e: unknown) => e instanceof KilnError && e.message.includes(op) && pattern.test(e.message));
  throws('MatMulInteger', [u8([4, 3]), u8([3, 2]), u8([5])], /a_zero_point \[5\] does not fit operand \[4,3\]/);
  throws('MatMulInteger', [u8([4, 3]), u8([5, 2])], /inner dims differ/);
  throws('ConvInteger', [f([1, 2, 5, 5]), u8([3, 2, 3, 3])], /x is float32; it must be int8 or uint8/);
  throws('ConvInteger', [u8([1, 2, 5, 5]), u8([3, 2, 3, 3]), u8([2])], /x_zero_point \[2\] must be one value/);
  throws('QLinearConv', [u8([1, 2, 5, 5]), f([]), u8([]), u8([3, 2, 3, 3]), f([3]), u8([3]), f([3]), u8([3])], /y_scale \[3\] must be one value/);
  throws('QLinearMatMul', [u8([4, 3]), f([]), u8([]), u8([3, 2]), f([7]), u8([7]), f([]), u8([])], /b_scale \[7\] does not fit operand \[3,2\]/);
});
