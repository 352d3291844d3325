// The recurrent ops RNN, GRU and LSTM (opset 22 attribute set). Their reference kernel is
// recurrent-kernel.ts; compiled models get them unrolled into canonical ops by their expand facet (recurrent-expand.ts).
import type { Node } from '../ir/graph.js';
import { attr, defineOp, type AttrSchema, type AttrsOf, type OpTable } from './op.js';
import { expandRecurrent } from './recurrent-expand.js';
import { runRecurrent } from './recurrent-kernel.js';
import { inferRecurrent, recurrentSpec, type RecurrentOp } from './recurrent-spec.js';

const common = {
  activation_alpha: attr.floats(), activation_beta: attr.floats(), activations: attr.strings(),
  clip: attr.float(), direction: attr.string('forward'), hidden_size: attr.int(), layout: attr.int(0),
};

function recurrentOp<S extends AttrSchema>(op: RecurrentOp, attrs: S, inputs: readonly [number, number], outputs: readonly [number, number]) {
  const spec = (node: Node, a: AttrsOf<S>) => recurrentSpec(op, node.name, a as never);
  return defineOp({
    attrs, inputs, outputs,
    fusion: 'opaque',
    infer: ({ node, attrs: a, inputs: ins }) =>
      inferRecurrent(spec(node, a), node.name, (a as { hidden_size?: number }).hidden_size, ins, node.outputs.length),
    run: ({ node, attrs: a, inputs: ins }) =>
      runRecurrent(spec(node, a), (a as { hidden_size?: number }).hidden_size, ins).slice(0, Math.max(1, node.outputs.length)),
    expand: expandRecurrent,
    // every step multiplies x_t by W and h by R, per direction: Y has seq * dirs * batch * hidden elements
    macs: ({ inputs: ins, outputs: outs }) => {
      const [w, r] = [ins[1]!.shape, ins[2]!.shape], y = outs[0].shape;
      if (![...w, ...r, ...y].every((d) => typeof d === 'number')) return 0;
      const gates = (w[1] as number) / (r[2] as number);
      return y.reduce<number>((n, d) => n * (d as number), 1) * gates * ((w[2] as number) + (r[2] as number));
    },
  });
}

export const recurrentOps = {
  RNN: recurrentOp('RNN', common, [3, 6], [0, 2]),
  GRU: recurrentOp('GRU', { ...common, linear_before_reset: attr.int(0) }, [3, 6], [0, 2]),
  LSTM: recurrentOp('LSTM', { ...common, input_forget: attr.int(0) }, [3, 8], [0, 3]),
} satisfies OpTable;
