// Einsum: parses an equation into per-operand axis labels (ellipsis dims become numbered
// labels, right-aligned; size-1 dims broadcast like numpy), then sums products over the
// labels the output drops. The reference is a plain loop nest; the compute gets the matmul
// schedule when the equation is a matmul.
import { ShapeError } from '../errors.js';
import { allocData, type DType, type NumericData } from '../ir/dtype.js';
import { fmtShape, numel, stridesOf, type Dim } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { bin, cnst, type Expr } from '../loop/ir.js';
import { compute, reduce, type TeTensor } from '../lower/te.js';
import { outputTensor, remapIndices } from './nn-gemm.js';
import type { ComputeContext } from './op.js';

export interface EinsumPlan {
  /** Labels of each operand's axes: a letter, or '.k' for ellipsis dim k. */
  readonly inputs: readonly (readonly string[])[];
  readonly output: readonly string[];
  /** Every label's size, the ellipsis dims broadcast across operands. */
  readonly sizes: ReadonlyMap<string, Dim>;
}

/** Splits one term into labels; `ellipsis` is how many dims its '...' stands for. */
function termLabels(term: string, ellipsis: number, total: number, equation: string): string[] {
  const bad = () => new ShapeError(`Einsum: cannot parse term '${term}' of equation '${equation}'`);
  const [before, after, extra] = term.split('...');
  if (extra !== undefined) throw bad();
  const letters = (s: string) => {
    if (!/^[a-zA-Z]*$/.test(s)) throw bad();
    return [...s];
  };
  const dots = after === undefined ? [] : Array.from({ length: ellipsis }, (_, j) => `.${total - ellipsis + j}`);
  return [...letters(before), ...dots, ...letters(after ?? '')];
}

export function planEinsum(equation: string, shapes: readonly (readonly Dim[])[]): EinsumPlan {
  const eq = equation.replace(/\s/g, '');
  const [lhs, rhs, extra] = eq.split('->');
  const terms = lhs.split(',');
  if (extra !== undefined || terms.length !== shapes.length) {
    throw new ShapeError(`Einsum: equation '${equation}' has ${terms.length} operand terms for ${shapes.length} inputs`);
  }
  const ellipses = terms.map((t, i) => {
    const named = t.replace('...', '').length;
    const n = t.includes('...') ? shapes[i].length - named : 0;
    if (n < 0 || (!t.includes('...') && named !== shapes[i].length)) {
      throw new ShapeError(`Einsum: term '${t}' of '${equation}' does not fit input ${i} of shape ${fmtShape(shapes[i])}`);
    }
    return n;
  });
  const total = Math.max(0, ...ellipses);
  const inputs = terms.map((t, i) => termLabels(t, ellipses[i], total, equation));

  const sizes = new Map<string, Dim>();
  inputs.forEach((labels, i) => labels.forEach((l, axis) => {
    const d = shapes[i][axis], prev = sizes.get(l);
    if (prev === undefined || prev === 1 || (typeof prev === 'string' && typeof d === 'number')) { sizes.set(l, d); return; }
    if (d === prev || d === 1 || typeof d === 'string') return;
    throw new ShapeError(`Einsum: label '${l}' of '${equation}' is ${prev} in one place and ${d} in another`);
  }));

  const counts = new Map<string, number>();
  for (const l of inputs.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
  const dots = Array.from({ length: total }, (_, k) => `.${k}`);
  const output = rhs === undefined
    ? [...dots, ...[...counts].filter(([l, c]) => c === 1 && !l.startsWith('.')).map(([l]) => l).sort()]
    : termLabels(rhs, total, total, equation);
  output.forEach((l, i) => {
    if (!sizes.has(l) || output.indexOf(l) !== i) {
      throw new ShapeError(`Einsum: output label '${l}' of '${equation}' is repeated or absent from the inputs`);
    }
  });
  return { inputs, output, sizes };
}

/** Each operand's element stride per label (summed over repeated labels: diagonals; 0 where broadcast). */
function labelStrides(labels: readonly string[], t: Tensor, order: readonly string[], sizes: ReadonlyMap<string, Dim>): number[] {
  const st = stridesOf(t.shape);
  return order.map((l) => labels.reduce((acc, m, axis) =>
    (m === l && !(t.shape[axis] === 1 && sizes.get(l) !== 1) ? acc + st[axis] : acc), 0));
}

export function runEinsum(equation: string, inputs: readonly Tensor[], dtype: DType): Tensor {
  const plan = planEinsum(equation, inputs.map((t) => t.shape));
  const reduced = [...plan.sizes.keys()].filter((l) => !plan.output.includes(l));
  const size = (l: string) => plan.sizes.get(l) as number;
  const outDims = plan.output.map(size), redDims = reduced.map(size);
  const outOffs = inputs.map((t, i) => remapIndices(outDims, labelStrides(plan.inputs[i], t, plan.output, plan.sizes)));
  const redOffs = inputs.map((t, i) => remapIndices(redDims, labelStrides(plan.inputs[i], t, reduced, plan.sizes)));
  const data = inputs.map((t) => t.numbers), count = numel(redDims);
  const out = allocData(dtype, numel(outDims)) as NumericData;
  for (let o = 0; o < out.length; o++) {
    let acc = 0;
    for (let r = 0; r < count; r++) {
      let prod = 1;
      for (let i = 0; i < data.length; i++) prod *= data[i][outOffs[i][o] + redOffs[i][r]];
      acc += prod;
    }
    out[o] = acc;
  }
  return outputTensor(dtype, outDims, out);
}

/** Labels the output drops: Einsum sums over them. */
const reducedLabels = (plan: EinsumPlan) => [...plan.sizes.keys()].filter((l) => !plan.output.includes(l));

/**
 * The matmul an equation is, when it is one ('bij,bjk->bik', 'ij,kj->ik', ...): two operands, one
 * summed label, the last output label only in the second operand and the one before it only in the
 * first. Its output axes are then named b0.., m, n and the sum k, so the matmul schedule applies.
 */
export function einsumAsMatmul(plan: EinsumPlan): { batch: number; m: number; n: number; k: number } | undefined {
  const reduced = reducedLabels(plan), out = plan.output;
  if (plan.inputs.length !== 2 || reduced.length !== 1 || out.length < 2) return undefined;
  const [a, b] = plan.inputs, m = out[out.length - 2], n = out[out.length - 1];
  if (!(a.includes(m) && !b.includes(m) && b.includes(n) && !a.includes(n))) return undefined;
  const size = (l: string) => plan.sizes.get(l) as number;
  return { batch: out.length - 2, m: size(m), n: size(n), k: size(reduced[0]) };
}

/** A sum over the dropped labels of the operands' product; each operand read at its labels' indices (0 where it broadcasts). */
export function einsumCompute(ctx: ComputeContext<{ readonly equation: string }>): TeTensor[] {
  const inputs = ctx.inputs as TeTensor[], out = ctx.outputs[0];
  const plan = planEinsum(ctx.attrs.equation, inputs.map((t) => t.shape));
  const reduced = reducedLabels(plan);
  const matmul = einsumAsMatmul(plan);
  const axes = matmul ? [...plan.output.slice(0, -2).map((_, d) => `b${d}`), 'm', 'n'] : plan.output.map((_, d) => `i${d}`);
  const product = (value: (l: string) => Expr) => inputs.map((t, i) => t.at(plan.inputs[i].map((l, axis) =>
    (t.shape[axis] === 1 && plan.sizes.get(l) !== 1 ? cnst(0) : value(l))))).reduce((x, y) => bin('mul', x, y));
  return [compute(out.name, out.shape, (idx) => {
    const at = (l: string) => idx[plan.output.indexOf(l)];
    if (reduced.length === 0) return product(at);
    return reduce('sum', reduced.map((l) => plan.sizes.get(l) as number), (r) =>
      product((l) => (plan.output.includes(l) ? at(l) : r[reduced.indexOf(l)])), matmul ? ['k'] : undefined);
  }, { axes, elem: out.elem })];
}
