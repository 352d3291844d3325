// The benchmark models: real models from the test fixtures, with the input sizes and input
// value ranges they are timed at, and which engines are skipped on which model, and why.
import { humanModel, nsfwjsModel, ppocrDetModel } from '../test/fixtures/fixtures.js';

export type ModelFormat = 'tfjs-layers' | 'tfjs-graph' | 'onnx';

export interface BenchModel {
  readonly name: string;
  readonly format: ModelFormat;
  readonly path: () => string;
  /** Sizes of the symbolic input dims, by input name; static inputs need no entry. */
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  /** Value range of the seeded random input: normalised images for floats, pixels for int32. */
  readonly inputRange: readonly [number, number];
  /** Engines left out by default (the reason is printed); `--engines` naming them runs them anyway. */
  readonly skip?: Readonly<Record<string, string>>;
}

/** Engines are timed where one run takes under ~2 s (measured on a 2-core VM); 20+ runs of more take minutes. */
const tooSlow = (what: string, seconds: number) =>
  `${what} takes ~${seconds} s a run here, minutes for the whole protocol; name it in --engines to time it anyway`;

export const MODELS: readonly BenchModel[] = [
  { name: 'mobilenet_v2', format: 'tfjs-layers', path: () => nsfwjsModel('mobilenet_v2'),
    inputShapes: { input_1: [1, 224, 224, 3] }, inputRange: [0, 1] },
  { name: 'inception_v3', format: 'tfjs-layers', path: () => nsfwjsModel('inception_v3'),
    inputShapes: { input_1: [1, 299, 299, 3] }, inputRange: [0, 1],
    skip: { 'kiln-reference': tooSlow('the reference executor', 3), 'tfjs-cpu': tooSlow("TF.js's cpu backend", 11) } },
  { name: 'mobilenet_v2_mid', format: 'tfjs-graph', path: () => nsfwjsModel('mobilenet_v2_mid'),
    inputShapes: { input: [1, 224, 224, 3] }, inputRange: [0, 1] },
  { name: 'movenet-lightning', format: 'tfjs-graph', path: () => humanModel('movenet-lightning'),
    inputShapes: {}, inputRange: [0, 256] },
  { name: 'blazeface', format: 'tfjs-graph', path: () => humanModel('blazeface'),
    inputShapes: {}, inputRange: [0, 1] },
  { name: 'selfie', format: 'tfjs-graph', path: () => humanModel('selfie'),
    inputShapes: {}, inputRange: [0, 1] },
  { name: 'centernet', format: 'tfjs-graph', path: () => humanModel('centernet'),
    inputShapes: {}, inputRange: [0, 1] },
  { name: 'ppocr-det', format: 'onnx', path: () => ppocrDetModel(),
    inputShapes: { x: [1, 3, 640, 640] }, inputRange: [-2, 2],
    skip: { 'kiln-reference': tooSlow('the reference executor', 5) } },
];
