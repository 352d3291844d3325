// The compiled form of RNN, GRU and LSTM, unrolled into canonical ops for a known seq_length: the
// input projection of every step as one MatMul, then per step a small MatMul with R and the cell's
// elementwise ops, so compiled models get the GEMM schedules and fusion. sequence_lens masks steps with Where.
import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import type { Emitter } from '../ir/emitter.js';
import type { ExpandContext } from './facets.js';
import type { Activation } from './recurrent-activations.js';
import { INPUT, recurrentSpec, type RecurrentOp, type RecurrentSpec } from './recurrent-spec.js';

/** The `expand` facet of RNN, GRU and LSTM: unrolled for a static seq_length; false while it is symbolic. */
export function expandRecurrent({ node: n, inputs, emit }: ExpandContext<unknown>): boolean {
  const x = inputs[INPUT.X];
  if (!x || !isStatic(x.shape)) return false;
  expandOne(emit, n, recurrentSpec(n.op as RecurrentOp, n.name, n.attrs), x.dtype, x.shape, inputs[INPUT.W]!.shape[1] as number);
  return true;
}

/** The activation applied to `x` as canonical ops. */
function activate(e: Emitter, a: Activation, x: string, dt: DType): string {
  const c = (v: number) => e.scalar(dt, v);
  switch (a.name) {
    case 'Affine': return e.op1('Add', [e.op1('Mul', [x, c(a.alpha)]), c(a.beta)]);
    case 'ScaledTanh': return e.op1('Mul', [e.op1('Tanh', [e.op1('Mul', [x, c(a.beta)])]), c(a.alpha)]);
    case 'LeakyRelu': case 'ThresholdedRelu': case 'Elu': return e.op1(a.name, [x], { alpha: a.alpha });
    case 'HardSigmoid': return e.op1(a.name, [x], { alpha: a.alpha, beta: a.beta });
    default: return e.op1(a.name, [x]);
  }
}

function expandOne(e: Emitter, n: Node, spec: RecurrentSpec, dt: DType, xShape: readonly number[], wRows: number): void {
  const input = (i: number) => n.inputs[i] || undefined;
  const [S, Bt] = spec.batchMajor ? [xShape[1], xShape[0]] : xShape;
  const H = (n.attrs.hidden_size as number | undefined) ?? wRows / spec.gates, GH = spec.gates * H;
  const xs = spec.batchMajor ? e.op1('Transpose', [input(INPUT.X)!], { perm: [1, 0, 2] }) : input(INPUT.X)!;
  const state = (i: number) => { const v = input(i); return v && spec.batchMajor ? e.op1('Transpose', [v], { perm: [1, 0, 2] }) : v; };
  const h0 = state(INPUT.H0), c0 = state(INPUT.C0);
  const clip = (v: string) => (spec.clip === undefined ? v : e.op1('Clip', [v, e.scalar(dt, -spec.clip), e.scalar(dt, spec.clip)]));
  const zeros = e.constant(Tensor.zeros(dt, [Bt, H]), 'zeros');
  const lens = input(INPUT.SEQ) ? e.op1('Cast', [input(INPUT.SEQ)!], { to: 'int64' }) : undefined;
  // [S, B]: for a reversed direction with per-batch lengths, the step each (step, batch) slot reads
  const reorder = lens && spec.reversed.includes(true) ? reversedOrder(e, lens, S, Bt) : undefined;
  const lensCol = lens && e.op1('Reshape', [lens, e.ints([Bt, 1])]);
  const ys: string[] = [], hs: string[] = [], cs: string[] = [];
  for (let d = 0; d < spec.directions; d++) {
    const [f, g, h] = spec.activations[d];
    const act = (a: Activation, v: string) => activate(e, a, clip(v), dt);
    const wT = e.op1('Transpose', [e.gather(input(INPUT.W)!, 0, d)], { perm: [1, 0] });
    const rT = e.op1('Transpose', [e.gather(input(INPUT.R)!, 0, d)], { perm: [1, 0] });
    let proj = e.op1('MatMul', [xs, wT]);
    let rbh: string | undefined;
    if (input(INPUT.B)) {
      const bd = e.gather(input(INPUT.B)!, 0, d), wb = e.slice(bd, 0, 0, GH), rb = e.slice(bd, 0, GH, 2 * GH);
      // R's bias of the GRU candidate gate sits inside the reset product with linear_before_reset
      const lbr = spec.op === 'GRU' && spec.linearBeforeReset;
      if (lbr) rbh = e.slice(rb, 0, 2 * H, 3 * H);
      const rbIn = lbr ? e.op1('Mul', [rb, e.constant(Tensor.from(dt, [GH], Array.from({ length: GH }, (_, i) => (i < 2 * H ? 1 : 0))), 'mask')]) : rb;
      proj = e.op1('Add', [proj, e.op1('Add', [wb, rbIn])]);
    }
    const rev = spec.reversed[d];
    if (rev && reorder) proj = e.op1('Reshape', [e.op1('Gather', [e.op1('Reshape', [proj, e.ints([S * Bt, GH])]), reorder], { axis: 0 }), e.ints([S, Bt, GH])]);
    let hPrev = h0 ? e.gather(h0, 0, d) : zeros;
    let cPrev = c0 ? e.gather(c0, 0, d) : zeros;
    const pd = spec.op === 'LSTM' && input(INPUT.P) ? e.gather(input(INPUT.P)!, 0, d) : undefined;
    const peep = pd ? [0, 1, 2].map((k) => e.slice(pd, 0, k * H, (k + 1) * H)) : undefined;
    const steps: string[] = [];
    for (let k = 0; k < S; k++) {
      // without lengths a reversed direction walks the steps backwards; with them `reorder` did
      const t = rev && !reorder ? S - 1 - k : k;
      const xt = e.gather(proj, 0, t);
      let hNew: string, cNew: string | undefined;
      if (spec.op === 'RNN') {
        hNew = act(f, e.op1('Add', [xt, e.op1('MatMul', [hPrev, rT])]));
      } else if (spec.op === 'GRU') {
        const hr = e.op1('MatMul', [hPrev, spec.linearBeforeReset ? rT : e.slice(rT, 1, 0, 2 * H)]);
        const zr = e.op1('Add', [e.slice(xt, 1, 0, 2 * H), spec.linearBeforeReset ? e.slice(hr, 1, 0, 2 * H) : hr]);
        const z = act(f, e.slice(zr, 1, 0, H)), r = act(f, e.slice(zr, 1, H, 2 * H));
        const recur = spec.linearBeforeReset
          ? e.op1('Mul', [r, rbh ? e.op1('Add', [e.slice(hr, 1, 2 * H, 3 * H), rbh]) : e.slice(hr, 1, 2 * H, 3 * H)])
          : e.op1('MatMul', [e.op1('Mul', [r, hPrev]), e.slice(rT, 1, 2 * H, 3 * H)]);
        const cand = act(g, e.op1('Add', [e.slice(xt, 1, 2 * H, 3 * H), recur]));
        // (1 - z) * cand + z * h  ==  cand + z * (h - cand)
        hNew = e.op1('Add', [cand, e.op1('Mul', [z, e.op1('Sub', [hPrev, cand])])]);
      } else {
        const pre = e.op1('Add', [xt, e.op1('MatMul', [hPrev, rT])]);
        const gate = (k: number, p?: string, c?: string) => {
          const v = e.slice(pre, 1, k * H, (k + 1) * H);
          return p && c ? e.op1('Add', [v, e.op1('Mul', [p, c])]) : v;
        };
        const i = act(f, gate(0, peep?.[0], cPrev));
        const fg = spec.inputForget ? e.op1('Sub', [e.scalar(dt, 1), i]) : act(f, gate(2, peep?.[2], cPrev));
        const cand = act(g, gate(3));
        cNew = e.op1('Add', [e.op1('Mul', [fg, cPrev]), e.op1('Mul', [i, cand])]);
        const o = act(f, gate(1, peep?.[1], cNew));
        hNew = e.op1('Mul', [o, activate(e, h, cNew, dt)]);
      }
      if (lensCol) {
        const live = e.op1('Less', [e.constant(Tensor.scalar('int64', k), 'step'), lensCol]);
        steps.push(e.op1('Where', [live, hNew, zeros]));
        hNew = e.op1('Where', [live, hNew, hPrev]);
        if (cNew) cNew = e.op1('Where', [live, cNew, cPrev]);
      } else {
        steps.push(hNew);
      }
      hPrev = hNew;
      if (cNew) cPrev = cNew;
    }
    if (rev && !reorder) steps.reverse();
    let y = e.op1('Concat', steps.map((s) => e.unsqueeze(s, 0)), { axis: 0 });
    if (rev && reorder) y = e.op1('Reshape', [e.op1('Gather', [e.op1('Reshape', [y, e.ints([S * Bt, H])]), reorder], { axis: 0 }), e.ints([S, Bt, H])]);
    ys.push(e.unsqueeze(y, 1));
    hs.push(e.unsqueeze(hPrev, 0));
    cs.push(e.unsqueeze(cPrev, 0));
  }
  const outputs = [
    { all: ys, axis: 1, perm: [2, 0, 1, 3] },
    { all: hs, axis: 0, perm: [1, 0, 2] },
    { all: cs, axis: 0, perm: [1, 0, 2] },
  ];
  n.outputs.forEach((name, i) => {
    if (!name) return;
    const { all, axis, perm } = outputs[i];
    const v = all.length === 1 ? all[0] : e.op1('Concat', all, { axis });
    e.rename(spec.batchMajor ? e.op1('Transpose', [v], { perm }) : v, name);
  });
}

/**
 * Flat [S*B] row of each (step, batch) slot when every batch entry's first `len` steps are
 * reversed: step t of entry b reads step len-1-t while t < len, else itself. Its own inverse.
 */
function reversedOrder(e: Emitter, lens: string, S: number, B: number): string {
  const t = e.constant(Tensor.from('int64', [S, 1], Array.from({ length: S }, (_, i) => i)), 'steps');
  const b = e.constant(Tensor.from('int64', [1, B], Array.from({ length: B }, (_, i) => i)), 'batch');
  const len = e.op1('Reshape', [lens, e.ints([1, B])]);
  const live = e.op1('Less', [t, len]);
  const back = e.op1('Sub', [e.op1('Sub', [len, e.constant(Tensor.scalar('int64', 1), 'one')]), t]);
  const step = e.op1('Where', [live, back, t]);
  return e.op1('Reshape', [e.op1('Add', [e.op1('Mul', [step, e.constant(Tensor.scalar('int64', B), 'batch_size')]), b]), e.ints([S * B])]);
}
