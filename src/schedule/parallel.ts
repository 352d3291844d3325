// The parallel split of a stage: which of its outer loops the threads share (src/loop/phases.ts
// says what that means), in chunks of how many iterations, and below how much work a stage stays
// on one thread. Lowering applies it to every stage after the stage's own template, so each op
// family gets it; a tuner searches the same knobs.
import type { LoopKind } from '../loop/ir.js';
import type { ScheduleTemplate } from './knobs.js';
import { parallel, split, type Step } from './schedule.js';

export interface ParallelProblem {
  /** The stage's loops outside its reduction, outermost first, as its template's steps left them. */
  readonly outer: readonly { readonly name: string; readonly extent: number; readonly kind: LoopKind }[];
  /** Iterations of the stage's whole nest: the work the threads would share. */
  readonly work: number;
  /** Below this much work the stage stays on one thread: a barrier would cost more than it saves. */
  readonly minWork: number;
}

/**
 * Iterations of the whole nest below which a stage stays serial. A barrier where threads spin costs
 * a microsecond or two; a nest this small runs in about as long on one thread.
 */
export const PARALLEL_MIN_WORK = 1 << 15;

/** A loop with at least this many iterations splits evenly enough over a handful of threads (16 over 3: 6/5/5). */
const ENOUGH_CHUNKS = 16;

/** Indices of the outer loops a parallel split may take: the serial ones before any other kind. */
function candidates(p: ParallelProblem): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.outer.length && p.outer[i].kind === 'serial'; i++) if (p.outer[i].extent >= 2) out.push(i);
  return out;
}

/**
 * `axis`: index into `outer` of the loop the threads share, -1 for none. `grain`: iterations per
 * chunk unit (split first, so chunk boundaries fall on multiples of it). Loops outside the shared one
 * run on every thread, each taking its share of the shared loop per outer iteration. Reductions are
 * never shared, so each element's arithmetic is the same at every thread count.
 */
export const parallelTemplate: ScheduleTemplate<ParallelProblem, 'axis' | 'grain'> = {
  family: 'parallel',
  space: (p) => {
    const axes = candidates(p);
    const widest = axes.length ? Math.max(...axes.map((i) => p.outer[i].extent)) : 1;
    return { axis: [...axes, -1], grain: [1, 2, 4, 8].filter((g) => g === 1 || widest / g >= ENOUGH_CHUNKS) };
  },
  defaults: (p) => {
    const axes = candidates(p);
    if (p.work < p.minWork || !axes.length) return { axis: -1, grain: 1 };
    const enough = axes.find((i) => p.outer[i].extent >= ENOUGH_CHUNKS);
    const widest = axes.reduce((best, i) => (p.outer[i].extent > p.outer[best].extent ? i : best));
    return { axis: enough ?? widest, grain: 1 };
  },
  schedule: (p, { axis, grain }): Step[] => {
    if (axis < 0) return [];
    const { name } = p.outer[axis];
    return grain > 1 ? [split(name, grain), parallel(`${name}.o`)] : [parallel(name)];
  },
};
