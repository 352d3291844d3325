// Runs many compiled models' C in one executable: each model's source (entry kiln_case_N on its
// own memory block) is one translation unit, built in parallel; main runs every entry on its block
// of one memory image read from a file, then writes the image back. The C target's tests compare
// what the blocks hold afterwards with the expected outputs.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STRICT_FLAGS } from './harness.js';

export interface ImageModel {
  /** C defining `void kiln_case_<index>(uint8_t *mem)`. */
  readonly source: string;
  /** The model's memory as the manifest lays it out: weights and inputs in place. */
  readonly memory: Uint8Array;
}

/** Builds every model with `flags` and runs them; returns each model's memory after its run. */
export async function runModels(cc: string, models: readonly ImageModel[], flags: readonly string[]): Promise<Uint8Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-image-'));
  try {
    const bases: number[] = [];
    let end = 0;
    for (const m of models) { bases.push(end); end = Math.ceil((end + m.memory.length) / 64) * 64; }
    const image = new Uint8Array(end);
    models.forEach((m, i) => image.set(m.memory, bases[i]));
    writeFileSync(join(dir, 'in.bin'), image);
    const main = `#include <stdio.h>\n#include <stdlib.h>\n#include <stdint.h>\n#include <string.h>\n`
      + models.map((_, i) => `void kiln_case_${i}(uint8_t *mem);\n`).join('')
      + `static void (*const entries[])(uint8_t *) = { ${models.map((_, i) => `kiln_case_${i}`).join(', ')} };\n`
      + `static const size_t bases[] = { ${bases.join(', ')} };\n`
      + `static const size_t sizes[] = { ${models.map((m) => m.memory.length).join(', ')} };\n`
      + `int main(int argc, char **argv) {\n  if (argc != 3) return 2;\n  FILE *in = fopen(argv[1], "rb");\n  if (!in) return 3;\n`
      + `  uint8_t *mem = malloc(${end} + 1);\n  if (!mem || fread(mem, 1, ${end}, in) != ${end}) return 4;\n  fclose(in);\n`
      // each model on a block of its own exact size, so an address sanitizer sees any stray access
      + `  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {\n`
      + `    uint8_t *block = malloc(sizes[i] ? sizes[i] : 1);\n    if (!block) return 6;\n    memcpy(block, mem + bases[i], sizes[i]);\n`
      + `    entries[i](block);\n    memcpy(mem + bases[i], block, sizes[i]);\n    free(block);\n  }\n`
      + `  FILE *out = fopen(argv[2], "wb");\n  if (!out || fwrite(mem, 1, ${end}, out) != ${end}) return 5;\n  fclose(out);\n  free(mem);\n  return 0;\n}\n`;
    writeFileSync(join(dir, 'main.c'), main);
    // one translation unit per core (the generated C guards its shared definitions), compiled in parallel
    const jobs = Math.max(1, Math.min(availableParallelism(), 4));
    const units = Array.from({ length: jobs }, (_, j) => `unit${j}.c`);
    units.forEach((u, j) => writeFileSync(join(dir, u), models.filter((_, k) => k % jobs === j).map((m) => m.source).join('\n')));
    const files = ['main.c', ...units];
    const run = promisify(execFile);
    await Promise.all(files.map((f) => run(cc, [...STRICT_FLAGS, ...flags, '-c', f], { cwd: dir, maxBuffer: 1 << 24 })));
    execFileSync(cc, [...flags, '-o', 'run', ...files.map((f) => f.replace(/\.c$/, '.o')), '-lm'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync(join(dir, 'run'), ['in.bin', 'out.bin'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1', ASAN_OPTIONS: 'detect_leaks=0' } });
    const out = new Uint8Array(readFileSync(join(dir, 'out.bin')));
    return models.map((m, i) => out.slice(bases[i], bases[i] + m.memory.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
