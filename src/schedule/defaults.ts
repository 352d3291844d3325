// Schedule templates per op family and the default schedule of a node. Axis names follow the
// compute definitions: elementwise i0..iR, MatMul b*, m, n / k, Conv n, o, oh, ow / c, kh, kw.
import type { ValueInfo } from '../ir/graph.js';
import { dividing, type ScheduleTemplate } from './knobs.js';
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

export interface ConvProblem { readonly o: number; readonly ow: number; readonly weight: string }

/**
 * NCHW conv: a tile of `ot` output channels (unrolled, each weight a broadcast scalar) by `wt`
 * output columns (vectors along the contiguous ow axis). It is the 4x8 GEMM tile with ow as N: the
 * input row segment is the vector operand reused by all ot channels. Packing the weights O/ot x
 * [C][KH][KW] x ot puts the ot scalars each reduction step needs side by side.
 */
export const convTemplate: ScheduleTemplate<ConvProblem, 'ot' | 'wt' | 'packW'> = {
  family: 'conv',
  space: ({ o, ow }) => ({ ot: dividing(o, [4, 2, 8, 1]), wt: dividing(ow, [8, 4, 16], [0]), packW: [1, 0] }),
  defaults: (p) => {
    const s = convTemplate.space(p);
    return { ot: s.ot[0], wt: s.wt[0], packW: 1 };
  },
  schedule: ({ weight }, { ot, wt, packW }) => {
    const packStep: Step[] = packW && ot > 1 ? [pack(weight, { axis: 0, block: ot })] : [];
    if (wt === 0) {
      return [...packStep, split('o', ot), reorder(['n', 'o.o', 'oh', 'ow', 'c', 'kh', 'kw', 'o.i']), unroll('o.i')];
    }
    return [
      ...packStep, split('o', ot), split('ow', wt),
      reorder(['n', 'o.o', 'oh', 'ow.o', 'c', 'kh', 'kw', 'o.i', 'ow.i']), unroll('o.i'), vectorize('ow.i'),
    ];
  },
};

// movement ops index through floordiv/floormod and selects: left scalar until the simplifier folds those
const INJECTIVE = new Set(['elemwise', 'broadcast']);

/** The default schedule of a node: its family's template at the default knobs, or no steps. */
export function defaultSchedule(op: string, fusion: string, inputs: readonly ({ readonly name: string; readonly info: ValueInfo } | undefined)[],
  outShapes: readonly (readonly number[])[]): Schedule {
  const out = outShapes[0];
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
    const p = { o: out[1], ow: out[3], weight: inputs[1]!.name };
    return convTemplate.schedule(p, convTemplate.defaults(p));
  }
  if (INJECTIVE.has(fusion) && outShapes.length === 1) {
    return elementwiseTemplate.schedule({ shape: out }, elementwiseTemplate.defaults({ shape: out }));
  }
  return [];
}
