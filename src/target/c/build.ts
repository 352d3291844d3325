// Builds the native target's shared object: the model's C and a small N-API glue (the `run`
// export Node's process.dlopen finds) compiled by the system C compiler. Builds are cached by
// the hash of everything that goes into them, so recompiling an unchanged model runs no compiler.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultCacheDir as cacheDir } from '../../runtime/native/index.js';
import { findCompiler, NoCompilerError } from './host.js';

/**
 * `exports.run(memory)`: runs the model on an ArrayBuffer laid out as the manifest says. The
 * buffer's length is checked so a wrong buffer is an exception, never a stray write.
 */
const glue = (entry: string, memoryBytes: number) => `#include <stdint.h>
#include <node_api.h>
void ${entry}(uint8_t *mem);
static napi_value kiln_napi_run(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  size_t length = 0;
  bool is_buffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1
      || napi_is_arraybuffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer
      || napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok || length < ${memoryBytes}u) {
    napi_throw_error(env, "E_INPUT", "run(memory) needs the model's ArrayBuffer of at least ${memoryBytes} bytes");
    return NULL;
  }
  ${entry}((uint8_t *)data);
  return NULL;
}
NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "run", NAPI_AUTO_LENGTH, kiln_napi_run, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "run", fn) != napi_ok) return NULL;
  return exports;
}
`;

/** Where node_api.h is: beside this Node (official builds), else the system's (Debian's nodejs). */
export function nodeIncludeDir(): string {
  const candidates = [join(dirname(dirname(process.execPath)), 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  const dir = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!dir) throw new NoCompilerError(`node_api.h not found (looked in ${candidates.join(', ')}); install Node's headers (Debian: apt-get install libnode-dev) for the native target`);
  return dir;
}


export interface NativeBuild {
  readonly bytes: Uint8Array;
  /** Whether the cache held it (no compiler ran). */
  readonly cached: boolean;
}

/** The shared object of `source` (defining `entry(uint8_t *mem)`) built with `cflags`. */
export function buildSharedObject(source: string, entry: string, memoryBytes: number, cflags: readonly string[]): NativeBuild {
  const cc = findCompiler();
  const flags = ['-O3', '-std=gnu99', '-ffp-contract=fast', '-fPIC', '-shared', ...cflags];
  const glueSource = glue(entry, memoryBytes);
  const key = createHash('sha256').update(JSON.stringify([cc, compilerVersion(cc), flags, source, glueSource])).digest('hex');
  const cached = join(cacheDir(), `${key}.node`);
  if (existsSync(cached)) return { bytes: new Uint8Array(readFileSync(cached)), cached: true };
  const dir = mkdtempSync(join(tmpdir(), 'kiln-native-'));
  try {
    writeFileSync(join(dir, 'model.c'), source);
    writeFileSync(join(dir, 'glue.c'), glueSource);
    const out = join(dir, 'model.node');
    try {
      execFileSync(cc, [...flags, `-I${nodeIncludeDir()}`, '-o', out, join(dir, 'model.c'), join(dir, 'glue.c'), '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '').split('\n').find((l) => /error/.test(l)) ?? (e as Error).message;
      throw new NoCompilerError(`the C compiler '${cc}' failed on the generated code: ${stderr.trim()}; this is a Kiln bug, please report it with KILN_DEBUG=1`);
    }
    const bytes = new Uint8Array(readFileSync(out));
    mkdirSync(cacheDir(), { recursive: true });
    // write then rename: a concurrent build of the same model never sees half a file
    writeFileSync(`${cached}.${process.pid}`, bytes);
    renameSync(`${cached}.${process.pid}`, cached);
    return { bytes, cached: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const versions = new Map<string, string>();
function compilerVersion(cc: string): string {
  let v = versions.get(cc);
  if (v === undefined) {
    v = execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    versions.set(cc, v);
  }
  return v;
}
