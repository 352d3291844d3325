// Applies a stage's loop steps to its axes: the resulting loop order with each loop's kind, the
// original axes as index expressions of the new loop variables, and the guards of ragged tails.
import { bin, cnst, v, type Expr, type LoopKind } from '../loop/ir.js';
import { substitute } from '../lower/expr.js';
import { IllegalScheduleError, type Step } from './schedule.js';

export interface AxisSpec {
  readonly name: string;
  readonly extent: number;
}

export interface NestAxis extends AxisSpec {
  readonly kind: LoopKind;
  readonly reduce: boolean;
  /** The loop variable's name in the kernel (unique per stage). */
  readonly varName: string;
}

export interface LoopNest {
  /** Outermost first. */
  readonly order: readonly NestAxis[];
  /** Each original axis as an expression of the loop variables. */
  readonly values: ReadonlyMap<string, Expr>;
  /** Conditions an iteration must meet to be real (the tails of non-dividing splits). */
  readonly guards: readonly Expr[];
}

const varNameOf = (stage: string, axis: string) => `${stage}_${axis}`.replace(/[^A-Za-z0-9_]/g, '_');

export function buildNest(stage: string, spatial: readonly AxisSpec[], reduce: readonly AxisSpec[],
  steps: readonly Step[]): LoopNest {
  let order: NestAxis[] = [
    ...spatial.map((a) => ({ ...a, kind: 'serial' as LoopKind, reduce: false, varName: varNameOf(stage, a.name) })),
    ...reduce.map((a) => ({ ...a, kind: 'serial' as LoopKind, reduce: true, varName: varNameOf(stage, a.name) })),
  ];
  if (new Set(order.map((a) => a.varName)).size !== order.length) {
    throw new IllegalScheduleError(stage, `axis names of stage ${stage} collide: ${order.map((a) => a.name).join(', ')}`);
  }
  let values = new Map(order.map((a) => [a.name, v(a.varName)] as [string, Expr]));
  let guards: Expr[] = [];
  const rewrite = (map: Map<string, Expr>) => {
    values = new Map([...values].map(([k, e]) => [k, substitute(e, map)]));
    guards = guards.map((g) => substitute(g, map));
  };
  const find = (step: Step, name: string): number => {
    const i = order.findIndex((a) => a.name === name);
    if (i < 0) throw new IllegalScheduleError(step, `no axis ${name} in stage ${stage} (axes: ${order.map((a) => a.name).join(', ')})`);
    return i;
  };
  const annotate = (step: Step, name: string, kind: LoopKind) => {
    const i = find(step, name);
    if (order[i].kind !== 'serial') throw new IllegalScheduleError(step, `axis ${name} is already ${order[i].kind}`);
    if (order[i].reduce && kind === 'parallel') throw new IllegalScheduleError(step, `${name} is a reduction axis and cannot run in parallel`);
    order[i] = { ...order[i], kind };
  };

  for (const step of steps) {
    switch (step.s) {
      case 'split': {
        const i = find(step, step.axis), a = order[i], f = step.factor;
        if (!Number.isInteger(f) || f < 1) throw new IllegalScheduleError(step, `factor must be a positive integer`);
        if (a.kind !== 'serial') throw new IllegalScheduleError(step, `split ${a.name} before annotating it ${a.kind}`);
        const outer = { ...a, name: `${a.name}.o`, extent: Math.ceil(a.extent / f), varName: varNameOf(stage, `${a.name}.o`) };
        const inner = { ...a, name: `${a.name}.i`, extent: f, varName: varNameOf(stage, `${a.name}.i`) };
        const ragged = a.extent % f !== 0, shift = ragged && step.tail === 'shift';
        if (shift && a.extent < f) throw new IllegalScheduleError(step, `a shifted tail needs an extent of at least ${f}, ${a.name} has ${a.extent}`);
        // shifted: the last block starts at extent - f and overlaps its neighbour, recomputing equal values
        const start = bin('mul', v(outer.varName), cnst(f));
        const joined = bin('add', shift ? bin('min', start, cnst(a.extent - f)) : start, v(inner.varName));
        if (ragged && !shift) guards.push(bin('lt', v(a.varName), cnst(a.extent)));
        rewrite(new Map([[a.varName, joined]]));
        order.splice(i, 1, outer, inner);
        break;
      }
      case 'reorder': {
        const idx = step.axes.map((n) => find(step, n));
        if (new Set(idx).size !== idx.length) throw new IllegalScheduleError(step, 'an axis is named twice');
        const slots = [...idx].sort((x, y) => x - y);
        const next = [...order];
        slots.forEach((slot, k) => { next[slot] = order[idx[k]]; });
        order = next;
        break;
      }
      case 'fuse': {
        const i = find(step, step.a), j = find(step, step.b);
        const a = order[i], b = order[j];
        if (j !== i + 1) throw new IllegalScheduleError(step, `${b.name} must be directly inside ${a.name}`);
        if (a.reduce !== b.reduce) throw new IllegalScheduleError(step, 'cannot fuse a spatial axis with a reduction axis');
        if (a.kind !== 'serial' || b.kind !== 'serial') throw new IllegalScheduleError(step, 'fuse axes before annotating them');
        const name = `${a.name}.${b.name}`;
        const fused: NestAxis = { name, extent: a.extent * b.extent, kind: 'serial', reduce: a.reduce, varName: varNameOf(stage, name) };
        const f = v(fused.varName);
        rewrite(new Map([
          [a.varName, bin('floordiv', f, cnst(b.extent))],
          [b.varName, bin('floormod', f, cnst(b.extent))],
        ]));
        order.splice(i, 2, fused);
        break;
      }
      case 'vectorize': annotate(step, step.axis, 'vectorized'); break;
      case 'unroll': annotate(step, step.axis, 'unrolled'); break;
      case 'parallel': annotate(step, step.axis, 'parallel'); break;
      case 'pack': break; // applied when the inputs are bound (src/schedule/pack.ts)
    }
  }
  return { order, values, guards };
}
