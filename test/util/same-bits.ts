// Runs of one artifact at different thread counts must agree bit for bit (src/loop/phases.ts).
import type { Tensor } from '../../src/runtime/index.js';

/** Why two runs' outputs differ in any bit, or undefined when they are identical. */
export function sameBits(got: Tensor, want: Tensor): string | undefined {
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape.join(',')}] differs from the first run's [${want.shape.join(',')}]`;
  if (Array.isArray(got.data)) return (got.data as string[]).every((s, i) => s === (want.data as string[])[i]) ? undefined : 'strings differ from the first run';
  const bytes = (t: Tensor) => { const d = t.data as ArrayBufferView; return new Uint8Array(d.buffer, d.byteOffset, d.byteLength); };
  const a = bytes(got), b = bytes(want);
  const at = a.findIndex((x, i) => x !== b[i]);
  return at < 0 && a.length === b.length ? undefined : `byte ${at} differs from the first run's outputs`;
}
