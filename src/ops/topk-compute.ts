// TopK with a constant K, two ways: a compute that ranks every element against its line (O(n^2),
// but vectorised, for short lines) and a loop-IR kernel keeping a bounded heap (O(n log k)).
import { I32, bin, cast, cnst, load, loop, select, seq, store, v, computeType, scalar,
  type Buffer, type Expr, type Stmt, type VType } from '../loop/ir.js';
import { along, compute, reduce, type ComputeTensor, type TeTensor } from '../lower/te.js';
import type { ComputeContext, KernelContext } from './op.js';

type TopKAttrs = { readonly largest: number };
const isFloat = (t: VType) => t.scalar === 'f32' || t.scalar === 'f64';
const or = (a: Expr, b: Expr) => bin('or', a, b);
const and = (a: Expr, b: Expr) => bin('and', a, b);
const isNaN = (a: Expr) => bin('ne', a, a);

/**
 * 1 when value a comes strictly before b in TopK's order, ignoring indices: larger first when
 * `largest` (smaller first otherwise), NaN counting as above every number, as numpy sorts it.
 */
function ahead(a: Expr, b: Expr, largest: boolean): Expr {
  const [hi, lo] = largest ? [a, b] : [b, a];
  const above = bin('gt', hi, lo);
  return isFloat(a.type) ? or(above, and(isNaN(hi), bin('eq', lo, lo))) : above;
}
/** 1 when a and b tie in TopK's order (NaNs tie with each other). */
const tie = (a: Expr, b: Expr) => (isFloat(a.type) ? or(bin('eq', a, b), and(isNaN(a), isNaN(b))) : bin('eq', a, b));

/** Values and int64 indices of the k best per line along `axis`, best first, ties by lower index. */
export function topKCompute(ctx: ComputeContext<TopKAttrs>, axis: number): ComputeTensor[] {
  const x = ctx.inputs[0] as TeTensor;
  const [values, indices] = ctx.outputs;
  const n = x.shape[axis];
  const rank = compute(`${values.name}_rank`, x.shape, (idx) => reduce('sum', [n], ([q]) => {
    const [other, self] = [x.at(along(idx, axis, q)), x.at(idx)];
    const before = or(ahead(other, self, ctx.attrs.largest !== 0), and(tie(other, self), bin('lt', q, idx[axis])));
    return select(before, cnst(1), cnst(0));
  }), { elem: 'i32' });
  const position = compute(indices.name, indices.shape, (idx) =>
    reduce('max', [n], ([p]) => select(bin('eq', rank.at(along(idx, axis, p)), idx[axis]), p, cnst(-1)))
      .then((p) => (indices.elem === 'i64' ? cast(p, 'i64') : p)), { elem: indices.elem });
  return [compute(values.name, values.shape, (idx) => {
    const p = position.at(idx);
    const at = bin('max', cnst(0), bin('min', cnst(n - 1), p.type.scalar === 'i32' ? p : cast(p, 'i32')));
    return x.at(along(idx, axis, at));
  }, { elem: values.elem }), position];
}

const local = (name: string, type: VType, init: Expr, body: Stmt): Stmt => ({ k: 'local', v: name, type, init, body });
const set = (name: string, value: Expr): Stmt => ({ k: 'set', v: name, value });
const when = (cond: Expr, then: Stmt, otherwise?: Stmt): Stmt => ({ k: 'if', cond, then, else: otherwise });
const letIn = (name: string, value: Expr, body: Stmt): Stmt => ({ k: 'let', v: name, value, body });
const add = (a: Expr, b: Expr) => bin('add', a, b);
const mul = (a: Expr, b: Expr) => bin('mul', a, b);

/**
 * Lines where ranking all pairs wins (bench/micro/topk.ts): short ones that keep most of their
 * elements, where the heap's sort is most of its work and the compute's n^2 compares vectorise
 * (up to ~1.7x faster at k = n <= 32; at k <= n/2 the heap is 1.2x-50x faster already from n = 8).
 */
export const ranksFaster = (n: number, k: number): boolean => n <= 32 && 4 * k > 3 * n;

/** The heap kernel, or undefined where the rank compute is faster. */
export function topKKernel(ctx: KernelContext<TopKAttrs>, axis: number): Stmt | undefined {
  return ranksFaster(ctx.inputs[0]!.shape[axis], ctx.outputs[0].shape[axis]) ? undefined : topKHeap(ctx, axis);
}

/**
 * TopK per line as a bounded binary heap of the k best indices whose root is the worst kept: each
 * later element only has to beat the root (one compare for most of a long line), then a heap sort
 * puts the k in order. The heap holds indices in scratch; values are read through them.
 */
export function topKHeap(ctx: KernelContext<TopKAttrs>, axis: number): Stmt {
  const x = ctx.inputs[0]!;
  const [values, indices] = ctx.outputs;
  const n = x.shape[axis], k = values.shape[axis];
  if (k === 0 || values.buffer.size === 0) return seq();
  const outer = x.shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const largest = ctx.attrs.largest !== 0;
  const T = scalar(computeType(x.buffer.elem));
  const heap: Buffer = { name: 'topk_heap', elem: 'i32', size: k };
  let levels = 0;
  while (2 ** levels <= k) levels++;

  const base = add(mul(v('o'), cnst(n * inner)), v('i'));
  const valueOf = (j: Expr) => load(x.buffer, add(base, mul(j, cnst(inner))));
  /** Heap slot a holds a worse element than slot b: b's element comes before a's. */
  const worse = (a: Expr, b: Expr) => {
    const [pa, pb] = [load(heap, a), load(heap, b)];
    const [va, vb] = [valueOf(pa), valueOf(pb)];
    return or(ahead(vb, va, largest), and(tie(vb, va), bin('lt', pb, pa)));
  };
  const swap = (a: Expr, b: Expr, tag: string): Stmt => letIn(`${tag}_t`, load(heap, a), seq(
    store(heap, a, load(heap, b)), store(heap, b, v(`${tag}_t`))));
  // the worse child of `at` moves up while it is worse than `at`, within the first `size` slots
  const siftDown = (size: Expr, tag: string): Stmt => {
    const [at, top, go] = [`${tag}_at`, `${tag}_top`, `${tag}_go`];
    const child = (c: Expr) => when(bin('lt', c, size), when(worse(c, v(top)), set(top, c)));
    return local(at, I32, cnst(0), local(go, I32, cnst(1), loop(`${tag}_lvl`, levels, when(v(go), local(top, I32, v(at), seq(
      child(add(mul(v(at), cnst(2)), cnst(1))),
      child(add(mul(v(at), cnst(2)), cnst(2))),
      when(bin('eq', v(top), v(at)), set(go, cnst(0)), seq(swap(v(at), v(top), tag), set(at, v(top)))),
    ))))));
  };
  // slot c moves up while it is worse than its parent
  const siftUp = (from: Expr): Stmt => local('up_c', I32, from, loop('up_lvl', levels,
    when(bin('gt', v('up_c'), cnst(0)), letIn('up_p', bin('shr', bin('sub', v('up_c'), cnst(1)), cnst(1)),
      when(worse(v('up_c'), v('up_p')), seq(swap(v('up_c'), v('up_p'), 'up'), set('up_c', v('up_p'))), set('up_c', cnst(0)))))));
  const root = set('root', valueOf(load(heap, cnst(0))));
  const fill = loop('j', k, seq(store(heap, v('j'), v('j')), siftUp(v('j'))));
  // once full, an element enters only by beating the root outright: on a tie its index is higher
  const rest = loop('j', n - k, letIn('xj', valueOf(v('j')), when(ahead(v('xj', T), v('root', T), largest),
    seq(store(heap, cnst(0), v('j')), siftDown(cnst(k), 'in'), root))), 'serial', k);
  const sort = loop('s', k - 1, letIn('end', bin('sub', cnst(k - 1), v('s')), seq(
    swap(cnst(0), v('end'), 'out'), siftDown(v('end'), 'out'))));
  const outAt = (j: Expr) => add(add(mul(v('o'), cnst(k * inner)), v('i')), mul(j, cnst(inner)));
  const emit = loop('j', k, letIn('h', load(heap, v('j')), seq(
    store(values.buffer, outAt(v('j')), valueOf(v('h'))),
    store(indices.buffer, outAt(v('j')), indices.buffer.elem === 'i64' ? cast(v('h'), 'i64') : v('h')))));
  const line = local('root', T, cnst(0, T), seq(fill, root, rest, sort, emit));
  return { k: 'alloc', buf: heap, body: loop('o', outer, loop('i', inner, line)) };
}
