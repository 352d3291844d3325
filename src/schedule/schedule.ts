// Schedules as data: a readonly list of steps that reshape a compute's loop nest (split,
// reorder, fuse, annotate) or the layout of a constant input (pack). Lowering interprets them.
import { KilnError } from '../errors.js';

/** A schedule step that is not legal for the compute it is applied to; names the step and why. */
export class IllegalScheduleError extends KilnError {
  constructor(step: Step | string, why: string) {
    super('E_SCHEDULE', `illegal schedule step ${typeof step === 'string' ? step : fmtStep(step)}: ${why}`);
  }
}

/** Blocks dim `axis` of a constant by `block`; the block becomes the innermost dim (OIHW -> O/8,I,H,W,8). */
export interface PackLayout {
  readonly axis: number;
  readonly block: number;
}

/** Which stage of a kernel a step addresses (a compute tensor's name); default: the kernel's output. */
interface OnStage { readonly stage?: string }

export type Step = OnStage & (
  /**
   * axis -> axis.o (extent ceil(n/f)) and axis.i (extent f). A non-dividing factor adds a guarded
   * tail, or with tail 'shift' moves the last block back to end at n (it recomputes a few elements,
   * so register tiles and vectors keep their full width; needs n >= f).
   */
  | { readonly s: 'split'; readonly axis: string; readonly factor: number; readonly tail?: SplitTail }
  /** Permutes the named axes among the positions they occupy. */
  | { readonly s: 'reorder'; readonly axes: readonly string[] }
  /** Two adjacent axes (b directly inside a) -> one axis `a.b`. */
  | { readonly s: 'fuse'; readonly a: string; readonly b: string }
  | { readonly s: 'vectorize'; readonly axis: string }
  | { readonly s: 'unroll'; readonly axis: string }
  | { readonly s: 'parallel'; readonly axis: string }
  /** Compile-time layout change of the constant input `input` (a placeholder name). */
  | { readonly s: 'pack'; readonly input: string; readonly layout: PackLayout });

export type SplitTail = 'guard' | 'shift';

export type Schedule = readonly Step[];

export const split = (axis: string, factor: number, stage?: string, tail?: SplitTail): Step =>
  (tail ? { s: 'split', axis, factor, stage, tail } : { s: 'split', axis, factor, stage });
export const reorder = (axes: readonly string[], stage?: string): Step => ({ s: 'reorder', axes, stage });
export const fuse = (a: string, b: string, stage?: string): Step => ({ s: 'fuse', a, b, stage });
export const vectorize = (axis: string, stage?: string): Step => ({ s: 'vectorize', axis, stage });
export const unroll = (axis: string, stage?: string): Step => ({ s: 'unroll', axis, stage });
export const parallel = (axis: string, stage?: string): Step => ({ s: 'parallel', axis, stage });
export const pack = (input: string, layout: PackLayout): Step => ({ s: 'pack', input, layout });

/** `steps` addressed to stage `stage` (a compute's inner stage rather than its output); packs stay as they are. */
export const onStage = (steps: Schedule, stage: string): Schedule => steps.map((s) => (s.s === 'pack' ? s : { ...s, stage }));

export function fmtStep(step: Step): string {
  const on = step.stage ? ` on ${step.stage}` : '';
  switch (step.s) {
    case 'split': return `split(${step.axis}, ${step.factor}${step.tail ? `, ${step.tail}` : ''})${on}`;
    case 'reorder': return `reorder(${step.axes.join(', ')})${on}`;
    case 'fuse': return `fuse(${step.a}, ${step.b})${on}`;
    case 'pack': return `pack(${step.input}, axis ${step.layout.axis} by ${step.layout.block})`;
    default: return `${step.s}(${step.axis})${on}`;
  }
}
