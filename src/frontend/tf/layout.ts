// Layout plumbing for TF's spatial ops: data_format handling, the NHWC<->NCHW transposes
// around canonical channels-first ops, and TF's SAME/VALID/EXPLICIT padding as explicit pads.
import type { Attrs } from '../../ir/graph.js';
import type { NodeContext } from './context.js';

export interface SpatialLayout {
  readonly channelsLast: boolean;
  /** Rank of the data tensor (4 for 2-D ops, 5 for 3-D). */
  readonly rank: number;
}

export function layoutOf(c: NodeContext, dflt = 'NHWC'): SpatialLayout {
  const f = c.attrs.str('data_format', dflt);
  if (!/^N(H|DH)WC$|^NC(H|DH)W$/.test(f)) throw c.unsupported(`data_format ${f}`);
  return { channelsLast: f.endsWith('C'), rank: f.length };
}

/** The spatial entries of a per-dimension attribute list (strides, ksize, dilations). */
export function spatialOf<T>(list: readonly T[], l: SpatialLayout): T[] {
  return l.channelsLast ? list.slice(1, l.rank - 1) : list.slice(2);
}

/** Runs `body` on `x` in channels-first layout and returns its result in the node's layout. */
export function channelsFirst(c: NodeContext, x: string, l: SpatialLayout, body: (x: string) => string): string {
  if (!l.channelsLast) return body(x);
  return c.toChannelsLast(body(c.toChannelsFirst(x, l.rank)), l.rank);
}

/**
 * Canonical pads [begins..., ends...] for TF padding over input spatial sizes `sizes`. SAME puts
 * the odd extra pad at the end (ONNX SAME_UPPER); when a size is symbolic we leave it to auto_pad.
 */
export function paddingAttrs(c: NodeContext, x: string, l: SpatialLayout,
  kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): Attrs {
  const padding = c.attrs.str('padding');
  const n = kernel.length;
  if (padding === 'VALID') return { pads: new Array(2 * n).fill(0) };
  if (padding === 'EXPLICIT') {
    const pairs = spatialOf(pairsOf(c.attrs.ints('explicit_paddings')), l);
    return { pads: [...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])] };
  }
  if (padding !== 'SAME') throw c.unsupported(`padding ${padding}`);
  const sizes = spatialOf(c.info(x).shape, l);
  if (sizes.some((s) => typeof s !== 'number')) return { auto_pad: 'SAME_UPPER' };
  const begins: number[] = [], ends: number[] = [];
  sizes.forEach((size, i) => {
    const total = samePadTotal(size as number, kernel[i], strides[i], dilations[i]);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  });
  return { pads: [...begins, ...ends] };
}

/** Total SAME padding of one axis: enough for ceil(size / stride) outputs. */
export function samePadTotal(size: number, kernel: number, stride: number, dilation: number): number {
  const out = Math.ceil(size / stride);
  return Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
}

function pairsOf(flat: readonly number[]): [number, number][] {
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]);
}
