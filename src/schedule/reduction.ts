// The schedule template of a reduction stage (Reduce*, Softmax's max and sum, the norms'
// statistics): vector lanes along the contiguous axis, the reduction's or the output's.
import type { ScheduleTemplate } from './knobs.js';
import { reorder, split, vectorize } from './schedule.js';

export interface ReductionProblem {
  readonly stage: string;
  /** Output axes (outermost first) and their extents. */
  readonly axes: readonly string[];
  readonly shape: readonly number[];
  /** Reduction axes (outermost first) and their extents. */
  readonly reduce: readonly { readonly name: string; readonly extent: number }[];
  /** Lanes of one vector of the accumulator's type. */
  readonly lanes: number;
  /** Every read walks the innermost reduction axis, or the innermost output axis, with stride 0 or 1. */
  readonly reduceContiguous: boolean;
  readonly outputContiguous: boolean;
  /** prod has no carried vector form in the vectorize pass. */
  readonly prod: boolean;
}

/** `along`: 0 scalar, 1 the innermost reduction axis in lanes, 2 a tile of `width` vectors along the innermost output axis. */
export const reductionTemplate: ScheduleTemplate<ReductionProblem, 'along' | 'width'> = {
  family: 'reduction',
  space: (p) => {
    const inner = p.reduce[p.reduce.length - 1];
    const lanesAlongReduce = inner !== undefined && !p.prod && p.reduceContiguous && inner.extent >= p.lanes;
    const last = p.shape[p.shape.length - 1];
    const widths = last === undefined || !p.outputContiguous ? [] : [2, 1].filter((w) => last % (w * p.lanes) === 0);
    return { along: [...(lanesAlongReduce ? [1] : []), ...(widths.length ? [2] : []), 0], width: widths.length ? widths : [1] };
  },
  defaults: (p) => {
    const s = reductionTemplate.space(p);
    return { along: s.along[0], width: s.width[0] };
  },
  schedule: (p, { along, width }) => {
    if (along === 1) return [vectorize(p.reduce[p.reduce.length - 1].name, p.stage)];
    if (along !== 2) return [];
    const last = p.axes.length - 1, axis = p.axes[last];
    return [
      split(axis, width * p.lanes, p.stage),
      reorder([...p.axes.slice(0, last), `${axis}.o`, ...p.reduce.map((r) => r.name), `${axis}.i`], p.stage),
      vectorize(`${axis}.i`, p.stage),
    ];
  },
};
