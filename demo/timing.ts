// One timing protocol for every engine in the demo: a warm-up run, then the median of a few.
import { performance } from 'node:perf_hooks';

export interface Timed<T> {
  readonly result: T;
  /** Median wall time of the timed runs, in milliseconds. */
  readonly ms: number;
}

export async function timeMedian<T>(fn: () => T | Promise<T>, runs = 3): Promise<Timed<T>> {
  let result = await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { result, ms: times[Math.floor(times.length / 2)] };
}
