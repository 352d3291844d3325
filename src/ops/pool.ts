// Pools: windowed MaxPool (with optional argmax Indices), AveragePool and LpPool over 1 to 3
// spatial axes, and their global forms, which reduce each channel's whole spatial extent.
import { ShapeError, UnsupportedError } from '../errors.js';
import { allocData, isFloat, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { fmtShape, numel } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { poolTemplate } from '../schedule/pool.js';
import type { Schedule } from '../schedule/schedule.js';
import type { ScheduleContext } from './facets.js';
import { attr, defineOp, type AttrsOf, type InferContext, type OpTable } from './op.js';
import { outputTensor } from './nn-gemm.js';
import { globalPoolCompute, windowPoolCompute } from './pool-compute.js';
import { slidingWindow, spatialOf, to3d, windowDims, windowPadAbsorption, type Window } from './nn-window.js';

type PoolKind = 'max' | 'avg' | 'lp';

interface PoolOptions {
  readonly countIncludePad?: boolean;
  readonly p?: number;
  /** 1: Indices count column-major over the spatial axes. */
  readonly storageOrder?: number;
  readonly withIndices?: boolean;
}

/** How many taps of a window starting at `start` fall inside [lo, hi) on one axis. */
function tapsInside(start: number, k: number, d: number, lo: number, hi: number): number {
  let count = 0;
  for (let t = 0; t < k; t++) { const at = start + t * d; if (at >= lo && at < hi) count++; }
  return count;
}

function windowPool(x: Tensor, win: Window, kind: PoolKind, opts: PoolOptions): Tensor[] {
  const [n, c] = x.shape;
  const [ID, IH, IW] = to3d(x.shape.slice(2), 1), [OD, OH, OW] = to3d(win.out, 1);
  const [KD, KH, KW] = to3d(win.kernel, 1), [sd, sh, sw] = to3d(win.strides, 1), [dd, dh, dw] = to3d(win.dilations, 1);
  const [pd, ph, pw] = to3d(win.padsBegin, 0), [qd, qh, qw] = to3d(win.padsEnd, 0);
  const X = x.numbers, p = opts.p ?? 2, inPlane = ID * IH * IW, outPlane = OD * OH * OW;
  const out = allocData(x.dtype, n * c * outPlane) as NumericData;
  const indices = opts.withIndices ? new Float64Array(n * c * outPlane) : undefined;
  const columnMajor = opts.storageOrder === 1;
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * inPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = od * sd - pd;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sh - ph;
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = ow * sw - pw;
          let acc = kind === 'max' ? -Infinity : 0, best = -1, valid = 0;
          for (let kd = 0; kd < KD; kd++) {
            const id = d0 + kd * dd;
            if (id < 0 || id >= ID) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = h0 + kh * dh;
              if (ih < 0 || ih >= IH) continue;
              const row = (id * IH + ih) * IW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = w0 + kw * dw;
                if (iw < 0 || iw >= IW) continue;
                const v = X[base + row + iw];
                valid++;
                if (kind === 'max') {
                  if (v > acc || best < 0) {
                    acc = v;
                    best = columnMajor ? id + ID * (ih + IH * iw) : row + iw;
                  }
                } else acc += kind === 'avg' ? v : Math.abs(v) ** p;
              }
            }
          }
          if (kind === 'avg') {
            const divisor = opts.countIncludePad
              ? tapsInside(d0, KD, dd, -pd, ID + qd) * tapsInside(h0, KH, dh, -ph, IH + qh) * tapsInside(w0, KW, dw, -pw, IW + qw)
              : valid;
            acc /= divisor;
          } else if (kind === 'lp') acc **= 1 / p;
          out[o] = acc;
          if (indices) indices[o] = base + best;
        }
      }
    }
  }
  const shape = [n, c, ...win.out];
  const y = outputTensor(x.dtype, shape, out);
  return indices ? [y, new Tensor('int64', shape, indices)] : [y];
}

function globalPool(x: Tensor, kind: PoolKind, p = 2): Tensor {
  const [n, c] = x.shape, plane = numel(x.shape.slice(2)), X = x.numbers;
  const out = allocData(x.dtype, n * c) as NumericData;
  for (let i = 0; i < n * c; i++) {
    let acc = kind === 'max' ? -Infinity : 0;
    for (let j = i * plane, end = j + plane; j < end; j++) {
      const v = X[j];
      if (kind === 'max') { if (v > acc) acc = v; } else acc += kind === 'avg' ? v : Math.abs(v) ** p;
    }
    out[i] = kind === 'avg' ? acc / plane : kind === 'lp' ? acc ** (1 / p) : acc;
  }
  return outputTensor(x.dtype, [n, c, ...x.shape.slice(2).map(() => 1)], out);
}

function checkDtype(op: string, x: ValueInfo, allowInt8: boolean): void {
  if (!isFloat(x.dtype) && !(allowInt8 && (x.dtype === 'int8' || x.dtype === 'uint8'))) {
    throw new UnsupportedError(`${op}: ${x.dtype} input is not supported (float${allowInt8 ? ', int8 or uint8' : ''} only)`);
  }
}

const windowAttrs = {
  auto_pad: attr.string('NOTSET'),
  ceil_mode: attr.int(0),
  dilations: attr.ints(),
  kernel_shape: attr.required('ints'),
  pads: attr.ints(),
  strides: attr.ints(),
};

type WindowPoolAttrs = AttrsOf<typeof windowAttrs>;

function inferWindowPool(op: string, kind: PoolKind) {
  return ({ attrs, inputs, symbol }: InferContext<WindowPoolAttrs>): ValueInfo[] => {
    const x = inputs[0]!;
    const spatial = spatialOf(op, x, 'X');
    checkDtype(op, x, kind === 'max');
    if (attrs.kernel_shape.length !== spatial.length) {
      throw new ShapeError(`${op}: kernel_shape [${attrs.kernel_shape.join(',')}] needs one entry per spatial axis of X ${fmtShape(x.shape)}`);
    }
    const shape = [x.shape[0], x.shape[1], ...windowDims(op, spatial, attrs.kernel_shape, attrs, attrs.ceil_mode === 1, symbol)];
    return kind === 'max' ? [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }] : [{ dtype: x.dtype, shape }];
  };
}

function runWindowPool(op: string, kind: PoolKind, attrs: WindowPoolAttrs, x: Tensor, opts: PoolOptions): Tensor[] {
  const win = slidingWindow(op, x.shape.slice(2), attrs.kernel_shape, attrs, attrs.ceil_mode === 1);
  return windowPool(x, win, kind, opts);
}

function inferGlobalPool(op: string, kind: PoolKind) {
  return ({ inputs }: InferContext<unknown>): ValueInfo[] => {
    const x = inputs[0]!;
    spatialOf(op, x, 'X');
    checkDtype(op, x, kind === 'max');
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
  };
}

/** The pool tile along the output row; MaxPool's Indices output leaves it scalar. */
function windowPoolSchedule({ outputs, target }: ScheduleContext<unknown>): Schedule {
  if (outputs[0].length < 3) return [];
  const p = { spatial: outputs[0].slice(2), indices: outputs.length > 1, lanes: target.lanes('f32') };
  return poolTemplate.schedule(p, poolTemplate.defaults(p));
}

const maxPoolAttrs = { ...windowAttrs, storage_order: attr.int(0) };
const averagePoolAttrs = { ...windowAttrs, count_include_pad: attr.int(0) };
const lpPoolAttrs = { ...windowAttrs, p: attr.int(2) };

export const poolOps = {
  MaxPool: defineOp<typeof maxPoolAttrs>({
    attrs: maxPoolAttrs,
    inputs: [1, 1],
    outputs: [1, 2],
    fusion: 'opaque',
    infer: inferWindowPool('MaxPool', 'max'),
    compute: windowPoolCompute('MaxPool', 'max'),
    schedule: windowPoolSchedule,
    // with ceil_mode a window may start inside the end padding, which an explicit Pad would count; Indices would count the pads
    absorbPad: ({ attrs, outputs }) => (attrs.ceil_mode || outputs !== 1 ? undefined : windowPadAbsorption(attrs, -Infinity)),
    run: ({ node, attrs, inputs: [x] }) => runWindowPool('MaxPool', 'max', attrs, x!, {
      storageOrder: attrs.storage_order, withIndices: node.outputs.length > 1 && node.outputs[1] !== '',
    }),
  }),
  AveragePool: defineOp<typeof averagePoolAttrs>({
    attrs: averagePoolAttrs,
    inputs: [1, 1],
    fusion: 'opaque',
    infer: inferWindowPool('AveragePool', 'avg'),
    compute: windowPoolCompute('AveragePool', 'avg'),
    schedule: windowPoolSchedule,
    // only a pool that counts its pads averages over a Pad's zeros
    absorbPad: ({ attrs }) => (attrs.ceil_mode || attrs.count_include_pad !== 1 ? undefined : windowPadAbsorption(attrs, 0)),
    run: ({ attrs, inputs: [x] }) => runWindowPool('AveragePool', 'avg', attrs, x!, { countIncludePad: attrs.count_include_pad === 1 }),
  }),
  LpPool: defineOp<typeof lpPoolAttrs>({
    attrs: lpPoolAttrs,
    inputs: [1, 1],
    fusion: 'opaque',
    infer: inferWindowPool('LpPool', 'lp'),
    compute: windowPoolCompute('LpPool', 'lp'),
    schedule: windowPoolSchedule,
    run: ({ attrs, inputs: [x] }) => runWindowPool('LpPool', 'lp', attrs, x!, { p: attrs.p }),
  }),
  GlobalMaxPool: defineOp({
    attrs: {}, inputs: [1, 1], fusion: 'reduce',
    infer: inferGlobalPool('GlobalMaxPool', 'max'),
    compute: globalPoolCompute('max'),
    run: ({ inputs: [x] }) => [globalPool(x!, 'max')],
  }),
  GlobalAveragePool: defineOp({
    attrs: {}, inputs: [1, 1], fusion: 'reduce',
    infer: inferGlobalPool('GlobalAveragePool', 'avg'),
    compute: globalPoolCompute('avg'),
    run: ({ inputs: [x] }) => [globalPool(x!, 'avg')],
  }),
  GlobalLpPool: defineOp({
    attrs: { p: attr.int(2) }, inputs: [1, 1], fusion: 'reduce',
    infer: inferGlobalPool('GlobalLpPool', 'lp'),
    compute: globalPoolCompute('lp'),
    run: ({ attrs, inputs: [x] }) => [globalPool(x!, 'lp', attrs.p)],
  }),
} satisfies OpTable;
