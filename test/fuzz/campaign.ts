// A fuzz campaign: cases spread over worker threads (each with a heap limit), a timeout per case
// (a hang terminates the worker and counts), a crashed worker counted and replaced; failures are
// grouped into classes, each with one reproducing case written to disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { generateCase } from './generate.js';
import { FORMATS, type Format, type Outcome } from './pipeline.js';
import { loadSeeds, type Seeds } from './seeds.js';

export interface CampaignOptions {
  readonly cases: number;
  readonly seed: number;
  readonly workers?: number;
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
  /** Where each class's reproducing files go (a folder per class); none written without it. */
  readonly reproDir?: string;
  readonly formats?: readonly Format[];
}

export type FailureKind = 'untyped' | 'bad-message' | 'hang' | 'crash';

export interface Finding {
  readonly format: Format;
  readonly kind: FailureKind;
  readonly klass: string;
  message: string;
  count: number;
  /** The case seed that reproduces it (`npm run fuzz -- --replay FORMAT:SEED`). */
  readonly caseSeed: number;
  repro?: string;
}

export interface FormatTally { cases: number; ok: number; typed: number; untyped: number; badMessage: number; hangs: number; crashes: number; skipped: number }

export interface CampaignReport {
  readonly tally: Record<Format, FormatTally>;
  readonly findings: readonly Finding[];
  readonly ms: number;
}

/** The seed of case `i` of campaign `seed`. */
export function caseSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

interface Reply { id: number; outcome: Outcome; skipped?: boolean; files?: [string, Uint8Array][] }

class FuzzWorker {
  private worker!: Worker;
  private ready!: Promise<void>;
  constructor(private readonly memoryMb: number) { this.spawn(); }

  private spawn(): void {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: 64 } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
    });
  }

  /** Runs one case; a timeout or a worker death comes back as a hang or a crash (and the worker is replaced). */
  async run(id: number, format: Format, seed: number, timeoutMs: number): Promise<Reply | { id: number; failure: 'hang' | 'crash'; why: string }> {
    await this.ready;
    const w = this.worker;
    return new Promise((resolve) => {
      const done = (r: Reply | { id: number; failure: 'hang' | 'crash'; why: string }) => {
        clearTimeout(timer); w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit);
        resolve(r);
      };
      const onMessage = (r: Reply) => { if (r.id === id) done(r); };
      const onError = (e: Error) => { this.spawn(); done({ id, failure: 'crash', why: e.message }); };
      const onExit = (code: number) => { this.spawn(); done({ id, failure: 'crash', why: `worker exited with code ${code}` }); };
      const timer = setTimeout(() => { void w.terminate(); this.spawn(); done({ id, failure: 'hang', why: `no answer in ${timeoutMs} ms` }); }, timeoutMs);
      w.on('message', onMessage); w.once('error', onError); w.once('exit', onExit);
      w.postMessage({ id, format, seed });
    });
  }

  async close(): Promise<void> { this.worker.removeAllListeners(); await this.worker.terminate(); }
}

function writeRepro(dir: string, name: string, files: Iterable<[string, Uint8Array]>): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  for (const [file, bytes] of files) writeFileSync(join(at, file), bytes);
  return at;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignReport> {
  const t0 = performance.now();
  const formats = opts.formats ?? FORMATS;
  const tally = Object.fromEntries(FORMATS.map((f) => [f, { cases: 0, ok: 0, typed: 0, untyped: 0, badMessage: 0, hangs: 0, crashes: 0, skipped: 0 }])) as Record<Format, FormatTally>;
  const findings = new Map<string, Finding>();
  let seeds: Seeds | undefined; // loaded here only to rebuild a hung or crashed case for its reproducer
  const record = async (format: Format, seed: number, kind: FailureKind, klass: string, message: string, files?: [string, Uint8Array][]) => {
    const key = `${format}|${kind}|${klass}`;
    const f = findings.get(key);
    if (f) { f.count++; return; }
    const finding: Finding = { format, kind, klass, message, count: 1, caseSeed: seed };
    findings.set(key, finding);
    if (!opts.reproDir) return;
    if (!files) {
      seeds ??= await loadSeeds();
      try { files = [...(generateCase(format, seeds, seed)?.files ?? [])]; } catch (e) { finding.message += ` (the case cannot be rebuilt: ${(e as Error).message})`; return; }
    }
    finding.repro = writeRepro(opts.reproDir, `${format}-${kind}-${findings.size}`, files);
  };
  const pool = Array.from({ length: opts.workers ?? 1 }, () => new FuzzWorker(opts.memoryMb ?? 1024));
  let next = 0;
  await Promise.all(pool.map(async (w) => {
    for (let i = next++; i < opts.cases; i = next++) {
      const format = formats[i % formats.length], seed = caseSeed(opts.seed, i);
      const t = tally[format];
      t.cases++;
      const r = await w.run(i, format, seed, opts.timeoutMs ?? 10_000);
      if ('failure' in r) {
        if (r.failure === 'hang') t.hangs++; else t.crashes++;
        await record(format, seed, r.failure, r.failure, r.why);
        continue;
      }
      if (r.skipped) { t.skipped++; continue; }
      const { verdict, klass = '', message = '' } = r.outcome;
      if (verdict === 'ok') t.ok++;
      else if (verdict === 'typed') t.typed++;
      else {
        if (verdict === 'untyped') t.untyped++; else t.badMessage++;
        await record(format, seed, verdict, klass, message, r.files);
      }
    }
  }));
  await Promise.all(pool.map((w) => w.close()));
  return { tally, findings: [...findings.values()], ms: performance.now() - t0 };
}

/** The report as text: a table per format, then each class with its count, message and reproducer. */
export function formatReport(r: CampaignReport): string {
  const lines = ['format     cases      ok   typed untyped badmsg  hangs crashes skipped'];
  for (const [f, t] of Object.entries(r.tally)) {
    if (!t.cases) continue;
    lines.push(`${f.padEnd(8)} ${[t.cases, t.ok, t.typed, t.untyped, t.badMessage, t.hangs, t.crashes, t.skipped].map((n, i) => String(n).padStart(i ? 7 : 7)).join(' ')}`);
  }
  lines.push(`${r.findings.length} failure class${r.findings.length === 1 ? '' : 'es'} in ${(r.ms / 1000).toFixed(1)} s`);
  for (const f of r.findings) {
    lines.push(`- [${f.format}] ${f.kind} x${f.count}: ${JSON.stringify(f.message)} (case ${f.format}:${f.caseSeed}${f.repro ? `, files in ${f.repro}` : ''})`);
  }
  return lines.join('\n');
}
