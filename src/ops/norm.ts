// Normalizations: BatchNormalization (inference and training form), Instance/Layer/Group normalization,
// LpNormalization, LRN and MeanVarianceNormalization. Statistics are computed in doubles.
import { ShapeError, UnsupportedError } from '../errors.js';
import { allocData, isFloat, type NumericData } from '../ir/dtype.js';
import type { ValueInfo } from '../ir/graph.js';
import { broadcastStrides, fmtShape, normAxis, numel, stridesOf, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { attr, defineOp, type OpTable } from './op.js';
import { outputTensor, remapIndices } from './nn-gemm.js';
import { batchNormCompute, groupNormCompute, instanceNormCompute, layerNormCompute, lrnCompute, meanVarianceNormCompute } from './norm-compute.js';
import { lpNormCompute } from './axis-compute.js';

function floatInput(op: string, x: ValueInfo | undefined, minRank: number): ValueInfo {
  if (!x) throw new ShapeError(`${op}: missing input X`);
  if (!isFloat(x.dtype)) throw new UnsupportedError(`${op}: X must be a float tensor, got ${x.dtype}`);
  if (x.shape.length < minRank) throw new ShapeError(`${op}: X ${fmtShape(x.shape)} must have rank >= ${minRank}`);
  return x;
}

/** Checks that each of `params` is a vector of length `len` (one value per channel or group). */
function checkVectors(op: string, params: readonly (ValueInfo | undefined)[], names: readonly string[], len: Dim): void {
  params.forEach((p, i) => {
    if (!p) return;
    const d = p.shape[0];
    if (p.shape.length !== 1 || (typeof d === 'number' && typeof len === 'number' && d !== len)) {
      throw new ShapeError(`${op}: ${names[i]} ${fmtShape(p.shape)} must be [${len}]`);
    }
  });
}

/** Mean and population variance of data[off, off+len), two-pass in doubles. */
function blockStats(data: NumericData, off: number, len: number): [mean: number, variance: number] {
  let sum = 0;
  for (let i = off; i < off + len; i++) sum += data[i];
  const mean = sum / len;
  let sq = 0;
  for (let i = off; i < off + len; i++) { const d = data[i] - mean; sq += d * d; }
  return [mean, sq / len];
}

/** Per-channel mean and population variance over the batch and spatial dims of NC... data. */
function channelStats(data: NumericData, c: number, plane: number): [Float64Array, Float64Array] {
  const n = data.length / Math.max(1, c * plane), mean = new Float64Array(c), variance = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sum = 0, sq = 0;
    for (let b = 0; b < n; b++) for (let i = (b * c + ch) * plane, e = i + plane; i < e; i++) sum += data[i];
    mean[ch] = sum / (n * plane);
    for (let b = 0; b < n; b++) {
      for (let i = (b * c + ch) * plane, e = i + plane; i < e; i++) { const d = data[i] - mean[ch]; sq += d * d; }
    }
    variance[ch] = sq / (n * plane);
  }
  return [mean, variance];
}

/**
 * Normalizes consecutive blocks of `blockLen` elements: y = (x - mean) * invStd * S[p] + B[p],
 * where p = paramIndex(block, offset in block) picks the scale and bias entries.
 */
function normalizeBlocks(x: Tensor, blockLen: number, epsilon: number,
  paramIndex: (block: number, at: number) => number, S?: ArrayLike<number>, B?: ArrayLike<number>) {
  const X = x.numbers;
  const blocks = blockLen ? x.size / blockLen : 0;
  const out = allocData(x.dtype, x.size) as NumericData;
  const means = new Float64Array(blocks), invStds = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const off = b * blockLen;
    const [mean, variance] = blockStats(X, off, blockLen);
    const inv = 1 / Math.sqrt(variance + epsilon);
    means[b] = mean; invStds[b] = inv;
    for (let i = 0; i < blockLen; i++) {
      const p = paramIndex(b, i);
      out[off + i] = (X[off + i] - mean) * inv * (S ? S[p] : 1) + (B ? B[p] : 0);
    }
  }
  return { y: outputTensor(x.dtype, x.shape, out), means, invStds };
}

/** A parameter that broadcasts onto `shape`, expanded to one value per element of that shape. */
function expandTo(p: Tensor, shape: readonly number[]): Float64Array {
  const trimmed = p.shape.slice(Math.max(0, p.shape.length - shape.length));
  const P = p.numbers;
  return Float64Array.from(remapIndices(shape, broadcastStrides(trimmed, shape)), (i) => P[i]);
}

/** For each element of `shape`, the flat index of its group when `axes` are reduced away. */
function groupIndex(shape: readonly number[], axes: ReadonlySet<number>): { group: Int32Array; groups: number } {
  const kept = shape.map((d, i) => (axes.has(i) ? 1 : d));
  const keptStrides = stridesOf(kept).map((st, i) => (axes.has(i) ? 0 : st));
  return { group: remapIndices(shape, keptStrides), groups: numel(kept) };
}

export const normOps = {
  BatchNormalization: defineOp({
    attrs: { epsilon: attr.float(1e-5), momentum: attr.float(0.9), training_mode: attr.int(0) },
    inputs: [5, 5],
    // training mode also gives the updated running mean and variance
    outputs: [1, 3],
    fusion: 'opaque',
    infer: ({ inputs, attrs }) => {
      const x = floatInput('BatchNormalization', inputs[0], 2);
      checkVectors('BatchNormalization', inputs.slice(1), ['scale', 'B', 'input_mean', 'input_var'], x.shape[1]);
      return attrs.training_mode ? [x, inputs[3]!, inputs[4]!] : [x];
    },
    compute: batchNormCompute,
    run: ({ attrs, inputs: [x, scale, bias, mean, variance] }) => {
      const c = x!.shape[1], plane = numel(x!.shape.slice(2)), X = x!.numbers;
      const S = scale!.numbers, B = bias!.numbers;
      // training mode normalises with this batch's statistics instead of the running ones
      const [M, V] = attrs.training_mode ? channelStats(X, c, plane) : [mean!.numbers, variance!.numbers];
      const out = allocData(x!.dtype, x!.size) as NumericData;
      for (let nc = 0; nc < x!.size / Math.max(1, plane); nc++) {
        const ch = nc % c, mul = S[ch] / Math.sqrt(V[ch] + attrs.epsilon), add = B[ch] - M[ch] * mul;
        for (let i = nc * plane; i < (nc + 1) * plane; i++) out[i] = X[i] * mul + add;
      }
      const y = outputTensor(x!.dtype, x!.shape, out);
      if (!attrs.training_mode) return [y];
      const m = attrs.momentum;
      const running = (old: Tensor, cur: ArrayLike<number>) => Tensor.from(old.dtype, old.shape,
        Array.from(old.numbers, (v, ch) => v * m + cur[ch] * (1 - m)));
      return [y, running(mean!, M), running(variance!, V)];
    },
  }),

  InstanceNormalization: defineOp({
    attrs: { epsilon: attr.float(1e-5) },
    inputs: [3, 3],
    fusion: 'opaque',
    infer: ({ inputs }) => {
      const x = floatInput('InstanceNormalization', inputs[0], 3);
      checkVectors('InstanceNormalization', inputs.slice(1), ['scale', 'B'], x.shape[1]);
      return [x];
    },
    compute: instanceNormCompute,
    run: ({ attrs, inputs: [x, scale, bias] }) => {
      const c = x!.shape[1];
      return [normalizeBlocks(x!, numel(x!.shape.slice(2)), attrs.epsilon, (block) => block % c, scale!.numbers, bias!.numbers).y];
    },
  }),

  GroupNormalization: defineOp({
    attrs: { epsilon: attr.float(1e-5), num_groups: attr.required('int'), stash_type: attr.int(1) },
    inputs: [3, 3],
    fusion: 'opaque',
    compute: groupNormCompute,
    infer: ({ attrs, inputs }) => {
      const x = floatInput('GroupNormalization', inputs[0], 3), c = x.shape[1];
      if (!(attrs.num_groups >= 1) || (typeof c === 'number' && c % attrs.num_groups !== 0)) {
        throw new ShapeError(`GroupNormalization: num_groups ${attrs.num_groups} does not divide the ${c} channels of X ${fmtShape(x.shape)}`);
      }
      checkVectors('GroupNormalization', inputs.slice(1), ['scale', 'bias'], c);
      return [x];
    },
    run: ({ attrs, inputs: [x, scale, bias] }) => {
      const c = x!.shape[1], plane = numel(x!.shape.slice(2)), perGroup = c / attrs.num_groups;
      const channel = (block: number, at: number) => (block % attrs.num_groups) * perGroup + Math.floor(at / plane);
      return [normalizeBlocks(x!, perGroup * plane, attrs.epsilon, channel, scale!.numbers, bias!.numbers).y];
    },
  }),

  LayerNormalization: defineOp({
    attrs: { axis: attr.int(-1), epsilon: attr.float(1e-5), stash_type: attr.int(1) },
    inputs: [2, 3],
    outputs: [1, 3],
    fusion: 'opaque',
    infer: ({ attrs, inputs }) => {
      const x = floatInput('LayerNormalization', inputs[0], 1), rank = x.shape.length;
      const axis = normAxis(attrs.axis, rank, 'LayerNormalization axis');
      const normShape = x.shape.slice(axis);
      for (const [name, p] of [['Scale', inputs[1]], ['B', inputs[2]]] as const) {
        if (!p) continue;
        const off = normShape.length - p.shape.length;
        if (off < 0 || p.shape.some((d, i) => d !== 1 && typeof d === 'number' && typeof normShape[off + i] === 'number' && d !== normShape[off + i])) {
          throw new ShapeError(`LayerNormalization: ${name} ${fmtShape(p.shape)} does not broadcast to the normalized dims ${fmtShape(normShape)}`);
        }
      }
      const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
      const statType = attrs.stash_type === 1 ? 'float32' : x.dtype;
      return [x, { dtype: statType, shape: statShape }, { dtype: statType, shape: statShape }];
    },
    compute: layerNormCompute,
    run: ({ attrs, inputs: [x, scale, bias] }) => {
      const axis = normAxis(attrs.axis, x!.rank, 'LayerNormalization axis');
      const normShape = x!.shape.slice(axis), inner = numel(normShape);
      const { y, means, invStds } = normalizeBlocks(x!, inner, attrs.epsilon, (_, at) => at,
        expandTo(scale!, normShape), bias && expandTo(bias, normShape));
      const statShape = x!.shape.map((d, i) => (i < axis ? d : 1));
      const statType = attrs.stash_type === 1 ? 'float32' : x!.dtype;
      const stat = (v: Float64Array) => {
        const data = allocData(statType, v.length) as NumericData;
        data.set(v);
        return outputTensor(statType, statShape, data);
      };
      return [y, stat(means), stat(invStds)];
    },
  }),

  LpNormalization: defineOp({
    attrs: { axis: attr.int(-1), p: attr.int(2) },
    inputs: [1, 1],
    fusion: 'opaque',
    infer: ({ attrs, inputs }) => {
      const x = floatInput('LpNormalization', inputs[0], 1);
      normAxis(attrs.axis, x.shape.length, 'LpNormalization axis');
      if (attrs.p !== 1 && attrs.p !== 2) throw new UnsupportedError(`LpNormalization: p must be 1 or 2, got ${attrs.p}`);
      return [x];
    },
    compute: lpNormCompute,
    run: ({ attrs, inputs: [x] }) => {
      const axis = normAxis(attrs.axis, x!.rank, 'LpNormalization axis');
      const len = x!.shape[axis], stride = numel(x!.shape.slice(axis + 1)), X = x!.numbers;
      const out = allocData(x!.dtype, x!.size) as NumericData;
      for (let outer = 0; outer < x!.size / Math.max(1, len * stride); outer++) {
        for (let inner = 0; inner < stride; inner++) {
          const base = outer * len * stride + inner;
          let norm = 0;
          for (let i = 0; i < len; i++) { const v = X[base + i * stride]; norm += attrs.p === 1 ? Math.abs(v) : v * v; }
          if (attrs.p === 2) norm = Math.sqrt(norm);
          for (let i = 0; i < len; i++) out[base + i * stride] = norm === 0 ? 0 : X[base + i * stride] / norm;
        }
      }
      return [outputTensor(x!.dtype, x!.shape, out)];
    },
  }),

  LRN: defineOp({
    attrs: { alpha: attr.float(1e-4), beta: attr.float(0.75), bias: attr.float(1), size: attr.required('int') },
    inputs: [1, 1],
    fusion: 'opaque',
    compute: lrnCompute,
    infer: ({ attrs, inputs }) => {
      if (!(attrs.size >= 1)) throw new ShapeError(`LRN: size ${attrs.size} must be >= 1`);
      return [floatInput('LRN', inputs[0], 3)];
    },
    run: ({ attrs, inputs: [x] }) => {
      const [n, c] = x!.shape, plane = numel(x!.shape.slice(2)), X = x!.numbers;
      const before = Math.floor((attrs.size - 1) / 2), after = Math.ceil((attrs.size - 1) / 2);
      const out = allocData(x!.dtype, x!.size) as NumericData;
      for (let b = 0; b < n; b++) {
        for (let ch = 0; ch < c; ch++) {
          const lo = Math.max(0, ch - before), hi = Math.min(c - 1, ch + after);
          for (let i = 0; i < plane; i++) {
            let sq = 0;
            for (let k = lo; k <= hi; k++) { const v = X[(b * c + k) * plane + i]; sq += v * v; }
            const at = (b * c + ch) * plane + i;
            out[at] = X[at] / (attrs.bias + (attrs.alpha / attrs.size) * sq) ** attrs.beta;
          }
        }
      }
      return [outputTensor(x!.dtype, x!.shape, out)];
    },
  }),

  MeanVarianceNormalization: defineOp({
    attrs: { axes: attr.ints([0, 2, 3]) },
    inputs: [1, 1],
    fusion: 'opaque',
    compute: meanVarianceNormCompute,
    infer: ({ attrs, inputs }) => {
      const x = floatInput('MeanVarianceNormalization', inputs[0], 1);
      attrs.axes.forEach((a) => normAxis(a, x.shape.length, 'MeanVarianceNormalization axis'));
      return [x];
    },
    run: ({ attrs, inputs: [x] }) => {
      const axes = new Set(attrs.axes.map((a) => normAxis(a, x!.rank, 'MeanVarianceNormalization axis')));
      const { group, groups } = groupIndex(x!.shape, axes);
      const X = x!.numbers, sum = new Float64Array(groups), sq = new Float64Array(groups), count = new Float64Array(groups);
      for (let i = 0; i < X.length; i++) { const g = group[i]; sum[g] += X[i]; sq[g] += X[i] * X[i]; count[g]++; }
      const out = allocData(x!.dtype, x!.size) as NumericData;
      for (let i = 0; i < X.length; i++) {
        const g = group[i], mean = sum[g] / count[g];
        // the ONNX definition: epsilon 1e-9 added to the standard deviation, outside the root
        out[i] = (X[i] - mean) / (Math.sqrt(Math.max(0, sq[g] / count[g] - mean * mean)) + 1e-9);
      }
      return [outputTensor(x!.dtype, x!.shape, out)];
    },
  }),
} satisfies OpTable;
