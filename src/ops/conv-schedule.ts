// The `schedule` facets of Conv and ConvTranspose: which conv-template problem their compute
// (nn-compute.ts) poses, from the source form it picks and the window geometry.
import type { ScheduleContext } from './facets.js';
import { convTemplate } from '../schedule/templates.js';
import { reorder, split, unroll, vectorize, type Schedule } from '../schedule/schedule.js';
import { convSource, isPhasedTranspose } from './nn-compute.js';
import { slidingWindow, type Window, type WindowAttrs } from './nn-window.js';

/**
 * NCHW conv: the conv tile over the output columns, or over OH*OW when the source rows flatten. A
 * row-flat source flattens only when it is a buffer (convCompute): the input itself (`inputIsSource`),
 * or its padded copy; ConvInteger's zero-point-shifted input is neither until padded.
 */
export function convSchedule({ attrs, inputs, outputs, target }: ScheduleContext<WindowAttrs & { readonly group: number; readonly kernel_shape?: readonly number[] }>,
  inputIsSource = true): Schedule {
  const out = outputs[0];
  if (out.length !== 4) return [];
  const [x, w] = [inputs[0]!.info.shape, inputs[1]!.info.shape] as number[][];
  const source = convSource(x, w, out, attrs);
  const win = slidingWindow('Conv', x.slice(2), attrs.kernel_shape ?? w.slice(2), attrs);
  const padded = [...win.padsBegin, ...win.padsEnd].some((p) => p !== 0);
  const flat = (source === 'row-flat' && (inputIsSource || padded)) || source === 'patches';
  const [sh, sw] = attrs.strides ?? [1, 1];
  // a copied source holds each input element once per tap it feeds
  const copies = source === 'patches' ? (w[2] * w[3]) / (sh * sw) : source === 'columns' ? w[3] / sw : 1;
  const p = {
    lanes: target.lanes('f32'), l2Bytes: target.cache.l2Bytes, o: out[1], ow: flat ? out[2] * out[3] : out[3], weight: inputs[1]!.name, perGroup: out[1] / attrs.group,
    rows: flat ? 1 : out[2], sourceElems: x[1] * x[2] * x[3] * copies, weightElems: w[0] * w[1] * w[2] * w[3],
  };
  // weights fed at run time cannot be packed at compile time
  const knobs = convTemplate.defaults(p);
  return convTemplate.schedule(p, inputs[1]!.constant ? knobs : { ...knobs, packW: 0 });
}

/**
 * ConvTranspose takes the conv tile (W's [C][M/group] order is not the [O] blocks pack() makes). The
 * phased form's q axes oh, ow play the conv's; the phases ph, pw loop outside the reduction, so each
 * phase's sub-kernel weights are the broadcast scalars and its stores stride the output row.
 * `win` is the transpose's window over a 4-D output.
 */
export function convTransposeSchedule({ inputs, outputs, target }: ScheduleContext<unknown>, win: Window): Schedule {
  const out = outputs[0];
  const facts = { lanes: target.lanes('f32'), l2Bytes: target.cache.l2Bytes };
  const w = inputs[1]!.info.shape as number[];
  if (!isPhasedTranspose(win)) {
    const p = { ...facts, o: out[1], ow: out[3], weight: inputs[1]!.name, perGroup: w[1] };
    return convTemplate.schedule(p, { ...convTemplate.defaults(p), packW: 0 });
  }
  const qw = out[3] / win.strides[1];
  const { ot, wt } = convTemplate.defaults({ ...facts, o: out[1], ow: qw, weight: inputs[1]!.name, perGroup: w[1] });
  // unrolled phases make each phase's tap offsets constants the simplifier folds
  const phases = [unroll('ph'), unroll('pw')];
  if (wt === 0) return [split('o', ot), reorder(['n', 'o.o', 'oh', 'ph', 'pw', 'ow', 'c', 'kh', 'kw', 'o.i']), unroll('o.i'), ...phases];
  return [
    split('o', ot), split('ow', wt, undefined, qw % wt ? 'shift' : undefined),
    reorder(['n', 'o.o', 'oh', 'ph', 'pw', 'ow.o', 'c', 'kh', 'kw', 'o.i', 'ow.i']), unroll('o.i'), vectorize('ow.i'), ...phases,
  ];
}
