// Runs ONNX model bytes on onnxruntime-node and on Kiln's reference executor with the same
// feeds, converting tensors between the two, so tests can compare the two engines.
import * as ort from 'onnxruntime-node';
import { float16BitsToNumber, numberToFloat16Bits, type DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { execute } from '../../src/reference/execute.js';

export function toOrt(t: Tensor): ort.Tensor {
  const dims = [...t.shape];
  switch (t.dtype) {
    case 'string': return new ort.Tensor('string', [...(t.data as string[])], dims);
    case 'int64': return new ort.Tensor('int64', BigInt64Array.from(t.numbers, (v) => BigInt(v)), dims);
    case 'uint64': return new ort.Tensor('uint64', BigUint64Array.from(t.numbers, (v) => BigInt(v)), dims);
    case 'float16': return new ort.Tensor('float16', Uint16Array.from(t.numbers, numberToFloat16Bits), dims);
    default: return new ort.Tensor(t.dtype, t.numbers.slice(), dims);
  }
}

export function fromOrt(t: ort.Tensor): Tensor {
  const dtype = t.type as DType;
  const shape = [...t.dims];
  const data = t.data;
  if (dtype === 'string') return new Tensor('string', shape, [...(data as string[])]);
  if (dtype === 'float16') return Tensor.from('float16', shape, Array.from(data as Uint16Array, float16BitsToNumber));
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Tensor.from(dtype, shape, Array.from(data, (v) => Number(v)));
  }
  return Tensor.from(dtype, shape, data as ArrayLike<number>);
}

/** Runs the model on onnxruntime-node (one thread); outputs by name in the model's order. */
/** `optimize` false runs the graph as written (a QDQ model then stays float, not fused into integer ops). */
export async function runOrt(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>, optimize = true): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: optimize ? 'all' : 'disabled',
  });
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
    return new Map(session.outputNames.map((n) => [n, fromOrt(out[n])]));
  } finally {
    await session.release();
  }
}

/** Imports the model with Kiln's ONNX frontend and runs it on the reference executor. */
export function runKiln(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>, source = 'model.onnx'): Map<string, Tensor> {
  return execute(importOnnx(model, source), feeds);
}
