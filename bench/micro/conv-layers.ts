// Micro benchmark (not a test): real conv layer shapes of MobileNetV2, InceptionV3 and PP-OCR lowered
// with the default Conv schedule, simplified, unrolled and compiled to wasm SIMD; GFLOP/s per layer.
// Usage: node dist/bench/micro/conv-layers.js [substring of a layer label] [ot,wt[,blocksInside] knobs instead of the defaults]
import { rng, randomTensor } from '../../src/io/random.js';
import { convTemplate } from '../../src/schedule/defaults.js';
import { lowerNode, type NodeValue } from '../../src/lower/op.js';
import { gflopsOf, instantiateKernel, legalize } from './kernel-timer.js';

interface Layer {
  readonly label: string;
  readonly c: number; readonly o: number; readonly h: number; readonly w: number;
  readonly kh: number; readonly kw: number; readonly stride: number; readonly group?: number;
  /** Pads on each side; default (k - 1) / 2 ('same' at stride 1). */
  readonly pad?: number;
}

const LAYERS: readonly Layer[] = [
  { label: 'MobileNetV2 dw3x3 s1 112x112 c32', c: 32, o: 32, h: 112, w: 112, kh: 3, kw: 3, stride: 1, group: 32 },
  { label: 'MobileNetV2 dw3x3 s2 112->56 c96', c: 96, o: 96, h: 112, w: 112, kh: 3, kw: 3, stride: 2, group: 96 },
  { label: 'MobileNetV2 dw3x3 s1 14x14 c384', c: 384, o: 384, h: 14, w: 14, kh: 3, kw: 3, stride: 1, group: 384 },
  { label: 'MobileNetV2 dw3x3 s1 7x7 c960', c: 960, o: 960, h: 7, w: 7, kh: 3, kw: 3, stride: 1, group: 960 },
  { label: 'MobileNetV2 1x1 14x14 64->384', c: 64, o: 384, h: 14, w: 14, kh: 1, kw: 1, stride: 1 },
  { label: 'MobileNetV2 1x1 7x7 160->960', c: 160, o: 960, h: 7, w: 7, kh: 1, kw: 1, stride: 1 },
  { label: 'InceptionV3 3x3 147x147 32->64', c: 32, o: 64, h: 147, w: 147, kh: 3, kw: 3, stride: 1 },
  { label: 'InceptionV3 3x3 73->71 80->192', c: 80, o: 192, h: 73, w: 73, kh: 3, kw: 3, stride: 1, pad: 0 },
  { label: 'InceptionV3 1x1 35x35 288->64', c: 288, o: 64, h: 35, w: 35, kh: 1, kw: 1, stride: 1 },
  { label: 'InceptionV3 3x3 35x35 64->96', c: 64, o: 96, h: 35, w: 35, kh: 3, kw: 3, stride: 1 },
  { label: 'InceptionV3 5x5 35x35 48->64', c: 48, o: 64, h: 35, w: 35, kh: 5, kw: 5, stride: 1 },
  { label: 'InceptionV3 3x3 35x35 96->96', c: 96, o: 96, h: 35, w: 35, kh: 3, kw: 3, stride: 1 },
  { label: 'InceptionV3 1x7 17x17 128->128', c: 128, o: 128, h: 17, w: 17, kh: 1, kw: 7, stride: 1 },
  { label: 'InceptionV3 7x1 17x17 128->192', c: 128, o: 192, h: 17, w: 17, kh: 7, kw: 1, stride: 1 },
  { label: 'InceptionV3 3x3 s2 35->17 288->384', c: 288, o: 384, h: 35, w: 35, kh: 3, kw: 3, stride: 2, pad: 0 },
  { label: 'InceptionV3 3x3 s2 17->8 192->320', c: 192, o: 320, h: 17, w: 17, kh: 3, kw: 3, stride: 2, pad: 0 },
  { label: 'PP-OCR rec 3x3 8x80 96->96', c: 96, o: 96, h: 8, w: 80, kh: 3, kw: 3, stride: 1 },
  { label: 'PP-OCR det 3x3 160x160 96->24', c: 96, o: 24, h: 160, w: 160, kh: 3, kw: 3, stride: 1 },
  { label: 'PP-OCR det 3x3 s2 160->80 c16->16', c: 16, o: 16, h: 160, w: 160, kh: 3, kw: 3, stride: 2 },
];

const filter = process.argv[2] ?? '';
const knobs = process.argv[3]?.split(',').map(Number);
for (const l of LAYERS.filter((x) => x.label.includes(filter))) {
  const group = l.group ?? 1;
  const ph = l.pad ?? (l.kh - 1) >> 1, pw = l.pad ?? (l.kw - 1) >> 1;
  const oh = Math.floor((l.h + 2 * ph - l.kh) / l.stride) + 1, ow = Math.floor((l.w + 2 * pw - l.kw) / l.stride) + 1;
  const wShape = [l.o, l.c / group, l.kh, l.kw];
  const inputs: NodeValue[] = [
    { name: 'x', info: { dtype: 'float32', shape: [1, l.c, l.h, l.w] } },
    { name: 'w', info: { dtype: 'float32', shape: wShape }, constant: randomTensor('float32', wShape, rng(2)) },
    { name: 'b', info: { dtype: 'float32', shape: [l.o] }, constant: randomTensor('float32', [l.o], rng(3)) },
  ];
  const attrs = { pads: [ph, pw, ph, pw], strides: [l.stride, l.stride], group };
  const schedule = knobs && convTemplate.schedule({ lanes: 4, l2Bytes: 1024 * 1024, o: l.o, ow, weight: 'w', perGroup: l.o / group }, { ot: knobs[0], wt: knobs[1], packW: 1, blocksInside: knobs[2] ?? 0 });
  const { kernel, packed } = lowerNode('Conv', attrs, inputs, [{ name: 'y', info: { dtype: 'float32', shape: [1, l.o, oh, ow] } }], schedule);
  const data = kernel.params.map((p) => {
    const t = packed.get(p.name) ?? inputs.find((i) => i.name === p.name)?.constant;
    return t ? t.numbers as Float32Array : p.name === 'x' ? randomTensor('float32', [p.size], rng(7)).numbers as Float32Array : undefined;
  });
  const flops = 2 * l.o * oh * ow * (l.c / group) * l.kh * l.kw;
  console.log(`${l.label.padEnd(40)} ${gflopsOf(await instantiateKernel(legalize(kernel), data), flops, 0.25).toFixed(2).padStart(6)} GFLOP/s`);
}
