// `kiln profile MODEL|FILE.kiln`: each kernel's median time, its share, GFLOP/s and the ops it
// holds, sorted; the same by op kind; --json; --html FILE for a self-contained chart. A model is
// compiled as a profiling build (every kernel exported, the calls listed in the manifest, the
// same kernels as `kiln compile`); a .kiln must be one (kiln compile --profile).
import { writeFileSync } from 'node:fs';
import { IoError } from '../errors.js';
import { profileArtifact, type KernelTime, type Profile, type TypedArray } from '../runtime/index.js';
import { asKilnError, runtimeFeeds, type Prepared } from './compiled.js';
import { profileHtml } from './profile-html.js';
import { fmtMs, gflops } from './timing.js';

export interface ProfileOptions {
  readonly runs: number;
  readonly json: boolean;
  readonly html?: string;
  readonly top: number;
}

export interface OpKindTime { readonly kind: string; readonly calls: number; readonly ms: number; readonly macs: number }

/** A kernel's kind: its anchor op with what fused into it, e.g. Conv+Add+Relu. */
export const kindOf = (k: KernelTime) => k.ops.join('+');

export function byKind(kernels: readonly KernelTime[]): OpKindTime[] {
  const kinds = new Map<string, OpKindTime>();
  for (const k of kernels) {
    const e = kinds.get(kindOf(k)) ?? { kind: kindOf(k), calls: 0, ms: 0, macs: 0 };
    kinds.set(e.kind, { ...e, calls: e.calls + 1, ms: e.ms + k.medianMs, macs: e.macs + k.macs });
  }
  return [...kinds.values()].sort((a, b) => b.ms - a.ms);
}

export async function profileCommand(model: string, p: Prepared, opts: ProfileOptions): Promise<void> {
  const feeds = Object.fromEntries(Object.entries(runtimeFeeds(p.feeds)).filter((e): e is [string, TypedArray] => !Array.isArray(e[1])));
  let profile: Profile;
  try {
    profile = await profileArtifact(p.bytes, { feeds, runs: opts.runs });
  } catch (e) {
    throw asKilnError(e, p.graph ? undefined : model);
  }
  const sorted = [...profile.kernels].sort((a, b) => b.medianMs - a.medianMs);
  const total = sorted.reduce((n, k) => n + k.medianMs, 0);
  const kinds = byKind(profile.kernels);
  if (opts.html) {
    try {
      writeFileSync(opts.html, profileHtml(model, profile, kinds));
    } catch (e) {
      throw new IoError(`cannot write ${opts.html}: ${(e as Error).message}`);
    }
  }
  if (opts.json) {
    console.log(JSON.stringify({
      model, runs: profile.runs, runMs: profile.runMs, kernelSumMs: total,
      kernels: sorted.map((k) => ({ ...k, share: k.medianMs / total, gflops: k.macs ? gflops(k.macs, k.medianMs) : null })),
      byKind: kinds.map((k) => ({ ...k, share: k.ms / total })),
    }, null, 2));
    return;
  }
  const share = (ms: number) => `${((100 * ms) / total).toFixed(1).padStart(5)}%`;
  const rate = (macs: number, ms: number) => (macs && ms > 0 ? gflops(macs, ms).toFixed(2) : '-').padStart(8);
  console.log(`${model}: ${profile.kernels.length} kernel calls; run median ${fmtMs(profile.runMs)} ms, sum of kernel medians ${fmtMs(total)} ms (${profile.runs} runs)`);
  console.log(`\nkernels (top ${Math.min(opts.top, sorted.length)} of ${sorted.length}):\n      ms   share  GFLOP/s  ops  (node)`);
  for (const k of sorted.slice(0, opts.top)) {
    console.log(`${fmtMs(k.medianMs).padStart(8)} ${share(k.medianMs)} ${rate(k.macs, k.medianMs)}  ${kindOf(k)}  (${k.node})`);
  }
  console.log(`\nby op kind:\n      ms   share  GFLOP/s  calls  ops`);
  for (const k of kinds) console.log(`${fmtMs(k.ms).padStart(8)} ${share(k.ms)} ${rate(k.macs, k.ms)} ${String(k.calls).padStart(6)}  ${k.kind}`);
  if (opts.html) console.log(`\nchart written to ${opts.html} (open it in a browser)`);
}
