// Timing runs for `kiln run --runs` and `kiln bench`: warm-up until the times settle, then timed
// runs summarised as median, min and p90, with CPU time beside wall time (on a shared machine
// wall time includes waiting for a core; CPU time above wall time means a second thread worked).
import { performance } from 'node:perf_hooks';
import { InputError } from '../errors.js';
import { median } from '../runtime/profile.js';

export interface RunStats {
  readonly runs: number;
  readonly warmup: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly p90Ms: number;
  /** CPU time (user + system, every thread) of the timed runs over their wall time. */
  readonly cpuPerWall: number;
  readonly timesMs: readonly number[];
}

/** Runs until the last three runs lie within 10% of their median (at most `maxWarmup` runs or 10 s). */
export async function warmUp(run: () => Promise<unknown>, maxWarmup = 30): Promise<number> {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxWarmup && performance.now() - start < 10_000) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
    const last = times.slice(-3);
    if (last.length === 3 && last.every((t) => Math.abs(t - median(last)) <= 0.1 * median(last))) break;
  }
  return times.length;
}

export async function timeRuns(run: () => Promise<unknown>, runs: number, warmup: number): Promise<RunStats> {
  const times: number[] = [];
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  const wall = performance.now() - w0;
  const cpu = process.cpuUsage(c0);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs, warmup, medianMs: median(times), minMs: sorted[0],
    p90Ms: sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)],
    cpuPerWall: (cpu.user + cpu.system) / 1000 / wall, timesMs: times,
  };
}

export const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** GFLOP/s of a run doing `macs` multiply-accumulates (2 FLOPs each) in `ms`. */
export const gflops = (macs: number, ms: number) => (2 * macs) / (ms * 1e6);

export function parseCount(option: string, text: string, min = 1, max = 1_000_000): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(`${option} must be an integer ${max < 1_000_000 ? `from ${min} to ${max}` : `>= ${min}`}, got '${text}'`);
  }
  return n;
}
