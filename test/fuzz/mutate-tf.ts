// Structure-aware mutation of TensorFlow graphs: TF.js model.json fields (nodes' inputs and
// attributes, the weights manifest's specs and shards, the signature) and GraphDef NodeDefs (the
// same node fields, encoded as protobuf), set to the wrong kinds and sizes a broken producer writes.
import type { Dice } from './random.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OPS = ['Conv2D', 'MatMul', 'Reshape', 'ConcatV2', 'Transpose', 'Pad', 'StridedSlice', 'Relu', 'FusedBatchNorm', 'Cast', 'Floor', 'Squeeze', 'Identity'];

/** A hostile attribute value: wrong kinds, non-numbers in lists, huge shapes, unknown dtypes. */
function attrValue(d: Dice, jsonOnly: boolean): Json | unknown {
  const any = [
    { i: d.pick(['abc', '1e400', '-1', '99999999999999999999']) }, { f: d.pick(['x', 'NaN', 'Infinity']) }, { list: { i: ['NaN', '1.5', 'x'] } },
    { list: { f: ['NaN', '1'] } }, { list: { i: [] } }, { type: d.pick(['DT_COMPLEX64', 'DT_BFLOAT16', 'DT_INVALID', 'DT_STRING']) },
    { shape: { dim: [{ size: String(d.size()) }, { size: '-1' }] } }, { s: '' }, { list: { s: [] } },
    { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: String(d.size()) }] }, floatVal: [1] } },
  ];
  const jsonKinds = [5, null, 'text', [], { list: 3 }, { list: { i: 7 } }, { i: { x: 1 } }, { s: 12 }];
  return jsonOnly && d.chance(0.4) ? d.pick(jsonKinds) : d.pick(any);
}

/** One node field changed; `jsonOnly` allows values only JSON can hold (a number where a list belongs). */
export function mutateTfNode(n: Json, d: Dice, names: readonly string[], jsonOnly: boolean): void {
  const inputs: unknown[] = Array.isArray(n.input) ? n.input : []; // an earlier step may have made it a non-list
  switch (d.int(8)) {
    case 0: n.input = inputs.slice(0, d.int(inputs.length + 1)); break;
    case 1: n.input = [...inputs, d.pick([...names, 'missing', 'x:7', '^ctl', ''])]; break;
    case 2: n.op = d.pick(OPS); break;
    case 3: {
      const attr = typeof n.attr === 'object' && n.attr !== null ? n.attr : {};
      const keys = Object.keys(attr);
      n.attr = { ...attr, [keys.length && d.chance(0.7) ? d.pick(keys) : d.pick(['T', 'strides', 'padding', 'data_format', 'value', 'dtype', 'Tidx', 'N'])]: attrValue(d, jsonOnly) };
      break;
    }
    case 4: if (n.attr && typeof n.attr === 'object') delete n.attr[d.pick(Object.keys(n.attr).concat('T'))]; break;
    case 5: n.name = d.name(); break;
    case 6: if (jsonOnly) n.input = d.pick([5, 'x', [1, 2], [null], { a: 1 }]); else n.input = [n.name]; break;
    default: n.input = inputs.map(() => d.pick(names)); break;
  }
}

/** A model.json with its fields mutated; shards may be truncated or replaced. Returns the new JSON and shard bytes. */
export function mutateTfjs(model: Json, shards: ReadonlyMap<string, Uint8Array>, d: Dice): { model: Json; shards: Map<string, Uint8Array> } {
  const m = structuredClone(model) as Json;
  const out = new Map(shards);
  const nodes = m.modelTopology.node as Json[];
  const names = nodes.map((n) => n.name as string);
  const steps = 1 + d.int(3);
  for (let s = 0; s < steps; s++) {
    const group = m.weightsManifest[0] as Json;
    const w = group.weights.length ? d.pick(group.weights) as Json : undefined;
    switch (d.int(10)) {
      case 0: case 1: case 2: case 3: mutateTfNode(d.pick(nodes), d, names, true); break;
      case 4: if (w) w.shape = d.pick([[d.size()], [d.size(), d.size()], 'x', [1.5], [-1], null]); break;
      case 5: if (w) w.dtype = d.pick(['float16', 'int64', 'complex64', 'string', 5]); break;
      case 6: if (w) w.quantization = d.pick([{ dtype: 'uint8' }, { dtype: 'uint8', scale: 'x', min: 0 }, { dtype: 'float16' }, { dtype: 'int4', scale: 1, min: 0 }, 'q']); break;
      case 7: group.paths = d.pick([[5], [null], ['missing.bin'], 'x.bin', [], [...group.paths, ...group.paths]]); break;
      case 8: {
        const [path, bytes] = [...out][0];
        out.set(path, d.chance(0.5) ? bytes.subarray(0, d.int(bytes.length)) : Uint8Array.from([...bytes, 1, 2, 3]));
        break;
      }
      default: m.signature = d.pick([{ inputs: { x: { name: 5 } } }, { inputs: 'x' }, { outputs: { y: { name: 'missing:0' } } }, { inputs: { [d.name()]: {} } }]); break;
    }
  }
  return { model: m, shards: out };
}
