// Hand-written loop-IR kernels of ops whose output length input values decide (NonZero,
// NonMaxSuppression): sequential loops that append to the output, bounded at compile time,
// and store how many rows they wrote in the count buffer the runtime trims the output by.
import { numel } from '../ir/shape.js';
import {
  F32, I32, bin, cast, cnst, load, loop, scalar, select, seq, store, v,
  type Buffer, type Expr, type Stmt, type VType,
} from '../loop/ir.js';
import type { KernelBuffer, KernelContext } from './op.js';
import { unflatten } from './movement-compute.js';

const F64 = scalar('f64');
const local = (name: string, type: VType, init: Expr, body: Stmt): Stmt => ({ k: 'local', v: name, type, init, body });
const set = (name: string, value: Expr): Stmt => ({ k: 'set', v: name, value });
const when = (cond: Expr, then: Stmt): Stmt => ({ k: 'if', cond, then });
const alloc = (buf: Buffer, body: Stmt): Stmt => ({ k: 'alloc', buf, body });
const and = (a: Expr, b: Expr) => bin('and', a, b);
const f64 = (x: Expr) => (x.type.scalar === 'f64' ? x : cast(x, 'f64'));
/** An element in the output's type (i64 indices). */
const asElem = (x: Expr, out: KernelBuffer) => (out.buffer.elem === 'i64' ? cast(x, 'i64') : x);
/** Element 0 of an optional scalar input, or `dflt`. */
const scalarInput = (b: KernelBuffer | undefined, dflt: Expr) => (b && b.buffer.size ? load(b.buffer, cnst(0)) : dflt);

/** NonZero: the row-major positions of non-zero elements (NaN counts), one column per hit. */
export function nonZeroKernel(ctx: KernelContext<unknown>): Stmt {
  const x = ctx.inputs[0]!, out = ctx.outputs[0], count = ctx.counts.get(0)!;
  const max = out.shape[1];
  const value = load(x.buffer, v('i'));
  const coords = unflatten(v('i'), x.shape);
  return local('hits', I32, cnst(0), seq(
    loop('i', numel(x.shape), when(bin('ne', value, cnst(0, value.type)), seq(
      ...coords.map((c, d) => store(out.buffer, bin('add', v('hits'), cnst(d * max)), asElem(c, out))),
      set('hits', bin('add', v('hits'), cnst(1))),
    ))),
    store(count, cnst(0), v('hits')),
  ));
}

/**
 * NonMaxSuppression, per batch and class as the reference does it: take the best-scoring
 * unvisited candidate above the score threshold (lowest index on ties), keep it unless it
 * overlaps a kept box by more than the IoU threshold, until max_output_boxes_per_class are kept.
 * Coordinates and IoU in f64, as the reference computes them.
 */
export function nmsKernel(ctx: KernelContext<{ readonly center_point_box: number }>): Stmt {
  const [boxes, scores, maxIn, iouIn, scoreIn] = ctx.inputs;
  const out = ctx.outputs[0], count = ctx.counts.get(0)!;
  const [batches, classes, n] = scores!.shape;
  const center = ctx.attrs.center_point_box !== 0;
  // at most n boxes per class exist: clamp first, so a huge limit does not wrap in i32
  const limit = scalarInput(maxIn, cnst(0));
  const maxPerClass = limit.type.scalar === 'i32' ? limit : cast(bin('min', limit, cnst(n, limit.type)), 'i32');
  const iouThreshold = f64(scalarInput(iouIn, cnst(0, F32)));
  const visited: Buffer = { name: 'visited', elem: 'u8', size: n };
  const kept: Buffer = { name: 'kept', elem: 'i32', size: n };
  const score = (i: Expr) => load(scores!.buffer, bin('add', bin('mul', bin('add', bin('mul', v('b'), cnst(classes)), v('c')), cnst(n)), i));
  const corners = (i: Expr): Expr[] => {
    const at = (k: number) => f64(load(boxes!.buffer, bin('add', bin('mul', bin('add', bin('mul', v('b'), cnst(n)), i), cnst(4)), cnst(k))));
    const [a, b, c, d] = [at(0), at(1), at(2), at(3)];
    if (center) {
      const half = (e: Expr) => bin('div', e, cnst(2, F64));
      return [bin('sub', b, half(d)), bin('sub', a, half(c)), bin('add', b, half(d)), bin('add', a, half(c))];
    }
    return [bin('min', a, c), bin('min', b, d), bin('max', a, c), bin('max', b, d)];
  };
  const iou = (p: Expr[], q: Expr[]): Expr => {
    const ih = bin('sub', bin('min', p[2], q[2]), bin('max', p[0], q[0]));
    const iw = bin('sub', bin('min', p[3], q[3]), bin('max', p[1], q[1]));
    const inter = bin('mul', ih, iw);
    const area = (r: Expr[]) => bin('mul', bin('sub', r[2], r[0]), bin('sub', r[3], r[1]));
    const union = bin('sub', bin('add', area(p), area(q)), inter);
    const zero = cnst(0, F64);
    return select(and(bin('gt', ih, zero), bin('gt', iw, zero)), select(bin('gt', union, zero), bin('div', inter, union), zero), zero);
  };
  const candidate = (i: Expr) => {
    const unvisited = bin('eq', load(visited, i), cnst(0));
    return scoreIn && scoreIn.buffer.size ? and(unvisited, bin('gt', score(i), load(scoreIn.buffer, cnst(0)))) : unvisited;
  };
  // pick: the best candidate left, scanning up so ties keep the lowest index
  const scoreType = score(cnst(0)).type;
  const pick = loop('i', n, when(and(candidate(v('i')), bin('or', bin('lt', v('best'), cnst(0)), bin('gt', score(v('i')), v('bestScore', scoreType)))),
    seq(set('best', v('i')), set('bestScore', score(v('i'))))));
  const suppressedBy = loop('j', v('kc'), when(bin('gt', iou(corners(load(kept, v('j'))), corners(v('best'))), iouThreshold), set('suppressed', cnst(1))));
  const keep = seq(
    store(kept, v('kc'), v('best')),
    ...[v('b'), v('c'), v('best')].map((e, k) => store(out.buffer, bin('add', bin('mul', v('total'), cnst(3)), cnst(k)), asElem(e, out))),
    set('kc', bin('add', v('kc'), cnst(1))),
    set('total', bin('add', v('total'), cnst(1))),
  );
  const step = local('best', I32, cnst(-1), local('bestScore', scoreType, cnst(0, scoreType), seq(
    pick,
    when(bin('ge', v('best'), cnst(0)), seq(
      store(visited, v('best'), cnst(1)),
      when(bin('lt', v('kc'), maxPerClass), local('suppressed', I32, cnst(0), seq(
        suppressedBy,
        when(bin('eq', v('suppressed'), cnst(0)), keep),
      ))),
    )),
  )));
  const perClass = local('kc', I32, cnst(0), seq(loop('i', n, store(visited, v('i'), cnst(0))), loop('step', n, step)));
  return alloc(visited, alloc(kept, local('total', I32, cnst(0), seq(
    loop('b', batches, loop('c', classes, perClass)),
    store(count, cnst(0), v('total')),
  ))));
}
