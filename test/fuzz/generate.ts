// A case from its seed: which seed input, which mutator, and the mutated files.
import { Dice } from './random.js';
import { flipBytes, mutateKiln, mutateNpy } from './mutate-binary.js';
import { mutateOnnx } from './mutate-onnx.js';
import { mutateTfjs, mutateTfNode } from './mutate-tf.js';
import { encodeGraphDef } from '../../src/frontend/graphdef/encode.js';
import { decodeGraphDef } from '../../src/frontend/graphdef/import.js';
import type { CaseFiles, Format } from './pipeline.js';
import type { Seeds } from './seeds.js';

const EXT: Readonly<Record<Format, string>> = { onnx: 'model.onnx', graphdef: 'model.pb', tfjs: 'model.json', npy: 'x.npy', kiln: 'model.kiln' };

/** A mutator that throws on a value it cannot encode falls back to byte flips of the seed. */
function guarded(seed: Uint8Array, d: Dice, mutate: () => Uint8Array): Uint8Array {
  try { return mutate(); } catch { return flipBytes(seed, d); }
}

function mutateGraphdef(bytes: Uint8Array, d: Dice): Uint8Array {
  if (d.chance(0.15)) return flipBytes(bytes, d);
  const g = decodeGraphDef(bytes, 'seed.pb') as unknown as { node: Record<string, unknown>[] };
  const names = g.node.map((n) => n.name as string);
  for (let s = 0; s < 1 + d.int(3); s++) mutateTfNode(d.pick(g.node), d, names, false);
  return encodeGraphDef(g.node as never);
}

/** The files of case `caseSeed` of `format`; undefined when the format has no seeds here. */
export function generateCase(format: Format, seeds: Seeds, caseSeed: number): CaseFiles | undefined {
  const d = new Dice(caseSeed);
  const one = (bytes: Uint8Array) => ({ main: EXT[format], files: new Map([[EXT[format], bytes]]) });
  switch (format) {
    case 'onnx': { if (!seeds.onnx.length) return undefined; const s = d.pick(seeds.onnx); return one(guarded(s, d, () => mutateOnnx(s, d))); }
    case 'graphdef': { if (!seeds.graphdef.length) return undefined; const s = d.pick(seeds.graphdef); return one(guarded(s, d, () => mutateGraphdef(s, d))); }
    case 'npy': return one(mutateNpy(d.pick(seeds.npy), d));
    case 'kiln': { if (!seeds.kiln.length) return undefined; return one(mutateKiln(d.pick(seeds.kiln), d)); }
    case 'tfjs': {
      if (!seeds.tfjs.length) return undefined;
      const s = d.pick(seeds.tfjs);
      const text = (model: object) => new TextEncoder().encode(d.chance(0.05) ? JSON.stringify(model).slice(0, 200) : JSON.stringify(model));
      try {
        const { model, shards } = mutateTfjs(s.model, s.shards, d);
        return { main: EXT.tfjs, files: new Map([[EXT.tfjs, text(model)], ...shards]) };
      } catch {
        // a mutation the mutator itself cannot apply: the seed with damaged JSON text instead
        return { main: EXT.tfjs, files: new Map([[EXT.tfjs, flipBytes(text(s.model), d)], ...s.shards]) };
      }
    }
  }
}
