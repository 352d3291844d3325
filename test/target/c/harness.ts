// Compiles generated C with a memory-image main (read the image, run the entry, write the image
// back) and runs it: the C target's outputs then compare with the loop-IR interpreter's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeIncludeDir } from '../../../src/target/c/build.js';

const MAIN = `#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
void kiln_run(uint8_t *mem);
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *in = fopen(argv[1], "rb");
  if (!in) return 3;
  fseek(in, 0, SEEK_END);
  long n = ftell(in);
  fseek(in, 0, SEEK_SET);
  uint8_t *mem = malloc((size_t)n + 1);
  if (!mem || fread(mem, 1, (size_t)n, in) != (size_t)n) return 4;
  fclose(in);
  kiln_run(mem);
  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(mem, 1, (size_t)n, out) != (size_t)n) return 5;
  fclose(out);
  free(mem);
  return 0;
}
`;

/** The system C compiler the tests use, or undefined (the tests then skip, saying why). */
export function testCompiler(): string | undefined {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang']) {
    if (!cc) continue;
    try { execFileSync(cc, ['--version'], { stdio: 'ignore' }); return cc; } catch { /* next */ }
  }
  return undefined;
}

/** Why native builds cannot run here (no C compiler, or no node_api.h), or false. */
export function nativeSkip(): string | false {
  if (!testCompiler()) return 'no C compiler (install gcc or clang, or set $CC)';
  try { nodeIncludeDir(); } catch (e) { return (e as Error).message; }
  return false;
}

export const STRICT_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror'];

/** Builds `source` (defining kiln_run) into an executable and runs it on `image`; returns the image after. */
export function runImage(cc: string, source: string, image: Uint8Array, flags: readonly string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-c-'));
  try {
    writeFileSync(join(dir, 'model.c'), source);
    writeFileSync(join(dir, 'main.c'), MAIN);
    writeFileSync(join(dir, 'in.bin'), image);
    execFileSync(cc, [...STRICT_FLAGS, ...flags, '-o', join(dir, 'run'), join(dir, 'model.c'), join(dir, 'main.c'), '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync(join(dir, 'run'), [join(dir, 'in.bin'), join(dir, 'out.bin')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(join(dir, 'out.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
