// A threaded module imports a shared memory. Where memory cannot be shared (a page without
// cross-origin isolation) or one thread is asked for, the same module runs on an unshared memory:
// its atomics are valid there, and with one thread its barrier never waits. The only change is the
// shared bit in the limits of the imported memory, so this walks the import section to that byte.
import { KilnRuntimeError } from './errors.js';

const IMPORT_SECTION = 2;
const KIND = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;
const SHARED = 0x02;

/** A copy of `wasm` whose imported memory is not shared. */
export function unsharedMemoryImport(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(wasm);
  const r = new Reader(out);
  r.at = 8;
  while (r.at < out.length) {
    const id = out[r.at++];
    const size = r.u32();
    const end = r.at + size;
    if (id !== IMPORT_SECTION) { r.at = end; continue; }
    for (let n = r.u32(); n > 0; n--) {
      r.skipName();
      r.skipName();
      const kind = out[r.at++];
      if (kind === KIND.memory) {
        out[r.at] &= ~SHARED;
        return out;
      }
      if (kind === KIND.func || kind === KIND.tag) { if (kind === KIND.tag) r.at++; r.u32(); }
      else if (kind === KIND.table) { r.at++; r.skipLimits(); }
      else if (kind === KIND.global) r.at += 2;
      else break;
    }
    break;
  }
  throw new KilnRuntimeError('E_MODULE', "the model's module declares threads but imports no memory; the artifact is corrupt");
}

class Reader {
  at = 0;
  constructor(private readonly b: Uint8Array) {}
  u32(): number {
    let v = 0, shift = 0, byte: number;
    do {
      if (this.at >= this.b.length) throw new KilnRuntimeError('E_MODULE', "the model's module is truncated; the artifact is corrupt");
      byte = this.b[this.at++];
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return v;
  }
  skipName(): void { const n = this.u32(); this.at += n; }
  skipLimits(): void {
    const flags = this.b[this.at++];
    this.u32();
    if (flags & 1) this.u32();
  }
}
