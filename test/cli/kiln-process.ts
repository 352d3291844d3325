// Runs the built `kiln` command as a child process, the way a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures/fixtures.js';

export interface KilnResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node [nodeFlags] bin/kiln.js ...args`, killed after `timeoutMs`; KILN_DEBUG only when `env` sets it. */
export function kiln(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 120_000,
  nodeFlags: readonly string[] = []): KilnResult {
  const { KILN_DEBUG: _ignored, ...base } = process.env;
  const r = spawnSync(process.execPath, [...nodeFlags, join(REPO_ROOT, 'bin/kiln.js'), ...args], {
    encoding: 'utf8', timeout: timeoutMs, env: { ...base, ...env }, cwd: REPO_ROOT,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The result in a form that makes a failed assertion readable. */
export function show(r: KilnResult): string {
  return `exit ${r.status}${r.signal ? ` (killed by ${r.signal})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Exit 2 and exactly one stderr line, `kiln: error: ...` matching `why`, with no stack trace and no undefined/NaN/[object Object]. */
export function assertUserError(r: KilnResult, why: RegExp): void {
  assert.equal(r.signal, null, `timed out or killed\n${show(r)}`);
  assert.equal(r.status, 2, show(r));
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line expected\n${show(r)}`);
  assert.match(lines[0], /^kiln: error: /, show(r));
  assert.doesNotMatch(lines[0], /undefined|NaN|\[object Object\]/, show(r));
  assert.match(lines[0], why, show(r));
}
