// onnxruntime as a peer engine: onnxruntime-web (its wasm build, loaded from the package's dist
// folder) and onnxruntime-node (native), each with a fixed intra-op thread count.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as OrtCommon from 'onnxruntime-common';
import type { DType } from '../../src/ir/dtype.js';
import type { Engine, HostFeeds, HostOutputs, HostTensor, PrepareInfo } from '../engine.js';

const require = createRequire(import.meta.url);

type Ort = typeof OrtCommon & { env: { versions: Readonly<Record<string, string>> } };

function toOrt(ort: Ort, t: HostTensor): OrtCommon.Tensor {
  const dims = [...t.shape];
  if (t.dtype === 'int64' && !(t.data instanceof BigInt64Array)) {
    return new ort.Tensor('int64', BigInt64Array.from(t.data as ArrayLike<number>, (v) => BigInt(v)), dims);
  }
  return new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, dims);
}

async function loadRuntime(kind: 'web' | 'node', threads: number): Promise<Ort> {
  if (kind === 'node') return (await import('onnxruntime-node')) as unknown as Ort;
  const ort = (await import('onnxruntime-web')) as unknown as Ort;
  // numThreads > 1 picks the threaded wasm with a worker_threads pool (Node 20 supports it);
  // the harness checks the CPU time / wall time ratio to see the second thread really works
  ort.env.wasm.wasmPaths = dirname(require.resolve('onnxruntime-web')) + '/';
  ort.env.wasm.numThreads = threads;
  return ort;
}

export function ortEngine(kind: 'web' | 'node', threads: number): Engine {
  let ort: Ort | undefined;
  let session: OrtCommon.InferenceSession | undefined;
  return {
    name: `ort-${kind}-${threads}t`,
    async prepare(modelPath): Promise<PrepareInfo> {
      ort = await loadRuntime(kind, threads);
      const options: OrtCommon.InferenceSession.SessionOptions = kind === 'web'
        ? { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }
        : { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
      session = await ort.InferenceSession.create(readFileSync(modelPath), options);
      // onnxruntime-web drops numThreads back to 1 when it cannot start its worker pool
      return { version: ort.env.versions[kind], threads: kind === 'web' ? ort.env.wasm.numThreads : threads };
    },
    async run(feeds: HostFeeds): Promise<HostOutputs> {
      const inputs = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toOrt(ort!, t)]));
      const out = await session!.run(inputs);
      const result = new Map<string, HostTensor>();
      for (const name of session!.outputNames) {
        const t = out[name];
        // outputs live on the 'cpu' location: run() already copied them out of the engine's memory
        result.set(name, { dtype: t.type as DType, shape: [...t.dims], data: (await t.getData()) as HostTensor['data'] });
      }
      return result;
    },
    async dispose() {
      await session?.release();
    },
  };
}
