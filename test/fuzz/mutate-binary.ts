// Mutators of formats handled as bytes: .npy headers and data, .kiln sections (with and without
// recomputed checksums), and the last-resort byte flips every format also gets.
import { assembleArtifact } from '../../src/artifact/write.js';
import type { Dice } from './random.js';

/** A few bytes flipped, inserted, deleted, or the file cut short. */
export function flipBytes(bytes: Uint8Array, d: Dice): Uint8Array {
  const out = Array.from(bytes);
  const n = 1 + d.int(4);
  for (let i = 0; i < n && out.length; i++) {
    const at = d.int(out.length);
    switch (d.int(4)) {
      case 0: out[at] = d.int(256); break;
      case 1: out.splice(at, 0, d.int(256)); break;
      case 2: out.splice(at, 1 + d.int(8)); break;
      default: out.length = at; break;
    }
  }
  return Uint8Array.from(out);
}

const NPY_DESCRS = ['<f4', '<f8', '<i8', '|u1', '|b1', '<U3', '<U0', '|O', '>f4', '<c8', '<U999999999', '<f2', '<i4', "'", '<V8', '<M8'];

/** An .npy file with its header dictionary or data changed. */
export function mutateNpy(bytes: Uint8Array, d: Dice): Uint8Array {
  if (d.chance(0.2)) return flipBytes(bytes, d);
  const headerLen = bytes[8] | (bytes[9] << 8);
  let header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLen));
  let data = bytes.subarray(10 + headerLen);
  switch (d.int(6)) {
    case 0: header = header.replace(/\(([^)]*)\)/, () => `(${Array.from({ length: 1 + d.int(4) }, () => d.size()).join(', ')},)`); break;
    case 1: header = header.replace(/'descr': '[^']*'/, `'descr': '${d.pick(NPY_DESCRS)}'`); break;
    case 2: header = header.replace('False', d.pick(['True', 'Maybe', ''])); break;
    case 3: header = header.replace(/\(([^)]*)\)/, d.pick(['(1e8,)', '(-3,)', '(2, x)', '()', '(4294967297,)', '(100000000000000000000,)'])); break;
    case 4: data = data.subarray(0, d.int(data.length + 1)); break;
    default: header = header.replace(d.pick(["'shape'", "'descr'", "'fortran_order'"]), "'other'"); break;
  }
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + h.length + data.length);
  out.set(bytes.subarray(0, 8));
  out[8] = h.length & 0xff; out[9] = h.length >> 8;
  out.set(h, 10); out.set(data, 10 + h.length);
  return d.chance(0.1) ? flipBytes(out, d) : out;
}

/** The three section payloads of an artifact (manifest JSON, wasm, weights), read without checks. */
export function artifactPayloads(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 16;
  for (let i = 0; i < 3; i++) {
    const len = view.getUint32(at + 4, true);
    out.push(bytes.slice(at + 16, at + 16 + len));
    at += 16 + Math.ceil(len / 16) * 16;
  }
  return out;
}

type Json = Record<string, unknown>;

/** A manifest field set to a hostile value: offsets past memory, shapes, pages, handles, kernels. */
function mutateManifest(m: Json, d: Dice): void {
  const slots = [...(m.inputs as Json[]), ...(m.outputs as Json[])];
  const memory = m.memory as Json;
  switch (d.int(9)) {
    case 0: if (slots.length) d.pick(slots).offset = d.pick([d.size(), 4096, (memory.bytes as number) - 4, 3]); break;
    case 1: if (slots.length) d.pick(slots).shape = Array.from({ length: d.int(4) }, () => d.size()); break;
    case 2: memory.pages = d.pick([0, 1, 65536, 65537, 2 ** 20]); break;
    case 3: memory.bytes = d.size(); break;
    case 4: (d.pick([memory.weights, memory.arena]) as Json).offset = d.size(); break;
    case 5: m.entry = d.pick(['', 'missing', 'memory', 'run ']); break;
    case 6: m.strings = d.pick([[], ['a', 'a'], [1], 'x']); break;
    case 7: if (slots.length) d.pick(slots).dtype = d.pick(['string', 'int64', 'float16', 'bool', 'complex64']); break;
    default: m.kernels = d.pick([[{ name: 'k', function: 2 ** 40, ops: [] }], [{ name: 'k', function: 0, ops: [3] }], 'x', [null]]); break;
  }
}

/** An artifact with a section rewritten and (usually) its checksums recomputed, as a hostile producer would. */
export function mutateKiln(bytes: Uint8Array, d: Dice): Uint8Array {
  if (d.chance(0.15)) return flipBytes(bytes, d);
  const [manifest, wasm, weights] = artifactPayloads(bytes);
  const which = d.int(3);
  if (which === 0) {
    const m = JSON.parse(new TextDecoder().decode(manifest)) as Json;
    mutateManifest(m, d);
    return assembleArtifact([new TextEncoder().encode(JSON.stringify(m)), wasm, weights]);
  }
  if (which === 1) return assembleArtifact([manifest, flipBytes(wasm, d), weights]);
  // weights of the same length: values only, so the manifest stays consistent
  const w = weights.slice();
  for (let i = 0; i < 1 + d.int(16) && w.length; i++) w[d.int(w.length)] = d.int(256);
  return assembleArtifact([manifest, wasm, w]);
}
