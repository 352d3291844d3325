// The timing protocol: warm up until three consecutive runs agree, then time a fixed number of
// runs (each including the read-back of outputs), tracking CPU time to see how many cores worked.

export interface Protocol {
  /** Warm-up stops once the last 3 runs are within this fraction of their minimum ... */
  readonly steadyWithin: number;
  /** ... or after this many runs, ... */
  readonly maxWarmup: number;
  /** ... or once warm-up has taken this long: slow engines gain nothing from a tenth warm-up run. */
  readonly warmupBudgetMs: number;
  readonly runs: number;
}

export interface Timing {
  readonly firstMs: number;
  readonly warmupRuns: number;
  /** False when warm-up hit its run or time limit before three runs agreed: the numbers are noisier. */
  readonly steady: boolean;
  readonly times: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  /** Process CPU time / wall time over the timed runs: ~1 for one busy thread, ~2 for two. */
  readonly cpuPerWall: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function timeOnce(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/** Runs `run` under the protocol; the first call is the cold run and counts as warm-up. */
export async function measure(run: () => Promise<unknown>, p: Protocol): Promise<Timing> {
  const warm: number[] = [];
  let steady = false;
  const start = performance.now();
  while (warm.length < p.maxWarmup && !steady && performance.now() - start < p.warmupBudgetMs) {
    warm.push(await timeOnce(run));
    const last = warm.slice(-3);
    steady = last.length === 3 && Math.max(...last) <= (1 + p.steadyWithin) * Math.min(...last);
  }
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < p.runs; i++) times.push(await timeOnce(run));
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  return {
    firstMs: warm[0] ?? times[0], warmupRuns: warm.length, steady, times,
    medianMs: median(times), minMs: Math.min(...times), cpuPerWall: (cpu.user + cpu.system) / 1000 / wall,
  };
}

/**
 * CPU time (in cores) the process burns over one idle second after its last run, once half a second
 * has let the engine's own background work settle: parked workers should burn none.
 */
export async function idleCpu(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
}
