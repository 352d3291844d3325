// Output agreement between two engines, so a fast but wrong engine shows up in the table:
// the largest absolute difference relative to the largest magnitude, worst over all outputs.
import type { HostOutputs, HostTensor } from './engine.js';

export interface Agreed {
  readonly ok: true;
  /** maxAbsDiff / maxMagnitude of the worst output. */
  readonly relDiff: number;
  readonly maxAbsDiff: number;
  /** Largest |baseline value| of that output. */
  readonly maxMagnitude: number;
}
export type Agreement = Agreed | { readonly ok: false; readonly problem: string };

/** TF.js names outputs 'Identity:0' where the model (and Kiln) says 'Identity'. */
const baseName = (name: string) => name.replace(/:0$/, '');

/** Pairs outputs by name, or by position when the engines name them differently (layers models). */
function pairOutputs(base: HostOutputs, other: HostOutputs): [string, HostTensor, HostTensor][] | string {
  const byName = new Map([...other].map(([n, t]) => [baseName(n), t]));
  const named = [...base].map(([n, t]) => [n, t, byName.get(baseName(n))] as const);
  if (named.every(([, , o]) => o)) return named.map(([n, t, o]) => [n, t, o!]);
  if (base.size !== other.size) return `${other.size} outputs, the baseline has ${base.size}`;
  const others = [...other.values()];
  return [...base].map(([n, t], i) => [n, t, others[i]]);
}

const num = (x: number | bigint) => Number(x);

export function agreement(base: HostOutputs, other: HostOutputs): Agreement {
  const pairs = pairOutputs(base, other);
  if (typeof pairs === 'string') return { ok: false, problem: pairs };
  let worst: Agreed | undefined;
  for (const [name, a, b] of pairs) {
    if (a.data.length !== b.data.length) {
      return { ok: false, problem: `output ${name} has ${b.data.length} values, the baseline ${a.data.length}` };
    }
    let maxAbsDiff = 0, maxMagnitude = 0;
    for (let i = 0; i < a.data.length; i++) {
      const x = num(a.data[i]), y = num(b.data[i]);
      const d = Math.abs(x - y);
      // NaN on one side only must count as a difference, and Math.max(NaN, ..) propagates it
      maxAbsDiff = Number.isNaN(x) && Number.isNaN(y) ? maxAbsDiff : Math.max(maxAbsDiff, d);
      maxMagnitude = Math.max(maxMagnitude, Math.abs(x));
    }
    const relDiff = maxMagnitude > 0 ? maxAbsDiff / maxMagnitude : maxAbsDiff;
    if (!worst || Number.isNaN(relDiff) || relDiff > worst.relDiff) worst = { ok: true, relDiff, maxAbsDiff, maxMagnitude };
    if (Number.isNaN(relDiff)) break;
  }
  return worst ?? { ok: false, problem: 'no outputs' };
}
