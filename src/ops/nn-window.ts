// Sliding-window geometry shared by Conv, ConvTranspose and the pools: ONNX's rules for
// output sizes, explicit pads and auto_pad, per spatial axis, for inference and kernels.
import { ShapeError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import type { PadAbsorption } from './facets.js';

export interface WindowAttrs {
  readonly auto_pad: string;
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
}

/** A window resolved against concrete input sizes; every array has one entry per spatial axis. */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly out: readonly number[];
}

/**
 * What a window op whose own padding reads as `fill` takes over from a constant Pad: only with
 * explicit pads (or VALID and none), as auto_pad sizes its pads from the input it sees. The Pad's
 * amounts add to the pads attribute.
 */
export function windowPadAbsorption(a: WindowAttrs, fill: number): PadAbsorption | undefined {
  if ((a.auto_pad !== 'NOTSET' && a.auto_pad !== 'VALID') || (a.auto_pad === 'VALID' && a.pads)) return undefined;
  return {
    fill,
    withPads: (spatial) => {
      const old = a.pads ?? new Array<number>(spatial.length).fill(0);
      return { pads: old.map((p, i) => p + spatial[i]), auto_pad: 'NOTSET' };
    },
  };
}

const AUTO_PADS = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'];

/** Strides and dilations (default 1) and explicit pads (default 0), checked against the rank. */
export function windowSteps(op: string, a: WindowAttrs, spatial: number) {
  const list = (name: string, v: readonly number[] | undefined, len: number, dflt: number, min: number) => {
    if (v === undefined) return new Array<number>(len).fill(dflt);
    if (v.length !== len) throw new ShapeError(`${op}: ${name} has ${v.length} entries, expected ${len} for ${spatial} spatial axes`);
    if (v.some((x) => !(x >= min))) throw new ShapeError(`${op}: ${name} [${v.join(',')}] must be >= ${min}`);
    return [...v];
  };
  if (!AUTO_PADS.includes(a.auto_pad)) {
    throw new ShapeError(`${op}: auto_pad '${a.auto_pad}' is not one of ${AUTO_PADS.join(', ')}`);
  }
  const pads = list('pads', a.pads, 2 * spatial, 0, 0);
  return {
    strides: list('strides', a.strides, spatial, 1, 1),
    dilations: list('dilations', a.dilations, spatial, 1, 1),
    padsBegin: pads.slice(0, spatial),
    padsEnd: pads.slice(spatial),
  };
}

/** Output size and pads of one axis; ceil mode drops a last window that would start in the end padding. */
function axisWindow(size: number, k: number, s: number, d: number, pb: number, pe: number,
  autoPad: string, ceilMode: boolean): [out: number, pb: number, pe: number] {
  const span = (k - 1) * d + 1;
  if (autoPad === 'VALID') return [Math.floor((size - span) / s) + 1, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const out = Math.ceil(size / s);
    const total = Math.max(0, (out - 1) * s + span - size);
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [out, small, total - small] : [out, total - small, small];
  }
  const room = size + pb + pe - span;
  let out = (ceilMode ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + pb) out--;
  return [out, pb, pe];
}

/** Resolves the window of an op over concrete spatial sizes; throws when no window fits. */
export function slidingWindow(op: string, spatial: readonly number[], kernel: readonly number[],
  a: WindowAttrs, ceilMode = false): Window {
  const st = windowSteps(op, a, spatial.length);
  const padsBegin: number[] = [], padsEnd: number[] = [], out: number[] = [];
  spatial.forEach((size, i) => {
    const [o, pb, pe] = axisWindow(size, kernel[i], st.strides[i], st.dilations[i],
      st.padsBegin[i], st.padsEnd[i], a.auto_pad, ceilMode);
    if (!(o >= 1)) {
      throw new ShapeError(`${op}: window of kernel ${fmtShape(kernel)} does not fit spatial input ${fmtShape(spatial)}` +
        ` (dilations ${fmtShape(st.dilations)}, pads ${fmtShape([...st.padsBegin, ...st.padsEnd])})`);
    }
    out.push(o); padsBegin.push(pb); padsEnd.push(pe);
  });
  return { kernel, strides: st.strides, dilations: st.dilations, padsBegin, padsEnd, out };
}

/**
 * Output spatial dims for shape inference. A symbolic input axis keeps its name when the
 * window preserves size (stride 1 with SAME, or pads that exactly cover the kernel span);
 * otherwise it gets a fresh symbol.
 */
export function windowDims(op: string, spatial: readonly Dim[], kernel: readonly number[], a: WindowAttrs,
  ceilMode: boolean, symbol: (hint: string) => Dim): Dim[] {
  const st = windowSteps(op, a, spatial.length);
  return spatial.map((size, i) => {
    if (typeof size === 'number') {
      return slidingWindow(op, [size], [kernel[i]], {
        auto_pad: a.auto_pad, strides: [st.strides[i]], dilations: [st.dilations[i]],
        pads: [st.padsBegin[i], st.padsEnd[i]],
      }, ceilMode).out[0];
    }
    const span = (kernel[i] - 1) * st.dilations[i] + 1;
    const same = st.strides[i] === 1 && (a.auto_pad.startsWith('SAME') ||
      (a.auto_pad === 'NOTSET' && st.padsBegin[i] + st.padsEnd[i] === span - 1) ||
      (a.auto_pad === 'VALID' && span === 1));
    return same ? size : symbol(`${op.toLowerCase()}_out`);
  });
}

/** Checks an N,C,spatial... input of rank 3..5 and returns its spatial dims. */
export function spatialOf(op: string, x: ValueInfo | undefined, what = 'input'): readonly Dim[] {
  if (!x) throw new ShapeError(`${op}: missing ${what}`);
  if (x.shape.length < 3 || x.shape.length > 5) {
    throw new ShapeError(`${op}: ${what} must be N,C plus 1 to 3 spatial dims, got ${fmtShape(x.shape)}`);
  }
  return x.shape.slice(2);
}

/** Pads a per-axis list to 3 spatial axes by prepending `fill`, so kernels handle 1D/2D as 3D. */
export function to3d(v: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}
