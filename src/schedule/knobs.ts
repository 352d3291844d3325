// The knob space of a schedule template: each family's default schedule is a function of the
// shapes and a few numeric knobs (tile sizes, unroll factors, layout choices) a tuner can search.
import type { Schedule } from './schedule.js';

/** Legal values of each knob for one problem; the first value is not special, `defaults` picks. */
export type KnobSpace<K extends string> = Readonly<Record<K, readonly number[]>>;
export type Knobs<K extends string> = Readonly<Record<K, number>>;

export interface ScheduleTemplate<P, K extends string> {
  readonly family: string;
  space(problem: P): KnobSpace<K>;
  /** The heuristic choice, always a point of `space`. */
  defaults(problem: P): Knobs<K>;
  schedule(problem: P, knobs: Knobs<K>): Schedule;
}

/** Every point of a knob space (the tuner's exhaustive search for small spaces). */
export function enumerate<K extends string>(space: KnobSpace<K>): Knobs<K>[] {
  let points: Record<string, number>[] = [{}];
  for (const [name, values] of Object.entries(space) as [K, readonly number[]][]) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points as Knobs<K>[];
}

/** The values of `candidates` that divide n (tiles without ragged tails); `fallback` when none does. */
export const dividing = (n: number, candidates: readonly number[], fallback: readonly number[] = [1]): number[] => {
  const ok = candidates.filter((c) => n % c === 0);
  return ok.length ? ok : [...fallback];
};
