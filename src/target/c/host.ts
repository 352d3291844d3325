// What the machine compiling native code has: its C compiler ($CC, else cc, gcc, clang) and its
// CPU (the features /proc/cpuinfo lists, and the profile `--target native` picks from them).
import { execFileSync } from 'node:child_process';
import { arch } from 'node:os';
import { hostCpuFeatures } from '../../runtime/native/index.js';
import { KilnError } from '../../errors.js';
import { CPU_PROFILES, cpuProfile, type CpuProfile } from './facts.js';

/** No C compiler, or one that fails: the native and C targets cannot build. */
export class NoCompilerError extends KilnError {
  constructor(message: string) { super('E_TOOLCHAIN', message); }
}

let found: string | undefined;

/** The C compiler to use: $CC, else the first of cc, gcc, clang that runs. */
export function findCompiler(): string {
  if (found) return found;
  const candidates = [process.env.CC, 'cc', 'gcc', 'clang'].filter((c): c is string => !!c);
  for (const cc of candidates) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return (found = cc);
    } catch { /* try the next */ }
  }
  throw new NoCompilerError(`no C compiler found (tried ${candidates.join(', ')}); the native and c targets need one: install gcc or clang (Debian: apt-get install gcc) or set $CC. The wasm-simd and wasm targets need nothing`);
}

/** The profile of the host CPU `--target native` compiles for (its widest vectors the flags show). */
export function hostProfile(): CpuProfile {
  const flags = hostCpuFeatures();
  const has = (p: CpuProfile) => p.features.every((f) => flags.has(f));
  const family = arch() === 'x64' ? ['x86-64-v4', 'x86-64-v3', 'x86-64'] : arch() === 'arm64' ? ['cortex-a76'] : [];
  const profile = family.map((n) => cpuProfile(n)!).find(has) ?? cpuProfile('generic')!;
  // -march=native also uses what the profile does not list; the artifact records the profile's needs
  return { ...profile, name: 'native', cflags: arch() === 'arm64' ? ['-mcpu=native'] : ['-march=native'] };
}

/** The profile for `--cpu NAME` ('native' or absent: the host's). */
export function profileFor(name: string | undefined): CpuProfile {
  if (name === undefined || name === 'native') return hostProfile();
  const p = cpuProfile(name);
  if (!p) throw new KilnError('E_INPUT', `unknown CPU '${name}'; use one of native, ${CPU_PROFILES.map((c) => c.name).join(', ')}`);
  return p;
}
