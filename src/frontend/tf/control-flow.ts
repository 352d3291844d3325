// TF v1 control flow at import. A tf.cond (Switch/Merge) whose predicate is known at import keeps
// only its taken branch: the untaken Switch output is dead, deadness flows to every node reading
// it, and a Merge forwards its one live input. While loops are unrolled by while-loop.ts.
import { UnsupportedError } from '../../errors.js';
import { Tensor } from '../../ir/tensor.js';
import type { TfGraphState } from './context.js';
import { refName, type TfNode, type TfRef } from './node.js';

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
