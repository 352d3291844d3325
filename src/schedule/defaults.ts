// Schedule templates per op family and the default schedule of a node. Axis names follow the
// compute definitions: elementwise i0..iR, MatMul b*, m, n / k, Conv n, o, oh, ow / c, kh, kw.
import type { Attrs, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind, resolveAttrs } from '../ops/op.js';
import { nearestRepeats, repeatAxes } from '../ops/resize-compute.js';
import type { ResizeAttrs } from '../ops/resize.js';
import { transposeWindow, type TransposeAttrs } from '../ops/conv.js';
import { convSource, isPhasedTranspose } from '../ops/nn-compute.js';
import { einsumAsMatmul, planEinsum } from '../ops/nn-einsum.js';
import { dividing, type ScheduleTemplate } from './knobs.js';
import { poolTemplate } from './pool.js';
import { pack, reorder, split, unroll, vectorize, type Schedule, type Step } from './schedule.js';

/** f32 lanes of a 128-bit vector. */
const LANES = 4;

export interface ElementwiseProblem { readonly shape: readonly number[] }

/**
 * Elementwise ops: mark the innermost axis vectorised when it holds at least one vector; the
 * loop IR's vectorize pass emits the vectors and a scalar tail for the rest.
 */
export const elementwiseTemplate: ScheduleTemplate<ElementwiseProblem, 'vector'> = {
  family: 'elementwise',
  space: ({ shape }) => ({ vector: shape.length && shape[shape.length - 1] >= LANES ? [1, 0] : [0] }),
  defaults: (p) => ({ vector: elementwiseTemplate.space(p).vector[0] }),
  schedule: ({ shape }, { vector }) => (vector ? [vectorize(`i${shape.length - 1}`)] : []),
};

export interface MatmulProblem { readonly batch: number; readonly m: number; readonly n: number; readonly k: number }

/**
 * Register tile mr x nr: mr rows unrolled, nr columns as nr/4 vectors, the k loop outside them,
 * so each step of k loads nr/4 vectors of B, broadcasts mr scalars of A and does mr*nr/4 vector
 * multiply-adds (XNNPACK's f32 GEMM microkernels use 4x8 on wasm SIMD: 8 accumulators, 2 loads of B
 * and 4 broadcasts per k, leaving registers for the operands).
 */
export const matmulTemplate: ScheduleTemplate<MatmulProblem, 'mr' | 'nr' | 'ku'> = {
  family: 'matmul',
  space: ({ m, n, k }) => ({
    mr: dividing(m, [4, 2, 1, 6, 8]),
    nr: dividing(n, [8, 4, 16], [0]),
    ku: dividing(k, [1, 2, 4]),
  }),
  defaults: (p) => {
    const s = matmulTemplate.space(p);
    return { mr: s.mr[0], nr: s.nr[0], ku: s.ku[0] };
  },
  schedule: ({ batch }, { mr, nr, ku }) => {
    if (nr === 0) return [];
    const b = Array.from({ length: batch }, (_, d) => `b${d}`);
    const kAxes = ku > 1 ? ['k.o', 'k.i'] : ['k'];
    return [
      split('m', mr), split('n', nr), ...(ku > 1 ? [split('k', ku)] : []),
      reorder([...b, 'm.o', 'n.o', ...kAxes, 'm.i', 'n.i']),
      unroll('m.i'), vectorize('n.i'), ...(ku > 1 ? [unroll('k.i')] : []),
    ];
  },
};

export interface ConvProblem {
  readonly o: number;
  /** Output columns the vector tile runs along: OW, or OH*OW for a conv whose rows flatten (see convSource). */
  readonly ow: number;
  readonly weight: string;
  /** Output channels per group (default o): below 4, a tile's channels read different input rows. */
  readonly perGroup?: number;
  /** Output rows the tiles sweep (1 for a flat conv), and the elements of the source and weights the reduction reads. */
  readonly rows?: number;
  readonly sourceElems?: number;
  readonly weightElems?: number;
}

/** Elements (f32) that stay in a core's L2 between reuses: half of a 1 MB L2. */
const L2_ELEMS = 128 * 1024;

/**
 * Whether the output-channel blocks loop inside the pixel tiles: each tile's input rows are then read
 * from cache by every block and the weights stream once per tile; otherwise the weights stay cached
 * and the source streams once per block. Picks the order that moves fewer elements past L2.
 */
function blocksInside({ o, ow, perGroup = o, rows, sourceElems, weightElems }: ConvProblem, ot: number, wt: number): number {
  if (perGroup < 4 || rows === undefined || sourceElems === undefined || weightElems === undefined) return 0;
  const tiles = rows * (wt ? Math.ceil(ow / wt) : ow);
  const blocksOutside = sourceElems > L2_ELEMS ? (o / ot) * sourceElems : sourceElems;
  const inside = weightElems > L2_ELEMS ? tiles * weightElems : weightElems;
  return inside < blocksOutside ? 1 : 0;
}

/** Columns a vector tile of wt covers in a row of ow, plus a fixed cost per tile (weights, stores). */
const tileCost = (ow: number, wt: number) => Math.ceil(ow / wt) * (wt + 4);

/**
 * NCHW conv: a tile of `ot` output channels (unrolled, each weight a broadcast scalar) by `wt`
 * output columns (vectors along the contiguous ow axis). It is the 4x8 GEMM tile with ow as N: the
 * input row segment is the vector operand reused by all ot channels. Packing the weights O/ot x
 * [C][KH][KW] x ot puts the ot scalars each reduction step needs side by side. A width wt does not
 * divide (7, 14, 17, 35) gets a shifted last tile, so no layer falls back to scalar code. The taps
 * stay loops, one per step: V8 hoists all loads of an unrolled run of taps to its top and spills
 * (measured 2x slower), while it unrolls and hoists the short kw loop well by itself.
 */
export const convTemplate: ScheduleTemplate<ConvProblem, 'ot' | 'wt' | 'packW' | 'blocksInside'> = {
  family: 'conv',
  space: ({ o, ow }) => ({ ot: dividing(o, [4, 2, 8, 1]), wt: [...[8, 4, 16].filter((w) => ow >= w), 0], packW: [1, 0], blocksInside: [0, 1] }),
  defaults: (p) => {
    const s = convTemplate.space(p);
    const widths = s.wt.filter((w) => w === 8 || w === 4);
    const wt = widths.length ? widths.reduce((best, w) => (tileCost(p.ow, w) < tileCost(p.ow, best) ? w : best)) : 0;
    // channels that share no input row (depthwise) each load their own vectors: a tile of 4 accumulators
    // (2 channels x 8 columns, or 4 x 4) keeps enough multiply-adds in flight without spilling
    const own = (p.perGroup ?? p.o) < 4 && wt > 0 ? s.ot.find((t) => t * wt === 16) : undefined;
    const ot = own ?? s.ot[0];
    return { ot, wt, packW: 1, blocksInside: blocksInside(p, ot, wt) };
  },
  schedule: ({ weight, ow }, { ot, wt, packW, blocksInside: inside }) => {
    const packStep: Step[] = packW && ot > 1 ? [pack(weight, { axis: 0, block: ot })] : [];
    const pixels = wt === 0 ? ['oh', 'ow'] : ['oh', 'ow.o'];
    const order = ['n', ...(inside ? [...pixels, 'o.o'] : ['o.o', ...pixels]), 'c', 'kh', 'kw', 'o.i'];
    if (wt === 0) return [...packStep, split('o', ot), reorder(order), unroll('o.i')];
    return [
      ...packStep, split('o', ot), split('ow', wt, undefined, ow % wt ? 'shift' : undefined),
      reorder([...order, 'ow.i']), unroll('o.i'), vectorize('ow.i'),
    ];
  },
};

/** The default schedule of a node: its family's template at the default knobs, or no steps. Pass the node's attrs where known. */
export function defaultSchedule(op: string, fusion: string,
  inputs: readonly ({ readonly name: string; readonly info: ValueInfo; readonly constant?: Tensor } | undefined)[],
  outShapes: readonly (readonly number[])[], attrs: Attrs = {}): Schedule {
  const out = outShapes[0];
  if (op === 'Resize') return resizeSchedule(inputs, attrs);
  if (op === 'MatMul' && out.length >= 2 && inputs[0]!.info.shape.length >= 2 && inputs[1]!.info.shape.length >= 2) {
    const a = inputs[0]!.info.shape;
    const p = { batch: out.length - 2, m: out[out.length - 2], n: out[out.length - 1], k: a[a.length - 1] as number };
    return matmulTemplate.schedule(p, matmulTemplate.defaults(p));
  }
  if (op === 'Gemm') {
    // K is B's dim that is not N (either, when B is square)
    const b = inputs[1]!.info.shape as number[];
    const p = { batch: 0, m: out[0], n: out[1], k: b[0] === out[1] ? b[1] : b[0] };
    return matmulTemplate.schedule(p, matmulTemplate.defaults(p));
  }
  if (op === 'Conv' && out.length === 4) {
    const [x, w] = [inputs[0]!.info.shape, inputs[1]!.info.shape] as number[][];
    const a = attrs as { pads?: number[]; strides?: number[]; group?: number };
    const source = convSource(x, w, out, a);
    const flat = source === 'row-flat' || source === 'patches';
    const [sh, sw] = a.strides ?? [1, 1];
    // a copied source holds each input element once per tap it feeds
    const copies = source === 'patches' ? (w[2] * w[3]) / (sh * sw) : source === 'columns' ? w[3] / sw : 1;
    const p = {
      o: out[1], ow: flat ? out[2] * out[3] : out[3], weight: inputs[1]!.name, perGroup: out[1] / (a.group ?? 1),
      rows: flat ? 1 : out[2], sourceElems: x[1] * x[2] * x[3] * copies, weightElems: w[0] * w[1] * w[2] * w[3],
    };
    return convTemplate.schedule(p, convTemplate.defaults(p));
  }
  if (op === 'Einsum') {
    const p = einsumAsMatmul(planEinsum(String(attrs.equation), inputs.map((i) => i!.info.shape)));
    if (p) return matmulTemplate.schedule(p, matmulTemplate.defaults(p));
  }
  if (op === 'ConvTranspose' && out.length === 4) return convTransposeSchedule(inputs, out, attrs);
  if ((op === 'MaxPool' || op === 'AveragePool' || op === 'LpPool') && out.length >= 3) {
    const p = { spatial: out.slice(2), indices: outShapes.length > 1 };
    return poolTemplate.schedule(p, poolTemplate.defaults(p));
  }
  // movement ops index through floordiv/floormod and selects: left scalar until the simplifier folds those
  if (isElementwiseKind(fusion) && outShapes.length === 1) {
    return elementwiseTemplate.schedule({ shape: out }, elementwiseTemplate.defaults({ shape: out }));
  }
  return [];
}

/**
 * ConvTranspose takes the conv tile (W's [C][M/group] order is not the [O] blocks pack() makes). The
 * phased form's q axes oh, ow play the conv's; the phases ph, pw loop outside the reduction, so each
 * phase's sub-kernel weights are the broadcast scalars and its stores stride the output row.
 */
function convTransposeSchedule(inputs: Parameters<typeof defaultSchedule>[2], out: readonly number[], attrs: Attrs): Schedule {
  const [x, w] = [inputs[0]!.info.shape, inputs[1]!.info.shape] as number[][];
  const a = { auto_pad: 'NOTSET', ...attrs } as unknown as TransposeAttrs & { kernel_shape?: readonly number[] };
  const win = transposeWindow(x.slice(2), a.kernel_shape ?? w.slice(2), a);
  if (!isPhasedTranspose(win)) {
    const p = { o: out[1], ow: out[3], weight: inputs[1]!.name, perGroup: w[1] };
    return convTemplate.schedule(p, { ...convTemplate.defaults(p), packW: 0 });
  }
  const qw = out[3] / win.strides[1];
  const { ot, wt } = convTemplate.defaults({ o: out[1], ow: qw, weight: inputs[1]!.name, perGroup: w[1] });
  // unrolled phases make each phase's tap offsets constants the simplifier folds
  const phases = [unroll('ph'), unroll('pw')];
  if (wt === 0) return [split('o', ot), reorder(['n', 'o.o', 'oh', 'ph', 'pw', 'ow', 'c', 'kh', 'kw', 'o.i']), unroll('o.i'), ...phases];
  return [
    split('o', ot), split('ow', wt, undefined, qw % wt ? 'shift' : undefined),
    reorder(['n', 'o.o', 'oh', 'ph', 'pw', 'ow.o', 'c', 'kh', 'kw', 'o.i', 'ow.i']), unroll('o.i'), vectorize('ow.i'), ...phases,
  ];
}

/**
 * A nearest Resize that repeats elements copies the input's rows with vector loads: the last axis'
 * repeat loop moves outside its input loop, which is vectorised (the stores stride by the factor).
 */
function resizeSchedule(inputs: Parameters<typeof defaultSchedule>[2], attrs: Attrs): Schedule {
  const x = inputs[0]!.info.shape as number[];
  // the compute refuses run-time scales, sizes and roi
  if (inputs.slice(1).some((i) => i && !i.constant)) return [];
  const resolved = resolveAttrs(opDef('Resize')!.attrs, attrs) as unknown as ResizeAttrs;
  const repeats = nearestRepeats(x, resolved, inputs.map((i) => i?.constant));
  const last = x.length - 1;
  if (!repeats || x[last] < LANES) return [];
  const names = repeatAxes(repeats);
  const inner = repeats[last] > 1 ? [`f${last}`, `i${last}`] : [`i${last}`];
  return [reorder([...names.filter((n) => !inner.includes(n)), ...inner]), vectorize(`i${last}`)];
}
