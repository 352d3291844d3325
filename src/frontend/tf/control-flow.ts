// TF v1 control flow at import. A tf.cond (Switch/Merge) whose predicate is known at import keeps
// only its taken branch: the untaken Switch output is dead, deadness flows to every node reading
// it, and a Merge forwards its one live input. While-loop frames are reported by name.
import { UnsupportedError } from '../../errors.js';
import { Tensor } from '../../ir/tensor.js';
import type { TfGraphState } from './context.js';
import { refName, type TfNode, type TfRef } from './node.js';

/** Ops that only exist inside a while-loop frame. */
const LOOP_OPS = new Set(['Enter', 'Exit', 'NextIteration', 'LoopCond', 'RefEnter', 'RefExit', 'RefNextIteration']);

/** TF outputs on untaken branches: single outputs of a Switch, or every output of a node. */
export class DeadOutputs {
  private readonly refs = new Set<string>();
  private readonly nodes = new Set<string>();

  has(ref: TfRef): boolean { return this.nodes.has(ref.node) || this.refs.has(refName(ref)); }
  /** True when a data input of `node` is dead, so the node is on an untaken branch. */
  reads(node: TfNode): boolean { return node.inputs.some((r) => this.has(r)); }
  kill(ref: TfRef): void { this.refs.add(refName(ref)); }
  killNode(node: TfNode): void { this.nodes.add(node.name); }
}

/**
 * Switch(data, pred): output 1 carries data when pred is true, output 0 when false. The predicate
 * must fold to a constant at import (from constants, static shapes or frozen inputs).
 */
export function convertSwitch(state: TfGraphState, node: TfNode, dead: DeadOutputs): void {
  const where = node.where;
  const predicate = state.foldedValue(state.value(node.inputs[1], where));
  if (!predicate || predicate.size !== 1) {
    throw new UnsupportedError(`${where}: a tf.cond on a predicate computed at run time is not supported; ` +
      `freeze the inputs it depends on (--freeze NAME=FILE.npy) so the branch is chosen at import`);
  }
  const taken = predicate.numbers[0] ? 1 : 0;
  state.bind({ node: node.name, index: taken }, state.value(node.inputs[0], where));
  dead.kill({ node: node.name, index: 1 - taken });
}

/** Merge(inputs...): the one live input, and its index as output 1. */
export function convertMerge(state: TfGraphState, node: TfNode, dead: DeadOutputs): void {
  const live = node.inputs.map((r, i) => [r, i] as const).filter(([r]) => !dead.has(r));
  if (live.length !== 1) {
    throw new UnsupportedError(`${node.where}: ${live.length} of its inputs are live; a tf.cond merge needs exactly one`);
  }
  const [ref, index] = live[0];
  state.bind({ node: node.name, index: 0 }, state.value(ref, node.where));
  state.bindConstant({ node: node.name, index: 1 }, Tensor.scalar('int32', index));
}

/**
 * Throws a one-line error naming each while-loop frame among `nodes` and the ops inside it: the
 * nodes its Enter nodes reach through data edges, up to and including its Exit nodes.
 */
export function rejectWhileLoops(nodes: ReadonlyMap<string, TfNode>, source: string): void {
  const all = [...nodes.values()];
  if (!all.some((n) => LOOP_OPS.has(n.op))) return;
  const consumers = new Map<string, TfNode[]>();
  for (const n of all) for (const r of n.inputs) consumers.set(r.node, [...(consumers.get(r.node) ?? []), n]);
  const frames = new Map<string, Set<string>>();
  for (const enter of all.filter((n) => n.op === 'Enter' || n.op === 'RefEnter')) {
    const frame = enter.attrs.str('frame_name', enter.name);
    const ops = frames.get(frame) ?? new Set<string>();
    frames.set(frame, ops);
    const seen = new Set<string>([enter.name]);
    const stack = [enter];
    while (stack.length) {
      const n = stack.pop()!;
      ops.add(n.op);
      if (n.op === 'Exit' || n.op === 'RefExit') continue;
      for (const c of consumers.get(n.name) ?? []) if (!seen.has(c.name)) { seen.add(c.name); stack.push(c); }
    }
  }
  const described = [...frames].map(([frame, ops]) => `'${frame}' (${[...ops].sort().join(', ')})`).join('; ');
  throw new UnsupportedError(`${source}: TensorFlow while loops are not supported: ${described || 'loop ops without an Enter'}; ` +
    `Kiln imports graphs without loop frames (re-export with the loop unrolled, e.g. a fixed-size tf.map replaced by batched ops)`);
}
