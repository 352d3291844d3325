// Load-time checks of an artifact against itself, beyond each manifest field's own validity (every
// offset and size inside memory: manifest.ts): regions and input slots apart, so a feed never
// overwrites the weights, and a memory the host can give.
import { numel, elementBytes } from './dtypes.js';
import { KilnRuntimeError } from './errors.js';
import type { Extent, Manifest, TensorSlot } from './manifest.js';

const corrupt = (what: string) => new KilnRuntimeError('E_FORMAT', `artifact manifest: ${what}; the artifact is corrupt or from an incompatible kiln`);

const fmt = (e: Extent) => `${e.offset}..${e.offset + e.bytes}`;

function slotBytes(s: TensorSlot): number {
  return numel(s.shape) * elementBytes(s.dtype);
}

const overlap = (offset: number, bytes: number, e: Extent) => bytes > 0 && e.bytes > 0 && offset < e.offset + e.bytes && e.offset < offset + bytes;

/**
 * Throws E_FORMAT for the first region or slot that overlaps what it must not: the weights and the
 * arena are apart, and no input lies over either (a feed must never overwrite weights, nor a
 * kernel's scratch an input) or over another input. Every slot is inside memory (validateManifest).
 */
export function checkArtifactLayout(m: Manifest): void {
  const { weights, arena } = m.memory;
  if (overlap(weights.offset, weights.bytes, arena)) throw corrupt(`the weights (bytes ${fmt(weights)}) and the arena (bytes ${fmt(arena)}) overlap`);
  m.inputs.forEach((s, i) => {
    const bytes = slotBytes(s), at = `input '${s.name}' (bytes ${s.offset}..${s.offset + bytes})`;
    if (overlap(s.offset, bytes, weights)) throw corrupt(`${at} overlaps the weights (bytes ${fmt(weights)})`);
    if (overlap(s.offset, bytes, arena)) throw corrupt(`${at} overlaps the arena (bytes ${fmt(arena)})`);
    const other = m.inputs.slice(0, i).find((o) => overlap(s.offset, bytes, { offset: o.offset, bytes: slotBytes(o) }));
    if (other) throw corrupt(`${at} overlaps input '${other.name}'`);
  });
}

/** The model's memory, or E_MEMORY when the host cannot give that much. */
export function createMemory(m: Manifest, shared: boolean): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: m.memory.pages, maximum: m.memory.pages, shared });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new KilnRuntimeError('E_MEMORY', `this host cannot allocate the ${m.memory.pages * 64} KiB of WebAssembly memory the model needs; ` +
      'free memory, or compile the model for smaller shapes');
  }
}
