// kiln/runtime/native: loads a `.kiln` artifact compiled with `--target native` and runs it with
// the same Session API as kiln/runtime. The artifact's shared object is native code, not
// sandboxed like WebAssembly, so it loads only through this separate, Node-only entry point:
// the code is written to a file named by its hash and opened with Node's own process.dlopen
// (an N-API module: no node-gyp, no extra package). Imports nothing from the compiler.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { arch, homedir, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArtifact } from '../artifact.js';
import { KilnRuntimeError } from '../errors.js';
import { Session } from '../session.js';

export { Session, type Feed, type Tensor, type TensorInfo } from '../session.js';

export interface NativeLoadOptions {
  /** Replaces the host's CPU flags (tests; or to refuse a feature the host has). */
  readonly cpuFeatures?: ReadonlySet<string>;
  /** Folder the shared objects are written to before loading (default: $KILN_CACHE or ~/.cache/kiln/native). */
  readonly cacheDir?: string;
}

/** The CPU flags /proc/cpuinfo lists (x86 `flags`, Arm `Features`); empty where there is none. */
export function hostCpuFeatures(): Set<string> {
  if (platform() !== 'linux' || !existsSync('/proc/cpuinfo')) return new Set();
  const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return new Set(line ? line[1].trim().split(/\s+/) : []);
}

interface NativeModule { readonly exports: { readonly run?: unknown } }

/** Checks the artifact and the host, opens its native code, and returns a session ready to run. */
export async function loadNative(bytes: ArrayBuffer | ArrayBufferView, opts: NativeLoadOptions = {}): Promise<Session> {
  const art = parseArtifact(bytes);
  const m = art.manifest;
  const native = m.native;
  if (!native) {
    throw new KilnRuntimeError('E_FORMAT', 'this artifact holds a WebAssembly module, not native code; load it with load() from \'kiln-ml/runtime\'');
  }
  if (native.os !== platform() || native.arch !== arch()) {
    throw new KilnRuntimeError('E_FEATURE', `this artifact's native code is for ${native.os}-${native.arch}, this host is ${platform()}-${arch()}; ` +
      'recompile the model here (kiln compile --target native) or use --target wasm-simd');
  }
  const flags = opts.cpuFeatures ?? hostCpuFeatures();
  const missing = native.cpuFeatures.filter((f) => !flags.has(f));
  if (missing.length) {
    throw new KilnRuntimeError('E_FEATURE', `this host's CPU lacks ${missing.join(', ')}, which the model's native code was compiled for (--cpu ${native.cpu}); ` +
      'recompile it on this host (kiln compile --target native) or with a --cpu this host has');
  }
  const run = openModule(art.wasm, opts.cacheDir ?? defaultCacheDir());
  const memory = { buffer: new ArrayBuffer(m.memory.pages * 65536) };
  new Uint8Array(memory.buffer, m.memory.weights.offset, art.weights.length).set(art.weights);
  return Session.over(m, memory, () => run(memory.buffer));
}

/** Where native builds and loaded shared objects live: $KILN_CACHE, else the user's cache folder. */
export function defaultCacheDir(): string {
  return process.env.KILN_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir() || tmpdir(), '.cache'), 'kiln', 'native');
}

/** Writes the shared object under its hash (once) and opens it; returns its `run` export. */
function openModule(code: Uint8Array, dir: string): (memory: ArrayBuffer) => void {
  const path = join(dir, `${createHash('sha256').update(code).digest('hex')}.node`);
  try {
    if (!existsSync(path)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${path}.${process.pid}`, code);
      renameSync(`${path}.${process.pid}`, path);
    }
    const module: NativeModule = { exports: {} };
    process.dlopen(module, path);
    const run = module.exports.run;
    if (typeof run !== 'function') throw new Error('it exports no run function');
    return run as (memory: ArrayBuffer) => void;
  } catch (e) {
    if (e instanceof KilnRuntimeError) throw e;
    throw new KilnRuntimeError('E_MODULE', `the model's native code does not load: ${(e as Error).message}; the artifact is corrupt or from an incompatible kiln`);
  }
}
