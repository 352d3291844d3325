// Matrix products: MatMul (numpy semantics: 1-D promotion, broadcast batch dims) and Gemm
// (optional transposes, alpha/beta, C broadcast to [M, N]) on the GEMM core, and Einsum.
import { ShapeError, UnsupportedError } from '../errors.js';
import { allocData, type DType, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { broadcastShapes, broadcastStrides, fmtShape, numel, type Dim } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import type { Schedule } from '../schedule/schedule.js';
import type { TargetFacts } from '../target/target.js';
import { matmulTemplate, type MatmulProblem } from '../schedule/templates.js';
import type { ScheduleContext } from './facets.js';
import { attr, defineOp, type OpTable } from './op.js';
import { einsumAsMatmul, einsumCompute, planEinsum, runEinsum } from './nn-einsum.js';
import { gemmCompute, matmulCompute } from './nn-compute.js';
import { gemm, outputTensor, remapIndices, transposed } from './nn-gemm.js';

const clash = (a: Dim, b: Dim) => typeof a === 'number' && typeof b === 'number' && a !== b;

function checkNumeric(op: string, inputs: readonly (ValueInfo | undefined)[]): DType {
  const [a, b] = inputs;
  if (a!.dtype === 'bool' || a!.dtype === 'string') throw new UnsupportedError(`${op}: ${a!.dtype} operands are not supported`);
  if (b!.dtype !== a!.dtype) throw new ShapeError(`${op}: A is ${a!.dtype} but B is ${b!.dtype}`);
  return a!.dtype;
}

/** MatMul operands viewed as stacks of matrices: 1-D A is a row [1, K], 1-D B a column [K, 1]. */
function asMatrices(op: string, a: readonly Dim[], b: readonly Dim[]) {
  if (a.length === 0 || b.length === 0) throw new ShapeError(`${op}: operands must have rank >= 1, got ${fmtShape(a)} and ${fmtShape(b)}`);
  const am = a.length === 1 ? [1, a[0]] : a, bm = b.length === 1 ? [b[0], 1] : b;
  const k = am[am.length - 1];
  if (clash(k, bm[bm.length - 2])) {
    throw new ShapeError(`${op}: inner dims differ: A ${fmtShape(a)} times B ${fmtShape(b)}`);
  }
  const batch = broadcastShapes(am.slice(0, -2), bm.slice(0, -2));
  const out = [...batch, ...(a.length > 1 ? [am[am.length - 2]] : []), ...(b.length > 1 ? [bm[bm.length - 1]] : [])];
  return { am, bm, batch, out, k };
}

function matmul(a: Tensor, b: Tensor): Tensor {
  const { am, bm, batch, out } = asMatrices('MatMul', a.shape, b.shape);
  const [m, k] = am.slice(-2) as number[], n = bm[bm.length - 1] as number;
  const batchShape = batch as number[], count = numel(batchShape);
  const aSt = broadcastStrides(am.slice(0, -2) as number[], batchShape);
  const bSt = broadcastStrides(bm.slice(0, -2) as number[], batchShape);
  const aOffs = remapIndices(batchShape, aSt), bOffs = remapIndices(batchShape, bSt);
  const data = allocData(a.dtype, count * m * n) as NumericData;
  for (let t = 0; t < count; t++) {
    gemm(m, n, k, { data: a.numbers, off: aOffs[t] * m * k, ld: k }, { data: b.numbers, off: bOffs[t] * k * n, ld: n },
      { data, off: t * m * n, ld: n });
  }
  return outputTensor(a.dtype, out as number[], data);
}

/** The matmul template's default for `shape` in the target's vectors. */
function matmulSchedule(shape: Omit<MatmulProblem, 'lanes'>, target: TargetFacts): Schedule {
  const p = { ...shape, lanes: target.lanes('f32') };
  return matmulTemplate.schedule(p, matmulTemplate.defaults(p));
}

/** The matmul tile for a product of inputs 0 and 1 (MatMul, and MatMulInteger's zero-point-shifted operands). */
export function matmulOperandsSchedule({ inputs, outputs: [out], target }: ScheduleContext<unknown>): Schedule {
  const [a, b] = [inputs[0]!.info.shape, inputs[1]!.info.shape];
  if (out.length < 2 || a.length < 2 || b.length < 2) return [];
  return matmulSchedule({ batch: out.length - 2, m: out[out.length - 2], n: out[out.length - 1], k: a[a.length - 1] as number }, target);
}

export const matmulOps = {
  MatMul: defineOp({
    attrs: {},
    inputs: [2, 2],
    fusion: 'out-fusable',
    infer: ({ inputs }) => {
      const dtype = checkNumeric('MatMul', inputs);
      return [{ dtype, shape: asMatrices('MatMul', inputs[0]!.shape, inputs[1]!.shape).out }];
    },
    run: ({ inputs: [a, b] }) => [matmul(a!, b!)],
    compute: matmulCompute,
    schedule: matmulOperandsSchedule,
    // a matrix B's column n makes output column n; there is no bias to shift
    channelWeights: ({ inputs }) => (inputs[1]?.shape.length === 2 ? { outputAxis: -1, weight: 1, weightAxis: 1 } : undefined),
    macs: ({ inputs, outputs }) => {
      const a = inputs[0]!.shape;
      return numel(outputs[0].shape as number[]) * (a[a.length - 1] as number);
    },
  }),

  Gemm: defineOp({
    attrs: { alpha: attr.float(1), beta: attr.float(1), transA: attr.int(0), transB: attr.int(0) },
    inputs: [2, 3],
    fusion: 'out-fusable',
    infer: ({ attrs, inputs }) => {
      const dtype = checkNumeric('Gemm', inputs);
      const [a, b, c] = inputs;
      if (a!.shape.length !== 2 || b!.shape.length !== 2) {
        throw new ShapeError(`Gemm: A ${fmtShape(a!.shape)} and B ${fmtShape(b!.shape)} must be matrices`);
      }
      const [m, ka] = attrs.transA ? [a!.shape[1], a!.shape[0]] : a!.shape;
      const [kb, n] = attrs.transB ? [b!.shape[1], b!.shape[0]] : b!.shape;
      if (clash(ka, kb)) {
        throw new ShapeError(`Gemm: inner dims differ: A ${fmtShape(a!.shape)} (transA=${attrs.transA}) times B ${fmtShape(b!.shape)} (transB=${attrs.transB})`);
      }
      if (c) {
        const cs = c.shape;
        if (cs.length > 2 || cs.some((d, i) => d !== 1 && clash(d, [m, n][i + 2 - cs.length]))) {
          throw new ShapeError(`Gemm: C ${fmtShape(cs)} does not broadcast to [${m},${n}]`);
        }
      }
      return [{ dtype, shape: [m, n] }];
    },
    run: ({ attrs, inputs: [a, b, c] }) => {
      const [m, k] = attrs.transA ? [a!.shape[1], a!.shape[0]] : a!.shape;
      const n = attrs.transB ? b!.shape[0] : b!.shape[1];
      const A = attrs.transA ? transposed(a!.numbers, 0, k, m, allocData(a!.dtype, m * k) as NumericData) : a!.numbers;
      const B = attrs.transB ? transposed(b!.numbers, 0, n, k, allocData(b!.dtype, k * n) as NumericData) : b!.numbers;
      const data = allocData(a!.dtype, m * n) as NumericData;
      const [rowStride, colStride] = c ? broadcastStrides(c.shape, [m, n]) : [0, 0];
      const addend = c && attrs.beta !== 0 ? { data: c.numbers, off: 0, rowStride, colStride, scale: attrs.beta } : undefined;
      gemm(m, n, k, { data: A, off: 0, ld: k }, { data: B, off: 0, ld: n }, { data, off: 0, ld: n }, attrs.alpha, addend);
      return [outputTensor(a!.dtype, [m, n], data)];
    },
    compute: gemmCompute,
    schedule: ({ inputs, outputs: [out], target }) => {
      // K is B's dim that is not N (either, when B is square)
      const b = inputs[1]!.info.shape as number[];
      return matmulSchedule({ batch: 0, m: out[0], n: out[1], k: b[0] === out[1] ? b[1] : b[0] }, target);
    },
    channelWeights: ({ attrs }) => ({
      outputAxis: -1, weight: 1, weightAxis: attrs.transB ? 0 : 1, bias: { input: 2, scale: attrs.beta, unitScale: { beta: 1 } },
    }),
    macs: ({ outputs, inputs, attrs }) => {
      const a = inputs[0]!.shape;
      return numel(outputs[0].shape as number[]) * (a[attrs.transA ? 0 : 1] as number);
    },
  }),

  Einsum: defineOp({
    attrs: { equation: attr.required('string') },
    inputs: [1, Infinity],
    fusion: 'out-fusable',
    infer: ({ attrs, inputs }) => {
      const dtype = inputs[0]!.dtype;
      inputs.forEach((t, i) => {
        if (t!.dtype !== dtype) throw new ShapeError(`Einsum: input ${i} is ${t!.dtype} but input 0 is ${dtype}`);
      });
      if (dtype === 'bool' || dtype === 'string') throw new UnsupportedError(`Einsum: ${dtype} operands are not supported`);
      const plan = planEinsum(attrs.equation, inputs.map((t) => t!.shape));
      return [{ dtype, shape: plan.output.map((l) => plan.sizes.get(l)!) }];
    },
    run: ({ attrs, inputs }) => [runEinsum(attrs.equation, inputs as Tensor[], inputs[0]!.dtype)],
    compute: einsumCompute,
    schedule: ({ attrs, inputs, target }) => {
      const p = einsumAsMatmul(planEinsum(attrs.equation, inputs.map((i) => i!.info.shape)));
      return p ? matmulSchedule(p, target) : [];
    },
  }),
} satisfies OpTable;
