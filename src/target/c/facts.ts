// The facts of the C targets per CPU: how wide the vectors `vector_size` gives are, how many
// accumulators fit the register file, the caches. `--cpu` names one of these; `native` probes
// the host's (src/target/c/host.ts).
import { is64Bit, type ScalarType } from '../../loop/ir.js';
import type { TargetFacts, TargetName } from '../target.js';

export interface CpuProfile {
  /** What `--cpu` takes, and the -march/-mcpu it implies. */
  readonly name: string;
  /** Bytes of one vector register; 0 for cores without vectors (code stays scalar). */
  readonly vectorBytes: number;
  /** Vector (or scalar) registers: the most accumulators one register tile holds. */
  readonly registers: number;
  readonly cache: { readonly l1Bytes: number; readonly l2Bytes: number };
  /** CPU flags the code compiled for this profile needs (as /proc/cpuinfo names them). */
  readonly features: readonly string[];
  /** The C compiler's flags selecting this CPU. */
  readonly cflags: readonly string[];
}

const MB = 1024 * 1024, KB = 1024;

export const CPU_PROFILES: readonly CpuProfile[] = [
  { name: 'x86-64-v4', vectorBytes: 64, registers: 32, cache: { l1Bytes: 48 * KB, l2Bytes: 2 * MB }, features: ['avx512f', 'avx512bw', 'avx512vl', 'avx2', 'fma'], cflags: ['-march=x86-64-v4'] },
  { name: 'x86-64-v3', vectorBytes: 32, registers: 16, cache: { l1Bytes: 32 * KB, l2Bytes: 1 * MB }, features: ['avx2', 'fma', 'f16c'], cflags: ['-march=x86-64-v3'] },
  { name: 'x86-64', vectorBytes: 16, registers: 16, cache: { l1Bytes: 32 * KB, l2Bytes: 1 * MB }, features: ['sse2'], cflags: ['-march=x86-64'] },
  { name: 'cortex-a53', vectorBytes: 16, registers: 32, cache: { l1Bytes: 32 * KB, l2Bytes: 512 * KB }, features: ['asimd'], cflags: ['-mcpu=cortex-a53'] },
  { name: 'cortex-a76', vectorBytes: 16, registers: 32, cache: { l1Bytes: 64 * KB, l2Bytes: 512 * KB }, features: ['asimd'], cflags: ['-mcpu=cortex-a76'] },
  { name: 'cortex-m4', vectorBytes: 0, registers: 16, cache: { l1Bytes: 0, l2Bytes: 64 * KB }, features: [], cflags: ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'] },
  { name: 'generic', vectorBytes: 16, registers: 16, cache: { l1Bytes: 32 * KB, l2Bytes: 1 * MB }, features: [], cflags: [] },
];

export function cpuProfile(name: string): CpuProfile | undefined {
  return CPU_PROFILES.find((p) => p.name === name);
}

const SCALAR_BYTES: Readonly<Record<ScalarType, number>> = { f32: 4, i32: 4, u32: 4, f64: 8, i64: 8, u64: 8 };

/** The facts of C code for `cpu`: lanes fill one vector register (at least 2 lanes of 64-bit types). */
export function cFacts(name: Extract<TargetName, 'native' | 'c'>, cpu: CpuProfile): TargetFacts {
  const vectors = cpu.vectorBytes > 0;
  return {
    name,
    lanes: (s) => (vectors ? Math.max(cpu.vectorBytes / SCALAR_BYTES[s], is64Bit(s) ? 2 : 4) : 1),
    vectorizes: vectors,
    // the compiler allocates registers and spills the rest: a tile may use the whole file
    accumulators: cpu.registers,
    alignment: Math.max(16, cpu.vectorBytes),
    scalarTypes: ['f32', 'f64', 'i32', 'i64', 'u32', 'u64'],
    threads: name === 'native',
    cache: cpu.cache,
    features: cpu.features,
  };
}
