// `kiln bench MODEL|FILE.kiln`: the steady-state speed of a compiled model — warm-up until the
// times settle, then timed runs (median, min, p90, GFLOP/s, CPU/wall) — and, with --vs, the same
// input through a peer engine with the largest difference between their outputs.
import { fromRuntimeTensor } from '../artifact/feeds.js';
import { countMacs } from '../compile/macs.js';
import { InputError } from '../errors.js';
import { parseArtifact } from '../runtime/index.js';
import { openArtifact, runSession, runtimeFeeds, type Prepared } from './compiled.js';
import { openPeer, PEERS, type PeerName } from './peers.js';
import { fmtMs, gflops, timeRuns, warmUp, type RunStats } from './timing.js';

export interface BenchOptions {
  readonly runs: number;
  /** undefined: the runtime's default. */
  readonly threads?: number;
  readonly json: boolean;
  readonly vs: readonly string[];
}

interface EngineResult extends Omit<RunStats, 'timesMs'> {
  readonly engine: string;
  readonly version?: string;
  readonly gflops: number | null;
  /** Largest |difference| of any output element from Kiln's (peers only). */
  readonly maxAbsDiff?: number;
}

export const parsePeer = (text: string): PeerName => {
  const p = PEERS.find((x) => x === text);
  if (!p) throw new InputError(`--vs must be one of ${PEERS.join(', ')}, got '${text}'`);
  return p;
};

export async function benchCommand(model: string, p: Prepared, opts: BenchOptions): Promise<void> {
  const peers = opts.vs.map(parsePeer);
  const manifest = parseArtifact(p.bytes).manifest;
  const macs = p.graph ? countMacs(p.graph) : manifest.macs ?? null;
  const session = await openArtifact(p.bytes, p.graph ? undefined : model, opts.threads);
  const feeds = runtimeFeeds(p.feeds);
  const warmup = await warmUp(() => runSession(session, feeds));
  const stats = await timeRuns(() => runSession(session, feeds), opts.runs, warmup);
  const kilnOut = await runSession(session, feeds);
  const ours = session.outputs.map(({ name }) => fromRuntimeTensor(kilnOut[name]).numbers);
  const threads = session.threads;
  await session.dispose(); // its workers would spin beside the peers' runs
  const row = (engine: string, s: RunStats, extra: Partial<EngineResult> = {}): EngineResult => {
    const { timesMs: _t, ...rest } = s;
    return { engine, ...rest, gflops: macs ? gflops(macs, s.medianMs) : null, ...extra };
  };
  const results: EngineResult[] = [row(`kiln (${manifest.features.join(', ') || 'scalar wasm'}, ${threads} thread${threads > 1 ? 's' : ''})`, stats)];
  for (const name of peers) {
    const peer = await openPeer(name, model);
    const w = await warmUp(() => peer.run(p.feeds));
    const s = await timeRuns(() => peer.run(p.feeds), opts.runs, w);
    const theirs = await peer.run(p.feeds);
    let diff = 0;
    ours.forEach((o, i) => { for (let j = 0; j < Math.min(o.length, theirs[i]?.length ?? 0); j++) diff = Math.max(diff, Math.abs(Number(o[j]) - theirs[i][j])); });
    results.push(row(`${peer.name} (1 thread)`, s, { version: peer.version, maxAbsDiff: diff }));
    await peer.dispose();
  }
  if (opts.json) {
    console.log(JSON.stringify({ model, macs, prepared: p.how, results }, null, 2));
    return;
  }
  console.log(`${model}: ${macs ? `${(2 * macs / 1e9).toFixed(3)} GFLOP per run` : 'FLOPs unknown'}; ${p.how}`);
  console.log(`steady state: ${opts.runs} timed runs after warm-up until three runs agree within 10%`);
  console.log('engine                                   median      min      p90   GFLOP/s  cpu/wall  warm-up  max |diff| vs kiln');
  for (const r of results) {
    console.log(`${r.engine.padEnd(38)} ${fmtMs(r.medianMs).padStart(8)} ${fmtMs(r.minMs).padStart(8)} ${fmtMs(r.p90Ms).padStart(8)} ` +
      `${(r.gflops === null ? '-' : r.gflops.toFixed(2)).padStart(9)} ${r.cpuPerWall.toFixed(2).padStart(9)} ${String(r.warmup).padStart(8)}  ${r.maxAbsDiff === undefined ? '' : r.maxAbsDiff.toExponential(2)}`);
  }
  console.log('(times in ms)');
}
