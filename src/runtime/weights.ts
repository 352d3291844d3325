// The weights section as it is stored and as it sits in memory. An artifact compiled with
// `--weights float16` keeps listed float32 runs ("halves") as IEEE half floats; load widens
// them back to float32 at their planned offsets, so the kernels never see the difference.
import type { Extent } from './manifest.js';

/** A run of `count` float32 values at memory `offset` that the weights section stores as float16. */
export interface HalfRun {
  readonly offset: number;
  readonly count: number;
}

/** The manifest fields that say how the weights section maps onto memory. */
export interface WeightsLayout {
  readonly memory: { readonly weights: Extent };
  readonly halves?: readonly HalfRun[];
}

/** Bytes the weights section holds: the memory extent, less two bytes per halved element. */
export function weightsSectionBytes(m: WeightsLayout): number {
  return m.memory.weights.bytes - 2 * (m.halves ?? []).reduce((n, h) => n + h.count, 0);
}

let table: Float32Array | undefined;
/** Every half's float32 value, indexed by its bits: widening is then one lookup per element. */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    table[h] = exp === 0 ? sign * frac * 2 ** -24
      : exp === 31 ? (frac ? NaN : sign * Infinity)
        : sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return table;
}

/**
 * Writes the weights section into `memory` (the model's whole linear memory) at the weights
 * extent: bytes outside the half runs are copied as stored, each run is widened to float32.
 * The runs are sorted and disjoint (validateManifest checks), so the section is read front to back.
 */
export function writeWeights(memory: ArrayBuffer | SharedArrayBuffer, m: WeightsLayout, section: Uint8Array): void {
  const { offset: base, bytes } = m.memory.weights;
  const out = new Uint8Array(memory, base, bytes);
  const halves = m.halves ?? [];
  if (!halves.length) { out.set(section); return; }
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const widen = halfTable();
  let from = 0, to = 0; // section and region positions
  for (const { offset, count } of halves) {
    const plain = offset - base - to;
    out.set(section.subarray(from, from + plain), to);
    from += plain; to += plain;
    const floats = new Float32Array(memory, base + to, count);
    for (let i = 0; i < count; i++) floats[i] = widen[view.getUint16(from + 2 * i, true)];
    from += 2 * count; to += 4 * count;
  }
  out.set(section.subarray(from), to);
}
