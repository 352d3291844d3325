// Script: runs ONNX backend conformance cases and prints one line per case and totals.
// Usage: node dist/test/conformance/run.js [substring ...] [--jobs N] [--timeout S] [--quiet] [--engine reference|compiled] [--opt-level N]
//   --engine compiled  compile each case for its data set's shapes and run it through the runtime;
//                      its list is expected-compiled-unsupported.txt
//   --opt-level N      the compiled engine's graph opt level (0-3, default 3); the same list applies at every level
//   --prune            drop the cases that passed in this run from the engine's list
//   --write-expected   rewrite the engine's list from this run (whole set only; lead's use)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBackendTests, REPO_ROOT } from '../fixtures/fixtures.js';
import { DEFAULT_OPT_LEVEL, OPT_LEVELS } from '../../src/passes/pipeline.js';
import { runCases } from './pool.js';
import { expectedListFile, formatExpected, listCases, pruneExpected, type CaseResult, type Engine } from './runner.js';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); if (i >= 0) args.splice(i, 1); return i >= 0; };
const option = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, v] = args.splice(i, 2);
  return v;
};
const quiet = flag('--quiet'), writeExpected = flag('--write-expected'), prune = flag('--prune');
const jobs = Number(option('--jobs') ?? 1), timeout = Number(option('--timeout') ?? 60);
const engine = option('--engine') ?? 'reference';
const optLevelText = option('--opt-level');
const optLevel = optLevelText === undefined ? undefined : Number(optLevelText);
if (optLevel !== undefined && !OPT_LEVELS.some((l) => l === optLevel)) {
  console.error(`--opt-level ${optLevelText}: use one of ${OPT_LEVELS.join(', ')}`);
  process.exit(2);
}
if (engine !== 'reference' && engine !== 'compiled') {
  console.error(`--engine ${engine}: use reference or compiled`);
  process.exit(2);
}

const root = onnxBackendTests();
if (!root) {
  console.log('no ../shared/onnx-backend-tests: nothing to run');
  process.exit(0);
}
if ((writeExpected || prune) && optLevel !== undefined && optLevel !== DEFAULT_OPT_LEVEL) {
  console.error(`--prune and --write-expected judge the default opt level (${DEFAULT_OPT_LEVEL}): drop --opt-level`);
  process.exit(2);
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
const results = await runCases(cases, { jobs, timeoutMs: timeout * 1000, onResult: print, engine: engine as Engine, compiled: { optLevel } });
const count = (s: CaseResult['status']) => results.filter((r) => r.status === s).length;
const slow = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.name} ${(r.ms / 1000).toFixed(1)}s`);
console.log(`\n${cases.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s (slowest: ${slow.join(', ')})`);
console.log(`${engine}${optLevel === undefined ? '' : ` -O${optLevel}`}: pass ${count('pass')}, fail ${count('fail')}, unsupported ${count('unsupported')}`);
const listFile = join(REPO_ROOT, expectedListFile(engine as Engine));
if (writeExpected || prune) {
  writeFileSync(listFile, writeExpected ? formatExpected(results, engine as Engine) : pruneExpected(readFileSync(listFile, 'utf8'), results));
  console.log(`wrote ${listFile}`);
}
