// Structure-aware mutation of ONNX models: the decoded ModelProto's fields (nodes' inputs, outputs,
// op types and attributes; initializers' dims, types and data; the graph's inputs and outputs;
// the opset) changed the ways a careless or hostile producer would, then encoded again.
import { onnxType } from '../../src/frontend/onnx/schema.js';
import type { Dice } from './random.js';
import { flipBytes } from './mutate-binary.js';

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OPS = ['Add', 'Conv', 'Concat', 'Reshape', 'Gather', 'Einsum', 'Cast', 'Slice', 'Mod', 'Div', 'Resize', 'Pad',
  'Split', 'TopK', 'Transpose', 'MatMul', 'Identity', 'Constant', 'ReduceSum', 'Upsample', 'LSTM', 'Where', 'Expand', 'Tile'];

function mutateAttribute(a: Msg, d: Dice): void {
  switch (d.int(9)) {
    case 0: a.type = 1 + d.int(14); break;
    case 1: a.type = 3; a.s = new Uint8Array(0); break;                      // an empty STRING (legal ONNX)
    case 2: a.type = 4; a.t = null; break;                                  // a TENSOR without its tensor
    case 3: a.type = 2; a.i = d.size(); break;
    case 4: a.type = 7; a.ints = Array.from({ length: d.int(6) }, () => d.size()); break;
    case 5: a.type = 6; a.floats = [NaN, Infinity, d.size()]; break;
    case 6: a.type = 3; a.s = new TextEncoder().encode(d.name()); break;
    case 7: a.type = 8; a.strings = []; break;
    default: a.name = d.pick(['axis', 'to', 'equation', 'perm', 'mode', 'value', d.name()]); break;
  }
}

function mutateTensor(t: Msg, d: Dice): void {
  switch (d.int(5)) {
    case 0: t.dims = Array.from({ length: d.int(5) }, () => d.size()); break;
    case 1: t.dataType = d.int(27); break;
    case 2: if (t.rawData?.length) t.rawData = t.rawData.subarray(0, d.int(t.rawData.length)); else t.floatData = [1, 2]; break;
    case 3: t.dims = [...(t.dims ?? []), d.size()]; break;
    default: t.name = d.name(); break;
  }
}

function mutateNode(n: Msg, d: Dice, values: readonly string[]): void {
  switch (d.int(9)) {
    case 0: n.input = n.input.slice(0, d.int(n.input.length + 1)); break;
    case 1: if (n.input.length) n.input[d.int(n.input.length)] = ''; break;
    case 2: n.input = [...n.input, d.chance(0.5) && values.length ? d.pick(values) : d.name()]; break;
    case 3: n.opType = d.pick(OPS); break;
    case 4: if (n.attribute.length) mutateAttribute(d.pick(n.attribute), d); else n.attribute = [{ name: d.pick(['axis', 'to', 'equation', 'perm', 'mode']), type: 0 }]; break;
    case 5: n.output = d.chance(0.5) ? [...n.output, ...n.output] : []; break;
    case 6: n.name = d.name(); break;
    case 7: n.attribute = n.attribute.filter(() => d.chance(0.5)); break;
    default: if (values.length) n.output = [d.pick(values)]; break;
  }
}

/** A mutated encoding of the ONNX model `bytes` (raw byte flips for a tenth of cases). */
export function mutateOnnx(bytes: Uint8Array, d: Dice): Uint8Array {
  if (d.chance(0.1)) return flipBytes(bytes, d);
  const type = onnxType('ModelProto');
  const m = type.decode(bytes) as Msg;
  const g = m.graph as Msg;
  const values: string[] = [...g.input.map((i: Msg) => i.name), ...g.initializer.map((t: Msg) => t.name), ...g.node.flatMap((n: Msg) => n.output)];
  const steps = 1 + d.int(3);
  for (let s = 0; s < steps; s++) {
    switch (d.int(7)) {
      case 0: case 1: case 2: if (g.node.length) mutateNode(d.pick(g.node), d, values); break;
      case 3: if (g.initializer.length) mutateTensor(d.pick(g.initializer), d); break;
      case 4: {
        if (!g.output.length) break;
        const o = d.pick(g.output) as Msg;
        if (d.chance(0.5)) g.output = [...g.output, o]; else o.name = d.chance(0.5) ? d.name() : d.pick(values);
        break;
      }
      case 5: {
        const i = g.input.length ? d.pick(g.input) as Msg : undefined;
        const dims = i?.type?.tensorType?.shape?.dim;
        if (i?.type?.tensorType && d.chance(0.3)) i.type.tensorType.elemType = d.int(27);
        else if (dims?.length) dims[d.int(dims.length)] = d.chance(0.5) ? { dimValue: d.size() } : { dimParam: d.name() };
        break;
      }
      default: if (m.opsetImport?.length) m.opsetImport[0].version = d.pick([1, 6, 7, 11, 13, 18, 99, 0]); break;
    }
  }
  return type.encode(type.fromObject(type.toObject(m as never))).finish();
}
