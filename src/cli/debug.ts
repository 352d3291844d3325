// The KILN_DEBUG ladder of the CLI: 1 prints timings (and stacks of errors), 2 also the graph.
import { performance } from 'node:perf_hooks';

export function debugLevel(): number {
  const v = process.env.KILN_DEBUG;
  if (!v) return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 1;
}

export function debugLog(level: number, text: string): void {
  if (debugLevel() >= level) process.stderr.write(`kiln: debug: ${text}\n`);
}

/** Runs `fn`, returns its result and wall time in milliseconds; logs the time at KILN_DEBUG>=1. */
export async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  debugLog(1, `${label}: ${ms.toFixed(1)} ms`);
  return [result, ms];
}
