// TF tensor arrays (TF1 TensorArrayV3, a mutable array behind a handle) and tensor lists (TF2,
// immutable values) as import-time lists of canonical values: loops that fill them are unrolled
// at import (while-loop.ts), so every index they are read or written at folds to a constant.
import { Tensor } from '../../ir/tensor.js';
import type { NodeContext } from './context.js';
import type { Converter } from './ops-math.js';

/** The elements of one list: canonical values, undefined where nothing was written yet. */
export type ListElements = (string | undefined)[];

function index(c: NodeContext, i: number, what: string): number[] {
  return c.constInts(i, what);
}

function elementsOf(c: NodeContext, i: number): ListElements {
  const list = c.state.list(c.input(i));
  if (!list) throw c.unsupported(`input ${i} that is not a tensor array or list made at import`);
  return list;
}

/** Element k of `x` along axis 0 (what unstacking a tensor into a list gives). */
function row(c: NodeContext, x: string, k: number): string {
  return c.emit1('Gather', [x, c.constantValue(Tensor.scalar('int64', k), 'row')], { axis: 0 });
}

function leadingDim(c: NodeContext, x: string): number {
  const n = c.info(x).shape[0];
  if (typeof n !== 'number') throw c.unsupported('a list made from a tensor whose first dim is symbolic (fix it with --shape)');
  return n;
}

/** The elements at `at`, stacked on a new axis 0. */
function stack(c: NodeContext, list: ListElements, at: readonly number[]): string {
  if (!at.length) throw c.unsupported('stacking an empty list');
  const parts = at.map((k) => {
    const v = list[k];
    if (v === undefined) throw c.unsupported(`stacking element ${k}, which was never written`);
    return c.emit1('Unsqueeze', [v, c.int64s([0])]);
  });
  return parts.length === 1 ? parts[0] : c.emit1('Concat', parts, { axis: 0 });
}

function read(c: NodeContext, list: ListElements, k: number): string {
  const v = list[k];
  if (v === undefined) throw c.unsupported(`reading element ${k}, which was never written`);
  return v;
}

const range = (n: number) => Array.from({ length: n }, (_, k) => k);
/** The flow value TF1 threads through tensor array ops to order them: a dummy scalar here. */
const flow = (c: NodeContext) => c.scalar('float32', 0, 'flow');

export const listOps = {
  TensorArrayV3: (c) => [c.state.newList(new Array(index(c, 0, 'size')[0]).fill(undefined)), flow(c)],
  TensorArrayScatterV3: (c) => {
    const list = elementsOf(c, 0);
    index(c, 1, 'indices').forEach((k, i) => { list[k] = row(c, c.input(2), i); });
    return [flow(c)];
  },
  TensorArrayWriteV3: (c) => {
    elementsOf(c, 0)[index(c, 1, 'index')[0]] = c.input(2);
    return [flow(c)];
  },
  TensorArrayReadV3: (c) => [read(c, elementsOf(c, 0), index(c, 1, 'index')[0])],
  TensorArrayGatherV3: (c) => [stack(c, elementsOf(c, 0), index(c, 1, 'indices'))],
  TensorArraySizeV3: (c) => [c.scalar('int32', elementsOf(c, 0).length, 'size')],
  TensorArrayCloseV3: () => [],

  TensorListReserve: (c) => [c.state.newList(new Array(index(c, 1, 'num_elements')[0]).fill(undefined))],
  TensorListFromTensor: (c) => {
    const x = c.input(0);
    return [c.state.newList(range(leadingDim(c, x)).map((k) => row(c, x, k)))];
  },
  TensorListGetItem: (c) => [read(c, elementsOf(c, 0), index(c, 1, 'index')[0])],
  TensorListSetItem: (c) => {
    const list = [...elementsOf(c, 0)];
    list[index(c, 1, 'index')[0]] = c.input(2);
    return [c.state.newList(list)];
  },
  TensorListStack: (c) => {
    const list = elementsOf(c, 0);
    return [stack(c, list, range(list.length))];
  },
  TensorListLength: (c) => [c.scalar('int32', elementsOf(c, 0).length, 'length')],
} satisfies Record<string, Converter>;
