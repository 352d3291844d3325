// npm run fuzz -- --cases N --seed S [--workers W] [--timeout MS] [--memory MB] [--formats onnx,npy] [--out DIR]
// Runs a campaign and prints the tally per format and each failure class with one reproducing case.
// npm run fuzz -- --replay FORMAT:CASESEED runs one case in this process and prints its outcome and stack.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport, runCampaign } from './campaign.js';
import { generateCase } from './generate.js';
import { FORMATS, runCase, type Format } from './pipeline.js';
import { loadSeeds } from './seeds.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, workers: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10000' }, memory: { type: 'string', default: '1024' }, formats: { type: 'string' }, out: { type: 'string' },
    replay: { type: 'string' },
  },
});
if (values.replay) {
  const [format, caseSeed] = values.replay.split(':') as [Format, string];
  const files = FORMATS.includes(format) ? generateCase(format, await loadSeeds(), Number(caseSeed)) : undefined;
  if (!files) { console.error(`fuzz: cannot replay '${values.replay}'; give FORMAT:CASESEED as a report prints it`); process.exit(2); }
  const outcome = await runCase(format, files, join(tmpdir(), `kiln-fuzz-replay-${process.pid}`), Number(caseSeed));
  console.log(`${outcome.verdict}${outcome.message ? `: ${outcome.message}` : ''}`);
  if (outcome.stack) console.log(outcome.stack);
  process.exit(outcome.verdict === 'ok' || outcome.verdict === 'typed' ? 0 : 1);
}
const formats = values.formats ? values.formats.split(',') as Format[] : FORMATS;
const unknown = formats.filter((f) => !FORMATS.includes(f));
if (unknown.length) { console.error(`fuzz: unknown format ${unknown.join(', ')}; use ${FORMATS.join(', ')}`); process.exit(2); }
const seed = Number(values.seed);
const report = await runCampaign({
  cases: Number(values.cases), seed, workers: Number(values.workers), timeoutMs: Number(values.timeout),
  memoryMb: Number(values.memory), formats, reproDir: values.out ?? join(tmpdir(), `kiln-fuzz-${seed}`),
});
console.log(formatReport(report));
process.exit(report.findings.length ? 1 : 0);
