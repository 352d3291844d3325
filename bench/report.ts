// What a benchmark run produced, as data (written to bench/results/<timestamp>.json) and as the
// terminal table: one block per model, one row per engine.
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { DType } from '../src/ir/dtype.js';
import type { Agreement } from './compare.js';
import type { Timing } from './measure.js';
import type { ModelFormat } from './models.js';

export type EngineStatus = 'ok' | 'unavailable' | 'failed' | 'skipped';

export interface EngineResult {
  readonly engine: string;
  readonly status: EngineStatus;
  /** Why the engine did not run, or what to know about its numbers. */
  readonly note?: string;
  readonly version?: string;
  /** Threads configured; `threadsReported` is what the engine itself says it uses, when it can. */
  readonly threads: number;
  readonly threadsReported?: number;
  readonly prepareMs?: number;
  readonly compileMs?: number;
  readonly artifactBytes?: number;
  /** Kernel calls of the compiled model without and with operator fusion. */
  readonly kernels?: { readonly unfused: number; readonly fused: number };
  readonly timing?: Timing;
  readonly gflops?: number;
  /** This engine's median / the compiled Kiln's median (> 1: slower than Kiln). */
  readonly vsKiln?: number;
  /** This engine's median / kiln-reference's median. */
  readonly vsReference?: number;
  /** 1-minute load average when the engine finished: the machine's busyness, a noise indicator. */
  readonly loadAverage?: number;
  /** Against the model's baseline engine (the first one that ran); absent for the baseline itself. */
  readonly agreement?: Agreement;
  /** Cores of CPU time the process used over one idle second after its runs. */
  readonly idleCpu?: number;
}

export interface ModelResult {
  readonly model: string;
  readonly format: ModelFormat;
  readonly path: string;
  readonly inputs: readonly { readonly name: string; readonly dtype: DType; readonly shape: readonly number[] }[];
  readonly macs: number | null;
  /** Data-moving transposes left after graph optimisation (src/passes/layout-report.ts). */
  readonly layoutConversions: number;
  readonly baseline: string | null;
  readonly engines: readonly EngineResult[];
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly os: string;
  readonly node: string;
  readonly memoryGB: number;
  readonly loadAverageAtStart: readonly number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown', cores: list.length, os: `${platform()} ${release()}`, node: process.version,
    memoryGB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x: number | undefined) => (x === undefined ? '' : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x`);

function diffCell(r: EngineResult, baseline: string | null): string {
  if (r.status !== 'ok') return '';
  if (r.engine === baseline) return 'baseline';
  if (!r.agreement) return '';
  return r.agreement.ok ? r.agreement.relDiff.toExponential(1) : 'MISMATCH';
}

/** Below this share of its threads kept busy, an engine was likely starved by other processes. */
const CONTENDED = 0.85;

function noteCell(r: EngineResult): string {
  const parts: string[] = [];
  if (r.status !== 'ok') parts.push(`${r.status}: ${r.note ?? ''}`);
  else if (r.note) parts.push(r.note);
  if (r.compileMs !== undefined) parts.push(`compile ${(r.compileMs / 1000).toFixed(2)} s`);
  if (r.artifactBytes !== undefined) parts.push(`artifact ${(r.artifactBytes / 2 ** 20).toFixed(2)} MB`);
  if (r.kernels) parts.push(`kernels ${r.kernels.unfused} -> ${r.kernels.fused} fused`);
  if (r.timing && !r.timing.steady) parts.push(`not steady after ${r.timing.warmupRuns} warm-up runs`);
  const threads = r.threadsReported ?? r.threads;
  if (r.timing && r.timing.cpuPerWall < CONTENDED * threads) {
    parts.push(`ran ${r.timing.cpuPerWall.toFixed(2)} cores busy of ${threads} thread${threads > 1 ? 's' : ''} (load ${r.loadAverage?.toFixed(1)}): CPU contended?`);
  }
  if (r.idleCpu !== undefined) parts.push(`idle ${(r.idleCpu * 100).toFixed(1)}% of a core`);
  if (r.agreement && !r.agreement.ok) parts.push(r.agreement.problem);
  return parts.join('; ');
}

export function formatModel(m: ModelResult): string {
  const shapes = m.inputs.map((i) => `${i.name} ${i.dtype}[${i.shape.join('x')}]`).join(', ');
  const macs = m.macs === null ? 'MACs unknown' : `${(m.macs / 1e9).toFixed(2)} GMAC`;
  const head = ['engine', 'thr', 'cpu/wall', 'median ms', 'min ms', 'GFLOP/s', 'vs kiln', 'vs ref', `diff vs ${m.baseline ?? '-'}`, 'note'];
  const rows = m.engines.map((r) => {
    const t = r.timing;
    return [
      r.engine, String(r.threadsReported ?? r.threads), t ? t.cpuPerWall.toFixed(2) : '',
      t ? ms(t.medianMs) : '', t ? ms(t.minMs) : '', r.gflops === undefined ? '' : r.gflops.toFixed(2),
      ratio(r.vsKiln), ratio(r.vsReference), diffCell(r, m.baseline), noteCell(r),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7]);
  const line = (cells: readonly string[]) => cells
    .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ').trimEnd();
  return [`${m.model} (${m.format}; ${shapes}; ${macs}; ${m.layoutConversions} layout conversions)`, line(head), ...rows.map(line)].join('\n');
}
