// Schedule templates per op family: a default schedule as a function of the problem's shapes and
// a few knobs a tuner searches. Axis names follow the compute definitions: elementwise i0..iR,
// MatMul b*, m, n / k, Conv n, o, oh, ow / c, kh, kw. Ops pick theirs in their `schedule` facet.
import { dividing, type ScheduleTemplate } from './knobs.js';
import { pack, reorder, split, unroll, vectorize, type Step } from './schedule.js';

/** Every template's problem names the target's f32 vector lanes: tiles come in vectors. */
export interface VectorProblem {
  /** f32 lanes of one vector of the target (src/target/target.ts). */
  readonly lanes: number;
}

export interface ElementwiseProblem extends VectorProblem { readonly shape: readonly number[] }

/**
 * Elementwise ops: mark the innermost axis vectorised when it holds at least one vector; the
 * loop IR's vectorize pass emits the vectors and a scalar tail for the rest.
 */
export const elementwiseTemplate: ScheduleTemplate<ElementwiseProblem, 'vector'> = {
  family: 'elementwise',
  space: ({ shape, lanes }) => ({ vector: shape.length && shape[shape.length - 1] >= lanes ? [1, 0] : [0] }),
  defaults: (p) => ({ vector: elementwiseTemplate.space(p).vector[0] }),
  schedule: ({ shape }, { vector }) => (vector ? [vectorize(`i${shape.length - 1}`)] : []),
};

export interface MatmulProblem extends VectorProblem { readonly batch: number; readonly m: number; readonly n: number; readonly k: number }

/**
 * Register tile mr x nr: mr rows unrolled, nr columns as nr/L vectors (L lanes), the k loop outside
 * them, so each step of k loads nr/L vectors of B, broadcasts mr scalars of A and does mr*nr/L vector
 * multiply-adds (XNNPACK's f32 GEMM microkernels use 4x8 on wasm SIMD: 8 accumulators, 2 loads of B
 * and 4 broadcasts per k, leaving registers for the operands).
 */
export const matmulTemplate: ScheduleTemplate<MatmulProblem, 'mr' | 'nr' | 'ku'> = {
  family: 'matmul',
  space: ({ m, n, k, lanes }) => ({
    mr: dividing(m, [4, 2, 1, 6, 8]),
    nr: dividing(n, [2 * lanes, lanes, 4 * lanes], [0]),
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

export interface ConvProblem extends VectorProblem {
  /** Bytes of the target's per-core L2 (src/target/target.ts). */
  readonly l2Bytes: number;
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

/** Elements (f32) that stay in a core's L2 between reuses: half of it, the rest for everything else. */
const l2Elems = (l2Bytes: number) => l2Bytes / 2 / 4;

/**
 * Whether the output-channel blocks loop inside the pixel tiles: each tile's input rows are then read
 * from cache by every block and the weights stream once per tile; otherwise the weights stay cached
 * and the source streams once per block. Picks the order that moves fewer elements past L2.
 */
function blocksInside({ o, ow, perGroup = o, rows, sourceElems, weightElems, l2Bytes }: ConvProblem, ot: number, wt: number): number {
  if (perGroup < 4 || rows === undefined || sourceElems === undefined || weightElems === undefined) return 0;
  const tiles = rows * (wt ? Math.ceil(ow / wt) : ow);
  const cached = l2Elems(l2Bytes);
  const blocksOutside = sourceElems > cached ? (o / ot) * sourceElems : sourceElems;
  const inside = weightElems > cached ? tiles * weightElems : weightElems;
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
  space: ({ o, ow, lanes }) => ({
    ot: dividing(o, [4, 2, 8, 1]), wt: [...[2 * lanes, lanes, 4 * lanes].filter((w) => ow >= w), 0], packW: [1, 0], blocksInside: [0, 1],
  }),
  defaults: (p) => {
    const s = convTemplate.space(p);
    const widths = s.wt.filter((w) => w === 2 * p.lanes || w === p.lanes);
    const wt = widths.length ? widths.reduce((best, w) => (tileCost(p.ow, w) < tileCost(p.ow, best) ? w : best)) : 0;
    // channels that share no input row (depthwise) each load their own vectors: a tile of 4 accumulators
    // (2 channels x 2 vectors, or 4 x 1) keeps enough multiply-adds in flight without spilling
    const own = (p.perGroup ?? p.o) < 4 && wt > 0 ? s.ot.find((t) => t * wt === 4 * p.lanes) : undefined;
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
