// Padding into the window op that reads it: a constant Pad of the spatial axes only, with the value
// the consumer's own padding stands for (0 for Conv and AveragePool counting pads, -inf for
// MaxPool), becomes that consumer's pads attribute, so the padded copy is never materialised.
import type { Graph, Node } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { padAmounts } from '../ops/data-util.js';
import { consumers, producers, pruned } from './rewrite.js';

export function foldPad(g: Graph): Graph {
  const made = producers(g.nodes), readers = consumers(g.nodes);
  const outputs = new Set(g.outputs);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const consumer of g.nodes) {
    const padded = consumer.inputs[0];
    const pad = padded ? made.get(padded) : undefined;
    const fill = padded ? ignoredFill(consumer) : undefined;
    if (!pad || pad.op !== 'Pad' || fill === undefined || outputs.has(padded) || readers.get(padded)!.length !== 1) continue;
    const spatial = spatialPads(g, pad, fill);
    if (!spatial) continue;
    const rank = spatial.length / 2;
    const old = (consumer.attrs.pads as readonly number[] | undefined) ?? new Array<number>(2 * rank).fill(0);
    const pads = old.map((p, i) => p + spatial[i]);
    replaced.set(consumer, { ...consumer, inputs: [pad.inputs[0], ...consumer.inputs.slice(1)], attrs: { ...consumer.attrs, pads, auto_pad: 'NOTSET' } });
    dropped.add(pad);
  }
  if (!dropped.size) return g;
  return pruned({ ...g, nodes: g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n) });
}

/** The pad value a window op's own padding stands for, when it has explicit (or no) pads. */
function ignoredFill(n: Node): number | undefined {
  const autoPad = n.attrs.auto_pad ?? 'NOTSET';
  if ((autoPad !== 'NOTSET' && autoPad !== 'VALID') || (autoPad === 'VALID' && n.attrs.pads)) return undefined;
  if (n.op === 'Conv') return 0;
  // with ceil_mode a window may start inside the end padding, which an explicit Pad would count
  if (n.attrs.ceil_mode) return undefined;
  if (n.op === 'MaxPool') return n.outputs.length === 1 ? -Infinity : undefined;
  if (n.op === 'AveragePool') return n.attrs.count_include_pad === 1 ? 0 : undefined;
  return undefined;
}

/** The Pad's spatial [begins..., ends...] when it is a constant, non-negative pad of only the axes after N and C by `fill`. */
function spatialPads(g: Graph, pad: Node, fill: number): number[] | undefined {
  const [x, padsName, valueName, axesName] = pad.inputs;
  const info = g.values.get(x);
  const padsT = g.constants.get(padsName);
  const axes = axesName ? g.constants.get(axesName) : undefined;
  const value = valueName ? g.constants.get(valueName) : undefined;
  if ((pad.attrs.mode ?? 'constant') !== 'constant' || !info || !isStatic(info.shape) || info.shape.length < 3
    || !padsT || (axesName && !axes) || (valueName && !value)) return undefined;
  if ((value && value.size ? value.numbers[0] : 0) !== fill) return undefined;
  const amounts = padAmounts(info.shape.length, padsT.toArray(), axes?.toArray());
  if (amounts.slice(0, 2).some(([b, e]) => b !== 0 || e !== 0) || amounts.some(([b, e]) => b < 0 || e < 0)) return undefined;
  const spatial = amounts.slice(2);
  return [...spatial.map(([b]) => b), ...spatial.map(([, e]) => e)];
}
