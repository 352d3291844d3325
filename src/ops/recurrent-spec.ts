// What RNN, GRU and LSTM share: gate counts, default activations and the attributes resolved
// into one spec that the shape inference, the reference kernel and the expansion pass all read.
import { ShapeError, UnsupportedError } from '../errors.js';
import type { Attrs, ValueInfo } from '../ir/graph.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import { resolveActivations, type Activation } from './recurrent-activations.js';

export type RecurrentOp = 'RNN' | 'GRU' | 'LSTM';

/** Gates per cell (rows of W per direction, in hidden_size blocks) and the activations' roles. */
export const CELLS: Readonly<Record<RecurrentOp, { readonly gates: number; readonly activations: readonly string[] }>> = {
  RNN: { gates: 1, activations: ['Tanh'] },
  GRU: { gates: 3, activations: ['Sigmoid', 'Tanh'] },
  LSTM: { gates: 4, activations: ['Sigmoid', 'Tanh', 'Tanh'] },
};

export const DIRECTIONS = ['forward', 'reverse', 'bidirectional'] as const;

export interface RecurrentSpec {
  readonly op: RecurrentOp;
  readonly gates: number;
  /** 1 or 2 */
  readonly directions: number;
  /** Per direction: processes the sequence from its end. */
  readonly reversed: readonly boolean[];
  readonly activations: readonly (readonly Activation[])[];
  /** Bound on gate pre-activations; undefined for none. */
  readonly clip: number | undefined;
  /** layout 1: X, Y, initial and final states are batch-major. */
  readonly batchMajor: boolean;
  readonly inputForget: boolean;
  readonly linearBeforeReset: boolean;
}

export function recurrentSpec(op: RecurrentOp, name: string, attrs: Attrs): RecurrentSpec {
  const where = `${op} '${name}'`;
  const direction = (attrs.direction as string | undefined) ?? 'forward';
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    throw new UnsupportedError(`${where}: direction '${direction}'; use one of ${DIRECTIONS.join(', ')}`);
  }
  const layout = (attrs.layout as number | undefined) ?? 0;
  if (layout !== 0 && layout !== 1) throw new UnsupportedError(`${where}: layout ${layout}; use 0 or 1`);
  const directions = direction === 'bidirectional' ? 2 : 1;
  const { gates, activations: defaults } = CELLS[op];
  const clip = attrs.clip as number | undefined;
  return {
    op, gates, directions,
    reversed: direction === 'bidirectional' ? [false, true] : [direction === 'reverse'],
    activations: resolveActivations(where, attrs.activations as readonly string[] | undefined,
      attrs.activation_alpha as readonly number[] | undefined, attrs.activation_beta as readonly number[] | undefined, defaults, directions),
    clip: clip === undefined ? undefined : clip,
    batchMajor: layout === 1,
    inputForget: ((attrs.input_forget as number | undefined) ?? 0) !== 0,
    linearBeforeReset: ((attrs.linear_before_reset as number | undefined) ?? 0) !== 0,
  };
}

const known = (d: Dim | undefined): d is number => typeof d === 'number';

/** Input positions after X, W, R: B, sequence_lens, initial_h, initial_c (LSTM), P (LSTM). */
export const INPUT = { X: 0, W: 1, R: 2, B: 3, SEQ: 4, H0: 5, C0: 6, P: 7 } as const;

/**
 * Output types (Y, Y_h, and Y_c for LSTM) after checking every input's shape against X and W.
 * hidden_size comes from the attribute or W.
 */
export function inferRecurrent(spec: RecurrentSpec, name: string, hiddenAttr: number | undefined,
  inputs: readonly (ValueInfo | undefined)[], outputCount: number): ValueInfo[] {
  const where = `${spec.op} '${name}'`;
  const [x, w, r] = inputs;
  if (!x || !w || !r) throw new ShapeError(`${where}: needs inputs X, W and R`);
  const bad = (what: string, v: ValueInfo, want: readonly Dim[]) =>
    new ShapeError(`${where}: ${what} ${fmtShape(v.shape)} must be ${fmtShape(want)} (X ${fmtShape(x.shape)}, ${spec.directions} direction(s), ${spec.gates} gate(s))`);
  if (x.shape.length !== 3) throw new ShapeError(`${where}: X ${fmtShape(x.shape)} must be rank 3 [${spec.batchMajor ? 'batch, seq_length' : 'seq_length, batch'}, input_size]`);
  if (!['float32', 'float64', 'float16'].includes(x.dtype)) throw new UnsupportedError(`${where}: X must be a float tensor, got ${x.dtype}`);
  const [seq, batch] = spec.batchMajor ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const inputSize = x.shape[2];
  const fromW = known(w.shape[1]) ? w.shape[1] / spec.gates : undefined;
  const hidden: Dim = hiddenAttr ?? fromW ?? 'hidden_size';
  const nd = spec.directions, gh: Dim = known(hidden) ? hidden * spec.gates : w.shape[1];
  const check = (what: string, v: ValueInfo | undefined, want: readonly Dim[]) => {
    if (!v) return;
    if (v.shape.length !== want.length || v.shape.some((d, i) => known(d) && known(want[i]) && d !== want[i])) throw bad(what, v, want);
  };
  check('W', w, [nd, gh, inputSize]);
  check('R', r, [nd, gh, hidden]);
  check('B', inputs[INPUT.B], [nd, known(gh) ? 2 * gh : gh]);
  check('sequence_lens', inputs[INPUT.SEQ], [batch]);
  const state = spec.batchMajor ? [batch, nd, hidden] : [nd, batch, hidden];
  check('initial_h', inputs[INPUT.H0], state);
  if (spec.op === 'LSTM') {
    check('initial_c', inputs[INPUT.C0], state);
    check('P', inputs[INPUT.P], [nd, known(hidden) ? 3 * hidden : 'P']);
  }
  const seqLens = inputs[INPUT.SEQ];
  if (seqLens && seqLens.dtype !== 'int32') throw new UnsupportedError(`${where}: sequence_lens must be int32, got ${seqLens.dtype}`);
  const y = spec.batchMajor ? [batch, seq, nd, hidden] : [seq, nd, batch, hidden];
  const outs: ValueInfo[] = [{ dtype: x.dtype, shape: y }, { dtype: x.dtype, shape: state }];
  if (spec.op === 'LSTM') outs.push({ dtype: x.dtype, shape: state });
  return outs.slice(0, Math.max(1, outputCount));
}
