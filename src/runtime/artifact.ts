// The .kiln file format and its parser. The runtime owns the format (it must not import the
// compiler); the compiler's writer, src/artifact/write.ts, imports these constants.
//
// Layout, all integers little-endian, every part starting on a 16-byte boundary:
//   header   16 bytes: "KILN", u32 format version, u32 flags (none defined: must be 0),
//            u32 section count (3)
//   sections in this order: manifest (UTF-8 JSON), wasm (the module), weights (the bytes
//            copied to memory.weights.offset at load, float16 runs widened: weights.ts); each one is
//            16-byte header: 4-byte tag, u32 payload length, u32 CRC-32 of the payload, u32 0
//            then the payload, zero-padded to 16 bytes.
// docs/artifact-format.md specifies all of it. Every byte is checked: payloads by their CRC (so the error names the section), headers and
// padding by value, so a flipped bit anywhere is reported rather than silently run.
import { crc32 } from './crc32.js';
import { KilnRuntimeError } from './errors.js';
import { validateManifest, type Manifest } from './manifest.js';
import { weightsSectionBytes } from './weights.js';

export const MAGIC = 'KILN';
/** Bumped on any change an older runtime would misread. */
export const FORMAT_VERSION = 2;
export const ALIGN = 16;
export const HEADER_BYTES = 16;
export const SECTION_HEADER_BYTES = 16;

export const SECTIONS = [
  { tag: 'MANI', name: 'manifest' },
  { tag: 'WASM', name: 'wasm module' },
  { tag: 'WGHT', name: 'weights' },
] as const;

export interface Artifact {
  readonly formatVersion: number;
  readonly manifest: Manifest;
  readonly wasm: Uint8Array;
  readonly weights: Uint8Array;
}

export function padTo16(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

const formatError = (msg: string) => new KilnRuntimeError('E_FORMAT', msg);

/** Parses and checks an artifact; payloads are views into `bytes`, not copies. */
export function parseArtifact(input: ArrayBuffer | ArrayBufferView): Artifact {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input)
    : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || ascii(bytes, 0) !== MAGIC) {
    throw formatError('not a Kiln artifact (no KILN magic at the start); give a file written by kiln compile');
  }
  if (bytes.length < HEADER_BYTES) throw formatError(`artifact is truncated inside its ${HEADER_BYTES}-byte header (${bytes.length} bytes); fetch or copy the file again`);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) {
    throw new KilnRuntimeError('E_VERSION', version > FORMAT_VERSION
      ? `artifact format version ${version} is newer than this runtime reads (version ${FORMAT_VERSION}); upgrade the kiln runtime`
      : `artifact format version ${version} is older than this runtime reads (version ${FORMAT_VERSION}); recompile the model with this kiln's \`kiln compile\``);
  }
  const flags = view.getUint32(8, true);
  if (flags !== 0) throw formatError(`artifact header has unknown flags 0x${flags.toString(16)}; the file is corrupt or from a newer kiln`);
  const count = view.getUint32(12, true);
  if (count !== SECTIONS.length) throw formatError(`artifact header declares ${count} sections, format version ${FORMAT_VERSION} has ${SECTIONS.length}; the file is corrupt`);

  const payloads: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (const { tag, name } of SECTIONS) {
    if (at + SECTION_HEADER_BYTES > bytes.length) {
      throw formatError(`artifact is truncated: the ${name} section ${at >= bytes.length ? 'is missing' : 'header is cut short'} (file ends at byte ${bytes.length}); fetch or copy the file again`);
    }
    const found = ascii(bytes, at);
    if (found !== tag) throw formatError(`artifact section at byte ${at} is '${printable(found)}', expected the ${name} section '${tag}'; the file is corrupt`);
    const length = view.getUint32(at + 4, true);
    const checksum = view.getUint32(at + 8, true);
    if (view.getUint32(at + 12, true) !== 0) throw formatError(`artifact ${name} section header has a nonzero reserved field; the file is corrupt`);
    const start = at + SECTION_HEADER_BYTES;
    const end = start + padTo16(length);
    if (end > bytes.length) {
      throw formatError(`artifact is truncated inside the ${name} section: it needs bytes ${start}..${end}, the file ends at ${bytes.length}; fetch or copy the file again`);
    }
    const payload = bytes.subarray(start, start + length);
    if (crc32(payload) !== checksum) throw new KilnRuntimeError('E_CHECKSUM', `artifact ${name} section fails its CRC-32 checksum: the file is corrupt; fetch or copy it again`);
    for (let i = start + length; i < end; i++) {
      if (bytes[i] !== 0) throw formatError(`artifact ${name} section padding holds nonzero bytes; the file is corrupt`);
    }
    payloads.push(payload);
    at = end;
  }
  if (at !== bytes.length) throw formatError(`artifact has ${bytes.length - at} bytes after its last section; the file is corrupt`);

  const [manifestBytes, wasm, weights] = payloads;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch (e) {
    throw formatError(`artifact manifest is not valid UTF-8 JSON (${(e as Error).message}); the file is corrupt`);
  }
  const manifest = validateManifest(json);
  if (weightsSectionBytes(manifest) !== weights.length) {
    throw formatError(`artifact manifest says the weights section holds ${weightsSectionBytes(manifest)} bytes but it holds ${weights.length}; the file is corrupt`);
  }
  return { formatVersion: version, manifest, wasm, weights };
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
