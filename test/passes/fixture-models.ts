// The fixture models the graph-pass and compiled-model tests run on, loaded with every symbolic input dim fixed
// (default 1), as compilation sees them.
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import type { Graph } from '../../src/ir/graph.js';
import { humanModel, nsfwjsModel, ppocrDetModel } from '../fixtures/fixtures.js';

export interface PassFixture {
  readonly label: string;
  readonly path: () => string;
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
}

export const PASS_FIXTURES: readonly PassFixture[] = [
  { label: 'nsfwjs mobilenet_v2', path: () => nsfwjsModel('mobilenet_v2') },
  { label: 'nsfwjs mobilenet_v2_mid', path: () => nsfwjsModel('mobilenet_v2_mid') },
  { label: 'nsfwjs inception_v3', path: () => nsfwjsModel('inception_v3') },
  { label: 'human blazeface', path: () => humanModel('blazeface') },
  { label: 'human movenet-lightning', path: () => humanModel('movenet-lightning') },
  { label: 'human selfie', path: () => humanModel('selfie') },
  { label: 'human centernet', path: () => humanModel('centernet') },
  { label: 'PP-OCRv4 det', path: ppocrDetModel, shapes: { x: [1, 3, 64, 64] } },
];

export async function staticFixture(m: PassFixture): Promise<Graph> {
  const g = await loadModel(m.path());
  const shapes = Object.fromEntries(g.inputs.map((n) => [n, m.shapes?.[n] ?? g.values.get(n)!.shape.map((d) => (typeof d === 'number' ? d : 1))]));
  return withInputShapes(g, shapes);
}
