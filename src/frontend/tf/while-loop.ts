// TF v1 while loops (Enter/Merge/Switch/LoopCond/NextIteration/Exit frames) unrolled at import:
// the body is converted once per iteration for as long as the loop condition folds to true, so a
// tf.map over a batch of known size becomes straight-line canonical ops. Loops whose trip count is
// not known at import are rejected by name.
import { UnsupportedError } from '../../errors.js';
import { Tensor } from '../../ir/tensor.js';
import type { TfGraphState } from './context.js';
import { DeadOutputs } from './control-flow.js';
import type { TfNode, TfRef } from './node.js';

/** Beyond this many iterations unrolling would bloat the graph; such loops need a real Loop op. */
const MAX_ITERATIONS = 256;

export interface Frame {
  readonly name: string;
  /** Nodes the frame's Enter nodes reach through data edges, up to and including its Exits. */
  readonly members: ReadonlySet<string>;
  readonly nextIterations: readonly string[];
  /** The op types in the frame, for messages. */
  readonly ops: string;
}

const isEnter = (n: TfNode) => n.op === 'Enter' || n.op === 'RefEnter';
const isExit = (n: TfNode) => n.op === 'Exit' || n.op === 'RefExit';
const isNext = (n: TfNode | undefined) => n?.op === 'NextIteration' || n?.op === 'RefNextIteration';

/** Every frame of the graph, by the name of each of its member nodes. */
export function findFrames(nodes: ReadonlyMap<string, TfNode>): Map<string, Frame> {
  const consumers = new Map<string, TfNode[]>();
  for (const n of nodes.values()) for (const r of n.inputs) consumers.set(r.node, [...(consumers.get(r.node) ?? []), n]);
  const byFrame = new Map<string, Set<string>>();
  for (const enter of [...nodes.values()].filter(isEnter)) {
    const name = enter.attrs.str('frame_name', enter.name);
    const members = byFrame.get(name) ?? new Set<string>();
    byFrame.set(name, members);
    const stack = [enter];
    members.add(enter.name);
    while (stack.length) {
      const n = stack.pop()!;
      if (isExit(n)) continue;
      for (const c of consumers.get(n.name) ?? []) if (!members.has(c.name)) { members.add(c.name); stack.push(c); }
    }
  }
  const frameOf = new Map<string, Frame>();
  for (const [name, members] of byFrame) {
    const ops = [...new Set([...members].map((m) => nodes.get(m)!.op))].sort().join(', ');
    const frame: Frame = { name, members, ops, nextIterations: [...members].filter((m) => isNext(nodes.get(m))) };
    for (const m of members) {
      const other = frameOf.get(m);
      if (other) throw new UnsupportedError(`while loop '${name}' is nested in or shares nodes with '${other.name}'; nested loops are not supported`);
      frameOf.set(m, frame);
    }
  }
  return frameOf;
}

/**
 * The inputs a node waits for in import order: a loop Merge does not wait for its NextIteration
 * (the back edge), and an Exit waits for the whole body, so the frame's outer inputs are bound
 * before it is unrolled.
 */
export function loopDependencies(node: TfNode, nodes: ReadonlyMap<string, TfNode>, frames: ReadonlyMap<string, Frame>): readonly TfRef[] {
  if (node.op === 'Merge' && frames.has(node.name)) return node.inputs.filter((r) => !isNext(nodes.get(r.node)));
  if (isExit(node)) return [...node.inputs, ...(frames.get(node.name)?.nextIterations ?? []).map((n) => ({ node: n, index: 0 }))];
  return node.inputs;
}

/**
 * Converts the frame's `body` (its members in import order) once per iteration: Enters pass their
 * input, Merges take the Enter value first and the NextIteration value after, a Switch on the
 * LoopCond continues while the condition folds to true, and the Exits bind the final values.
 * `convert` converts any other node, honouring deadness (a tf.cond inside the body), and reports
 * failures itself; false stops the unrolling.
 */
export function unrollFrame(frame: Frame, body: readonly TfNode[], nodes: ReadonlyMap<string, TfNode>, state: TfGraphState,
  convert: (node: TfNode, dead: DeadOutputs) => boolean): boolean {
  let carried = new Map<string, string>();
  for (let iteration = 0; ; iteration++) {
    if (iteration > MAX_ITERATIONS) {
      throw new UnsupportedError(`while loop '${frame.name}' (${frame.ops}) runs more than ${MAX_ITERATIONS} iterations; Kiln unrolls loops at import only up to that`);
    }
    const dead = new DeadOutputs();
    const next = new Map<string, string>();
    let exiting = false;
    for (const n of body) {
      const bind = (index: number, v: string) => state.bind({ node: n.name, index }, v);
      if (dead.reads(n) && n.op !== 'Merge') { dead.killNode(n); continue; }
      if (isEnter(n) || n.op === 'LoopCond' || (isExit(n) && exiting)) {
        bind(0, state.value(n.inputs[0], n.where));
      } else if (isExit(n)) {
        continue;
      } else if (n.op === 'Merge' && n.inputs.some((r) => isNext(nodes.get(r.node)))) {
        const init = n.inputs.find((r) => !isNext(nodes.get(r.node)))!;
        bind(0, iteration === 0 ? state.value(init, n.where) : carried.get(n.name)!);
        state.bindConstant({ node: n.name, index: 1 }, Tensor.scalar('int32', iteration === 0 ? 0 : 1));
      } else if (n.op === 'Switch' && nodes.get(n.inputs[1].node)?.op === 'LoopCond') {
        const go = continues(state, n, frame);
        bind(go ? 1 : 0, state.value(n.inputs[0], n.where));
        dead.kill({ node: n.name, index: go ? 0 : 1 });
        exiting = !go;
      } else if (isNext(n)) {
        const merge = [...frame.members].find((m) => nodes.get(m)?.op === 'Merge' && nodes.get(m)!.inputs.some((r) => r.node === n.name));
        if (merge) next.set(merge, state.value(n.inputs[0], n.where));
      } else if (!convert(n, dead)) {
        return false;
      }
    }
    if (exiting) return true;
    carried = next;
  }
}

function continues(state: TfGraphState, sw: TfNode, frame: Frame): boolean {
  const c = state.foldedValue(state.value(sw.inputs[1], sw.where));
  if (!c || c.size !== 1) {
    throw new UnsupportedError(`while loop '${frame.name}' (${frame.ops}): its condition is not known at import, so it cannot be unrolled ` +
      `(fix the input dims the trip count follows from with --shape)`);
  }
  return c.numbers[0] !== 0;
}
