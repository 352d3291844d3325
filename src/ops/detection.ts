// Selection ops with data-dependent results: TopK and NonMaxSuppression.
import { ShapeError } from '../errors.js';
import { allocData, type NumericData } from '../ir/dtype.js';
import { isStatic, normAxis, numel, type Dim } from '../ir/shape.js';
import { nmsKernel } from './dynamic-kernels.js';
import { Tensor } from '../ir/tensor.js';
import { attr, defineOp, type OpTable } from './op.js';
import { topKCompute, topKKernel } from './topk-compute.js';

/** Scalar value of an optional parameter input, or `dflt` when it is omitted. */
function scalarOr(t: Tensor | undefined, dflt: number): number {
  return t && t.size ? t.numbers[0] : dflt;
}

/** Corners [y1, x1, y2, x2] with y1 <= y2, x1 <= x2, from either box encoding. */
function corners(b: NumericData, at: number, centerPoint: boolean): [number, number, number, number] {
  if (centerPoint) {
    const [xc, yc, w, h] = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    return [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2];
  }
  const [y1, x1, y2, x2] = [b[at], b[at + 1], b[at + 2], b[at + 3]];
  return [Math.min(y1, y2), Math.min(x1, x2), Math.max(y1, y2), Math.max(x1, x2)];
}

function iou(a: readonly number[], b: readonly number[]): number {
  const ih = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iw = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (ih <= 0 || iw <= 0) return 0;
  const inter = ih * iw;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The k first of 0..n-1 in the order `before` (negative when p comes first), sorted. A
 * bounded heap whose root is the worst kept index makes this O(n log k) for small k.
 */
function selectBest(n: number, k: number, before: (p: number, q: number) => number): number[] {
  if (k === 0) return [];
  const heap: number[] = [];
  const worse = (a: number, b: number) => before(heap[a], heap[b]) > 0;
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1, r = l + 1;
      let top = at;
      if (l < heap.length && worse(l, top)) top = l;
      if (r < heap.length && worse(r, top)) top = r;
      if (top === at) return;
      [heap[at], heap[top]] = [heap[top], heap[at]];
      at = top;
    }
  };
  for (let j = 0; j < n; j++) {
    if (heap.length < k) {
      heap.push(j);
      for (let c = heap.length - 1; c > 0 && worse(c, (c - 1) >> 1); c = (c - 1) >> 1) {
        const p = (c - 1) >> 1;
        [heap[c], heap[p]] = [heap[p], heap[c]];
      }
    } else if (before(j, heap[0]) < 0) {
      heap[0] = j;
      siftDown(0);
    }
  }
  return heap.sort(before);
}

export const detectionOps = {
  TopK: defineOp({
    attrs: { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
    inputs: [2, 2],
    outputs: [2, 2],
    fusion: 'opaque',
    infer: ({ inputs, attrs, constant, symbol }) => {
      const x = inputs[0]!;
      const a = normAxis(attrs.axis, x.shape.length, 'TopK axis');
      const k = constant(1);
      const shape = x.shape.map((d, i): Dim => (i !== a ? d : k ? k.numbers[0] : symbol('topk')));
      return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }];
    },
    compute: (ctx) => topKCompute(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length, 'TopK axis')),
    kernel: (ctx) => topKKernel(ctx, normAxis(ctx.attrs.axis, ctx.inputs[0]!.shape.length, 'TopK axis')),
    run: ({ inputs, attrs }) => {
      const x = inputs[0]!;
      const a = normAxis(attrs.axis, x.rank, 'TopK axis');
      const k = inputs[1]!.numbers[0];
      const n = x.shape[a];
      if (!(k >= 0 && k <= n)) throw new ShapeError(`TopK k=${k} is out of range for an axis of size ${n}`);
      const inner = numel(x.shape.slice(a + 1)), outer = numel(x.shape.slice(0, a));
      const shape = x.shape.map((d, i) => (i === a ? k : d));
      const values = allocData(x.dtype, numel(shape)) as NumericData;
      const indices = new Float64Array(values.length);
      const src = x.numbers;
      // NaN counts as above every number, as numpy sorts it; ties keep the lower index first, as the spec asks
      const above = (a: number, b: number) => a > b || (a !== a && b === b);
      const ahead = attrs.largest ? above : (a: number, b: number) => above(b, a);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          const before = (p: number, q: number) => {
            const [a, b] = [src[base + p * inner], src[base + q * inner]];
            return ahead(a, b) ? -1 : ahead(b, a) ? 1 : p - q;
          };
          const best = selectBest(n, k, before);
          for (let j = 0; j < k; j++) {
            const at = (o * k + j) * inner + i;
            values[at] = src[base + best[j] * inner];
            indices[at] = best[j];
          }
        }
      }
      return [new Tensor(x.dtype, shape, values), new Tensor('int64', shape, indices)];
    },
  }),

  NonMaxSuppression: defineOp({
    attrs: { center_point_box: attr.int(0) },
    inputs: [2, 5],
    fusion: 'opaque',
    infer: ({ symbol }) => [{ dtype: 'int64', shape: [symbol('nms'), 3] }],
    // compiled for every box of every class kept (or the constant limit per class)
    dynamicOutputs: ({ inputs, constant }) => {
      const s = inputs[1]!.shape;
      if (!isStatic(s) || s.length !== 3) return [undefined];
      const [batches, classes, n] = s as number[];
      const limit = inputs[2] ? constant(2) : undefined;
      const perClass = !inputs[2] ? 0 : limit ? Math.max(0, Math.min(n, scalarOr(limit, 0))) : n;
      return [{ axis: 0, max: batches * classes * perClass }];
    },
    kernel: nmsKernel,
    run: ({ inputs, attrs }) => {
      const [boxes, scores] = [inputs[0]!, inputs[1]!];
      const maxPerClass = scalarOr(inputs[2], 0);
      const iouThreshold = scalarOr(inputs[3], 0);
      const scoreThreshold = inputs[4] ? scalarOr(inputs[4], -Infinity) : -Infinity;
      const [batches, classes, n] = scores.shape;
      if (boxes.rank !== 3 || boxes.shape[0] !== batches || boxes.shape[1] !== n || boxes.shape[2] !== 4) {
        throw new ShapeError(`NonMaxSuppression boxes [${boxes.shape}] do not match scores [${scores.shape}]`);
      }
      const b = boxes.numbers, s = scores.numbers;
      const selected: number[] = [];
      for (let batch = 0; batch < batches; batch++) {
        const box = (i: number) => corners(b, (batch * n + i) * 4, attrs.center_point_box !== 0);
        for (let c = 0; c < classes; c++) {
          const base = (batch * classes + c) * n;
          const cands: number[] = [];
          for (let i = 0; i < n; i++) if (s[base + i] > scoreThreshold) cands.push(i);
          cands.sort((p, q) => s[base + q] - s[base + p] || p - q);
          const kept: (readonly number[])[] = [];
          for (const i of cands) {
            if (kept.length >= maxPerClass) break;
            const bi = box(i);
            if (kept.some((k) => iou(k, bi) > iouThreshold)) continue;
            kept.push(bi);
            selected.push(batch, c, i);
          }
        }
      }
      return [new Tensor('int64', [selected.length / 3, 3], Float64Array.from(selected))];
    },
  }),
} satisfies OpTable;
