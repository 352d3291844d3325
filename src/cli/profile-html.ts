// `kiln profile --html FILE`: one self-contained page (inline SVG, no scripts, nothing fetched)
// with where the time goes, by kernel and by op kind.
import type { Profile } from '../runtime/index.js';
import { barChartSvg } from '../report/bar-chart.js';
import { kindOf, type OpKindTime } from './profile.js';

const TOP = 40;

export function profileHtml(model: string, profile: Profile, kinds: readonly OpKindTime[]): string {
  const total = profile.kernels.reduce((n, k) => n + k.medianMs, 0);
  const note = (ms: number) => `${ms.toFixed(3)} ms  ${((100 * ms) / total).toFixed(1)}%`;
  const kernels = [...profile.kernels].sort((a, b) => b.medianMs - a.medianMs).slice(0, TOP)
    .map((k) => ({ label: `${kindOf(k)} #${k.index}`, value: k.medianMs, note: note(k.medianMs), title: `${k.node}: ${kindOf(k)}, ${k.macs} MACs` }));
  const byKind = kinds.map((k) => ({ label: `${k.kind} ×${k.calls}`, value: k.ms, note: note(k.ms) }));
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kiln profile: ${esc(model)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}svg{display:block;margin:1em 0}</style></head>
<body><h1>Where the time goes</h1>
<p id="summary">${esc(model)}: ${profile.kernels.length} kernel calls; run median ${profile.runMs.toFixed(2)} ms; sum of kernel medians ${total.toFixed(2)} ms (${profile.runs} runs).</p>
<section id="by-kind">${barChartSvg('By op kind', byKind)}</section>
<section id="by-kernel">${barChartSvg(`By kernel (top ${kernels.length} of ${profile.kernels.length})`, kernels)}</section>
</body></html>
`;
}
