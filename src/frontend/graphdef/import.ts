// TensorFlow frozen GraphDef (.pb) -> Graph: decodes the protobuf into the same node objects a
// TF.js model.json holds and maps them with the shared TensorFlow mapping. Consts carry their
// tensors; inputs are the Placeholders, outputs the nodes nothing reads.
import { basename } from 'node:path';
import { FormatError } from '../../errors.js';
import type { Graph } from '../../ir/graph.js';
import { convertTfGraph, type TfImportOptions } from '../tf/convert.js';
import type { TfNodeJson } from '../tf/node.js';
import { decodeTfTensor } from '../tf/tensor.js';
import { GraphDefMessage, TO_OBJECT } from './schema.js';

interface GraphDefJson {
  readonly node?: readonly TfNodeJson[];
  readonly versions?: { readonly producer?: number };
  readonly library?: { readonly function?: readonly { readonly signature?: { readonly name?: string } }[] };
}

const NOT_A_GRAPHDEF = 'it is truncated, corrupt or not a frozen GraphDef (a SavedModel must be frozen first)';

export function decodeGraphDef(bytes: Uint8Array, source: string): GraphDefJson {
  let decoded: GraphDefJson;
  try {
    decoded = GraphDefMessage.toObject(GraphDefMessage.decode(bytes), TO_OBJECT) as GraphDefJson;
  } catch (e) {
    throw new FormatError(`${source}: cannot decode the GraphDef (${(e as Error).message}); ${NOT_A_GRAPHDEF}`);
  }
  if (!decoded.node?.length || decoded.node.some((n) => !n.name || !n.op)) {
    throw new FormatError(`${source}: the GraphDef has no nodes or nameless nodes; ${NOT_A_GRAPHDEF}`);
  }
  return decoded;
}

export function importGraphDef(bytes: Uint8Array, source: string, given?: TfImportOptions): Graph {
  const g = decodeGraphDef(bytes, source);
  return convertTfGraph({
    format: 'graphdef', source, name: basename(source).replace(/\.pb$/, ''),
    producer: g.versions?.producer === undefined ? undefined : `TensorFlow GraphDef producer ${g.versions.producer}`,
    nodes: g.node!, int64As: 'int64', given,
    functions: new Set((g.library?.function ?? []).map((f) => f.signature?.name ?? '')),
    constant: (node) => {
      const t = node.attrs.tensor('value');
      if (!t) throw new FormatError(`${source}: ${node.where} has no 'value' tensor`);
      return decodeTfTensor(t, `${source}: ${node.where}`);
    },
  });
}
