// `--weights float16`: the weights section with float32 constants stored as IEEE halves (load
// widens them, src/runtime/weights.ts), so an artifact of a float16 model is no bigger than the
// model. A constant is halved only when a half holds every value exactly, so results do not change:
// a float16 model's weights are halves already (folding a batch norm into a conv makes a few that
// are not; those stay float32), and a float32 model's stay float32.
import { numberToFloat16Bits, roundToFloat16 } from '../ir/dtype.js';
import type { Tensor } from '../ir/tensor.js';
import type { MemoryPlan } from '../passes/memory-plan.js';
import type { HalfRun } from '../runtime/weights.js';

export const WEIGHT_ENCODINGS = ['float32', 'float16'] as const;
export type WeightEncoding = (typeof WEIGHT_ENCODINGS)[number];

export interface HalvedWeights {
  /** The weights section: the region's bytes with each run replaced by its halves. */
  readonly section: Uint8Array;
  /** The manifest's `halves`. */
  readonly halves: readonly HalfRun[];
}

const exactlyHalves = (data: ArrayLike<number>) => {
  for (let i = 0; i < data.length; i++) if (roundToFloat16(data[i]) !== data[i] && !Number.isNaN(data[i])) return false;
  return true;
};

/** Splits `image` (the weights region of `plan`, holding `constants`) into verbatim bytes and half runs. */
export function halveWeights(plan: MemoryPlan, constants: ReadonlyMap<string, Tensor>, image: Uint8Array): HalvedWeights {
  const halves: HalfRun[] = [];
  const seen = new Set<number>();
  for (const [name, p] of plan.placements) {
    const t = constants.get(name);
    if (p.region !== 'weights' || p.viewOf || !t || t.dtype !== 'float32' || seen.has(p.offset) || !exactlyHalves(t.numbers)) continue;
    if (p.bytes !== 4 * t.size || !t.size) continue;
    seen.add(p.offset);
    halves.push({ offset: p.offset, count: t.size });
  }
  halves.sort((a, b) => a.offset - b.offset);
  const base = plan.weights.offset;
  const section = new Uint8Array(image.length - 2 * halves.reduce((n, h) => n + h.count, 0));
  const floats = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const out = new DataView(section.buffer);
  let from = 0, to = 0; // image and section positions
  for (const { offset, count } of halves) {
    const plain = offset - base - from;
    section.set(image.subarray(from, from + plain), to);
    from += plain; to += plain;
    for (let i = 0; i < count; i++) out.setUint16(to + 2 * i, numberToFloat16Bits(floats.getFloat32(from + 4 * i, true)), true);
    from += 4 * count; to += 2 * count;
  }
  section.set(image.subarray(from), to);
  return { section, halves };
}
