// A TF.js graph model's topology, with its weights written in as Const tensors, serialised to a
// binary GraphDef by Kiln's encoder and read back by importGraphDef: it must compute exactly what
// the model.json path computes (and that path is checked against TF.js in tfjs-graph.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { encodeGraphDef, tensorProto, tfTypeName } from '../../src/frontend/graphdef/encode.js';
import { importGraphDef } from '../../src/frontend/graphdef/import.js';
import type { TfNodeJson } from '../../src/frontend/tf/node.js';
import { importTfjsGraphModel, type TfjsGraphModelJson } from '../../src/frontend/tfjs/import.js';
import { loadTfjsWeights } from '../../src/frontend/tfjs/weights.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { humanModel } from '../fixtures/fixtures.js';

/** The model.json topology as a frozen GraphDef: every Const holds its (dequantized) weight. */
function freeze(modelJson: string): Uint8Array {
  const model = JSON.parse(readFileSync(modelJson, 'utf8')) as TfjsGraphModelJson;
  const weights = loadTfjsWeights(model.weightsManifest!, dirname(modelJson), modelJson);
  const nodes = model.modelTopology!.node!.map((n): TfNodeJson => {
    const w = n.op === 'Const' ? weights.get(n.name) : undefined;
    if (!w) return n;
    return { ...n, attr: { ...n.attr, dtype: { type: tfTypeName(w.dtype) }, value: { tensor: tensorProto(w) } } };
  });
  return encodeGraphDef(nodes, 1);
}

for (const name of ['blazeface', 'selfie', 'movenet-lightning'] as const) {
  test(`${name}: GraphDef round trip computes what the model.json does`, () => {
    const file = humanModel(name);
    const viaJson = importTfjsGraphModel(JSON.parse(readFileSync(file, 'utf8')), dirname(file), file);
    const bytes = freeze(file);
    const viaPb = importGraphDef(bytes, `${name}.pb`);
    assert.deepEqual(viaPb.inputs, viaJson.inputs);
    assert.deepEqual([...viaPb.outputs].sort(), [...viaJson.outputs].sort());
    assert.equal(viaPb.constants.size, viaJson.constants.size);

    const next = rng(7);
    const feeds = Object.fromEntries(viaJson.inputs.map((i) => {
      const v = viaJson.values.get(i)!;
      return [i, randomTensor(v.dtype, v.shape as number[], next)];
    }));
    const a = execute(viaJson, feeds), b = execute(viaPb, feeds);
    for (const o of viaJson.outputs) {
      assert.deepEqual(b.get(o)!.shape, a.get(o)!.shape, `${o}: shape`);
      assert.deepEqual(Array.from(b.get(o)!.numbers), Array.from(a.get(o)!.numbers), `${o}: values`);
    }
  });
}

test('a truncated GraphDef is a FormatError naming the file', () => {
  const bytes = freeze(humanModel('blazeface'));
  assert.throws(() => importGraphDef(bytes.subarray(0, bytes.length - 1000), 'cut.pb'),
    (e: Error & { code?: string }) => e.code === 'E_FORMAT' && e.message.startsWith('cut.pb:'));
});
