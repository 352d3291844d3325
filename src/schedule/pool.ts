// The schedule template of windowed pools (MaxPool, AveragePool, LpPool over N, C, spatial):
// the conv tile with one channel, so a window step loads one vector of input per tile column block.
import type { ScheduleTemplate } from './knobs.js';
import type { VectorProblem } from './templates.js';
import { reorder, split, vectorize } from './schedule.js';

export interface PoolProblem extends VectorProblem {
  /** Output spatial extents; the last one is the row the vector tile runs along. */
  readonly spatial: readonly number[];
  /** Whether the pool writes a second output (MaxPool's Indices), which the tile does not cover. */
  readonly indices: boolean;
}

/**
 * A tile of `wt` output columns as vector accumulators, the window loops outside it: each tap is one
 * (for stride 2, a shuffled pair of) vector load per L outputs instead of L scalar loads. A width
 * that does not divide the row gets a shifted last tile; rows narrower than a vector stay scalar.
 */
export const poolTemplate: ScheduleTemplate<PoolProblem, 'wt'> = {
  family: 'pool',
  space: ({ spatial, indices, lanes }) => ({ wt: indices ? [0] : [2 * lanes, lanes, 0].filter((w) => w <= spatial[spatial.length - 1]) }),
  defaults: (p) => ({ wt: poolTemplate.space(p).wt[0] }),
  schedule: ({ spatial }, { wt }) => {
    if (wt === 0) return [];
    const last = spatial.length - 1, ow = spatial[last];
    const outer = spatial.slice(0, last).map((_, d) => `o${d}`);
    const window = spatial.map((_, d) => `k${d}`);
    return [
      split(`o${last}`, wt, undefined, ow % wt ? 'shift' : undefined),
      reorder(['n', 'c', ...outer, `o${last}.o`, ...window, `o${last}.i`]), vectorize(`o${last}.i`),
    ];
  },
};
