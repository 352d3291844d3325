// Tiny TF.js graph models written to a temp folder, run by Kiln and by TF.js (the oracle), so
// one TF op configuration at a time can be checked against the engine that defines it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TfAttrJson, TfNodeJson } from '../../src/frontend/tf/node.js';
import { importTfjsGraphModel } from '../../src/frontend/tfjs/import.js';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { tfTypeName } from '../../src/frontend/graphdef/encode.js';
import { loadTfjsGraphModel, runTfjs } from '../models/tfjs-peer.js';
import { agreement } from '../util/agreement.js';

export const attr = {
  i: (v: number): TfAttrJson => ({ i: String(v) }),
  f: (v: number): TfAttrJson => ({ f: v }),
  b: (v: boolean): TfAttrJson => ({ b: v }),
  s: (v: string): TfAttrJson => ({ s: Buffer.from(v).toString('base64') }),
  type: (dtype: Tensor['dtype']): TfAttrJson => ({ type: tfTypeName(dtype) }),
  ints: (v: readonly number[]): TfAttrJson => ({ list: { i: v.map(String) } }),
  strs: (v: readonly string[]): TfAttrJson => ({ list: { s: v.map((x) => Buffer.from(x).toString('base64')) } }),
};

export function op(name: string, opName: string, input: readonly string[], attrs: Record<string, TfAttrJson> = {}): TfNodeJson {
  return { name, op: opName, input: [...input], attr: { T: attr.type('float32'), ...attrs } };
}

export function placeholder(name: string, t: Tensor): TfNodeJson {
  return {
    name, op: 'Placeholder',
    attr: { dtype: attr.type(t.dtype), shape: { shape: { dim: t.shape.map((d) => ({ size: String(d) })) } } },
  };
}

/** A tiny graph model: Placeholders for `feeds`, Consts for `consts`, then `nodes`. */
export interface TinyModel {
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly consts?: Readonly<Record<string, Tensor>>;
  readonly nodes: readonly TfNodeJson[];
  readonly outputs: readonly string[];
}

/** Writes model.json + one float32/int32/bool shard into a fresh temp folder; returns the model.json path. */
export function writeTinyModel(m: TinyModel): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-tf-'));
  const consts = Object.entries(m.consts ?? {});
  const nodes: TfNodeJson[] = [
    ...Object.entries(m.feeds).map(([name, t]) => placeholder(name, t)),
    ...consts.map(([name, t]): TfNodeJson => ({
      name, op: 'Const',
      attr: { dtype: attr.type(t.dtype), value: { tensor: { dtype: tfTypeName(t.dtype), tensorShape: { dim: t.shape.map((d) => ({ size: String(d) })) } } } },
    })),
    ...m.nodes,
  ];
  const bytes = Buffer.concat(consts.map(([, t]) => Buffer.from(t.numbers.buffer, t.numbers.byteOffset, t.numbers.byteLength)));
  writeFileSync(join(dir, 'w.bin'), bytes);
  const model = {
    format: 'graph-model', generatedBy: 'kiln-test', convertedBy: 'kiln-test',
    modelTopology: { node: nodes, versions: { producer: 1 } },
    signature: { outputs: Object.fromEntries(m.outputs.map((o) => [o, { name: o }])) },
    weightsManifest: [{ paths: ['w.bin'], weights: consts.map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype })) }],
  };
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(model));
  return file;
}

export function importTiny(file: string): Graph {
  return importTfjsGraphModel(JSON.parse(readFileSync(file, 'utf8')), dirname(file), file);
}

/**
 * Runs the tiny model in Kiln and TF.js and asserts every output has TF.js's shape and values:
 * integers and bools exactly, floats within 1e-5 of the largest magnitude (float32 rounding).
 */
export async function assertMatchesTfjs(m: TinyModel, label = ''): Promise<void> {
  const file = writeTinyModel(m);
  const g = importTiny(file);
  const ours = execute(g, m.feeds);
  const theirs = await runTfjs(await loadTfjsGraphModel(file), m.feeds, m.outputs);
  for (const name of m.outputs) {
    const a = ours.get(name), b = theirs.get(name)!;
    const what = label ? `${label} ${name}` : name;
    assert.ok(a, `Kiln has no output ${what}`);
    assert.deepEqual(a.shape, b.shape, `${what}: shape`);
    assert.equal(a.dtype, b.dtype, `${what}: dtype`);
    if (b.dtype === 'float32') {
      const r = agreement(a.numbers, b.numbers);
      assert.ok(r.maxAbsError <= 1e-5 * Math.max(r.maxMagnitude, 1), `${what}: max error ${r.maxAbsError}`);
    } else {
      assert.deepEqual(Array.from(a.numbers), Array.from(b.numbers), `${what}: values`);
    }
  }
}
