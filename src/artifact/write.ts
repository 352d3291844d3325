// Writes a .kiln artifact: the compiler's side of the format defined (and parsed) by
// src/runtime/artifact.ts. The manifest is validated by the runtime's own checks first, so
// the compiler cannot write a file the runtime would refuse.
import { FORMAT_VERSION, HEADER_BYTES, MAGIC, padTo16, SECTION_HEADER_BYTES, SECTIONS } from '../runtime/artifact.js';
import { crc32 } from '../runtime/crc32.js';
import { validateManifest, type Manifest } from '../runtime/manifest.js';
import { weightsSectionBytes } from '../runtime/weights.js';
import { InputError } from '../errors.js';

export interface ArtifactParts {
  readonly manifest: Manifest;
  /** The WebAssembly module; it imports env.memory and exports manifest.entry. */
  readonly wasm: Uint8Array;
  /** The weights section: the weights region, with manifest.halves runs stored as float16. */
  readonly weights: Uint8Array;
}

export function writeArtifact(parts: ArtifactParts): Uint8Array {
  let manifest: Manifest;
  try {
    manifest = validateManifest(JSON.parse(JSON.stringify(parts.manifest)));
  } catch (e) {
    throw new InputError(`cannot write artifact: ${(e as Error).message}`);
  }
  if (weightsSectionBytes(manifest) !== parts.weights.length) {
    throw new InputError(`cannot write artifact: the manifest makes the weights section ${weightsSectionBytes(manifest)} bytes but ${parts.weights.length} weight bytes were given`);
  }
  return assembleArtifact([new TextEncoder().encode(JSON.stringify(manifest)), parts.wasm, parts.weights]);
}

/** Frames section payloads (in SECTIONS order) into an artifact, checking nothing inside them. */
export function assembleArtifact(payloads: readonly Uint8Array[]): Uint8Array {
  const total = payloads.reduce((n, p) => n + SECTION_HEADER_BYTES + padTo16(p.length), HEADER_BYTES);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(Array.from(MAGIC, (c) => c.charCodeAt(0)), 0);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, 0, true);
  view.setUint32(12, SECTIONS.length, true);
  let at = HEADER_BYTES;
  SECTIONS.forEach(({ tag }, i) => {
    const p = payloads[i];
    out.set(Array.from(tag, (c) => c.charCodeAt(0)), at);
    view.setUint32(at + 4, p.length, true);
    view.setUint32(at + 8, crc32(p), true);
    out.set(p, at + SECTION_HEADER_BYTES);
    at += SECTION_HEADER_BYTES + padTo16(p.length);
  });
  return out;
}
