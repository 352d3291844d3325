// Script: runs ONNX backend conformance cases and prints one line per case and totals.
// Usage: node dist/test/conformance/run.js [substring ...] [--jobs N] [--timeout S] [--quiet]
//   --prune           drop the cases that passed in this run from expected-unsupported.txt
//   --write-expected  rewrite expected-unsupported.txt from this run (whole set only; lead's use)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBackendTests, REPO_ROOT } from '../fixtures/fixtures.js';
import { runCases } from './pool.js';
import { formatExpected, listCases, pruneExpected, type CaseResult } from './runner.js';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); if (i >= 0) args.splice(i, 1); return i >= 0; };
const option = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, v] = args.splice(i, 2);
  return Number(v);
};
const quiet = flag('--quiet'), writeExpected = flag('--write-expected'), prune = flag('--prune');
const jobs = option('--jobs') ?? 1, timeout = option('--timeout') ?? 60;

const root = onnxBackendTests();
if (!root) {
  console.log('no ../shared/onnx-backend-tests: nothing to run');
  process.exit(0);
}
if (writeExpected && args.length) {
  console.error('--write-expected needs the whole set: drop the filters');
  process.exit(2);
}
const cases = listCases(root, args);
const started = performance.now();
const print = (r: CaseResult) => {
  if (quiet && r.status === 'pass') return;
  const tag = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'UNSUPPORTED';
  console.log(`${tag.padEnd(11)} ${r.name}${r.reason ? `  ${r.reason}` : ''}`);
};
const results = await runCases(cases, { jobs, timeoutMs: timeout * 1000, onResult: print });
const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
const slow = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.name} ${(r.ms / 1000).toFixed(1)}s`);
console.log(`\n${cases.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s (slowest: ${slow.join(', ')})`);
console.log(`pass ${count('pass')}, fail ${count('fail')}, unsupported ${count('unsupported')}`);
const listFile = join(REPO_ROOT, 'test/conformance/expected-unsupported.txt');
if (writeExpected || prune) {
  writeFileSync(listFile, writeExpected ? formatExpected(results) : pruneExpected(readFileSync(listFile, 'utf8'), results));
  console.log(`wrote ${listFile}`);
}
