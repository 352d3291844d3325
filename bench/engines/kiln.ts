// Kiln's engines: the reference executor (the plain-TS oracle, timed so compiled speedups have
// a baseline) and the compiled artifact run by src/runtime, as an application would run it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compile } from '../../src/compile/compile.js';
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { NumericData } from '../../src/ir/dtype.js';
import { execute } from '../../src/reference/execute.js';
import { load, type Feed, type Session, type TypedArray } from '../../src/runtime/index.js';
import { loadNative } from '../../src/runtime/native/index.js';
import { REPO_ROOT } from '../../test/fixtures/fixtures.js';
import type { Engine, HostFeeds, HostOutputs, PrepareInfo } from '../engine.js';

const KILN_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The canonical graph of the model with its symbolic input dims fixed to the benchmark's sizes. */
export async function loadSpecialised(modelPath: string, inputShapes: Readonly<Record<string, readonly number[]>>): Promise<Graph> {
  return withInputShapes(await loadModel(modelPath), inputShapes);
}

export function kilnReferenceEngine(): Engine {
  let graph: Graph | undefined;
  return {
    name: 'kiln-reference',
    async prepare(modelPath, inputShapes): Promise<PrepareInfo> {
      graph = await loadSpecialised(modelPath, inputShapes);
      return { threads: 1, version: KILN_VERSION };
    },
    async run(feeds: HostFeeds): Promise<HostOutputs> {
      const inputs = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, new Tensor(t.dtype, t.shape, t.data as NumericData)]));
      const outs = execute(graph!, inputs);
      return new Map([...outs].map(([n, t]) => [n, { dtype: t.dtype, shape: t.shape, data: t.numbers }]));
    },
    async dispose() {},
  };
}

/**
 * The compiled engine: compile (timed) to a .kiln in memory, load it with the runtime on `threads`
 * threads (native code with kiln/runtime/native, one thread), run the session.
 */
export function kilnCompiledEngine(threads: number, target: 'wasm-simd' | 'native' = 'wasm-simd'): Engine {
  let session: Session | undefined;
  return {
    name: target === 'native' ? 'kiln-native' : threads === 1 ? 'kiln' : `kiln-${threads}t`,
    async prepare(modelPath, inputShapes): Promise<PrepareInfo> {
      const graph = await loadSpecialised(modelPath, inputShapes);
      const t0 = performance.now();
      const { bytes, report } = await compile(graph, { target });
      const compileMs = performance.now() - t0;
      const t1 = performance.now();
      session = target === 'native' ? await loadNative(bytes) : await load(bytes, { threads });
      const loadMs = performance.now() - t1;
      // compiled again unfused only to count what fusion saved
      const unfused = (await compile(graph, { fuse: false })).report.kernels;
      return {
        threads: session.threads, version: KILN_VERSION, compileMs, artifactBytes: bytes.length, kernels: { unfused, fused: report.kernels },
        note: `load ${loadMs.toFixed(1)} ms`,
      };
    },
    async run(feeds: HostFeeds): Promise<HostOutputs> {
      const given: Record<string, Feed> = {};
      for (const [name, t] of Object.entries(feeds)) {
        given[name] = t.dtype === 'int64' && !(t.data instanceof BigInt64Array) ? BigInt64Array.from(t.data as ArrayLike<number>, (x) => BigInt(x)) : t.data;
      }
      const outs = await session!.run(given);
      return new Map(Object.entries(outs).map(([n, t]) => {
        if (t.dtype === 'string') throw new Error(`output '${n}' holds strings, which the bench does not compare`);
        return [n, { dtype: t.dtype, shape: t.shape, data: t.data as TypedArray }];
      }));
    },
    async dispose() { await session?.dispose(); session = undefined; },
  };
}
