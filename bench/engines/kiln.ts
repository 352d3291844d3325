// Kiln's engines: the reference executor (the plain-TS oracle, timed so compiled speedups have
// a baseline) and the compiled artifact run by src/runtime, a stub until the compiler lands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedError } from '../../src/errors.js';
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { NumericData } from '../../src/ir/dtype.js';
import { execute } from '../../src/reference/execute.js';
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
 * The compiled engine. To wire it: prepare() = loadSpecialised, then `compile(graph)` -> artifact
 * bytes (time it: compileMs; artifactBytes = bytes.length), then `load(bytes)` from src/runtime;
 * run() = `session.run(feeds)` with the outputs copied into JS typed arrays.
 */
export function kilnCompiledEngine(): Engine {
  return {
    name: 'kiln',
    async prepare(): Promise<PrepareInfo> {
      throw new UnsupportedError('not available yet (the compiler has not landed)');
    },
    async run(): Promise<HostOutputs> {
      throw new UnsupportedError('not available yet');
    },
    async dispose() {},
  };
}
