// One-node graphs compiled to an artifact and run by the runtime, against the reference executor
// on the same inputs: the dtype and value semantics of compiled kernels, checked end to end.
import assert from 'node:assert/strict';
import { toFeed } from '../../src/artifact/feeds.js';
import { compile, type CompileTarget } from '../../src/compile/compile.js';
import { float16BitsToNumber } from '../../src/ir/dtype.js';
import { GraphBuilder, type Attrs, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load, type Session } from '../../src/runtime/index.js';

/** Output 0 of `op` on `inputs` (fed as graph inputs), compiled for each target and by the reference, compared exactly (or within `tol`). */
export async function checkCompiledNode(op: string, attrs: Attrs, inputs: readonly Tensor[], tol = 0): Promise<void> {
  const g = nodeGraph(op, attrs, inputs);
  for (const target of ['wasm-simd', 'wasm'] as CompileTarget[]) await checkSession(g, await load((await compile(g, { target })).bytes), inputs, tol);
}

/** A graph of one `op` node on inputs x0, x1, ... shaped like `inputs` (constants where `constants` has the slot), giving 'y'. */
export function nodeGraph(op: string, attrs: Attrs, inputs: readonly Tensor[], constants: ReadonlyMap<number, Tensor> = new Map()): Graph {
  const b = new GraphBuilder(op, { format: 'test' });
  const names = inputs.map((t, i) => (constants.has(i) ? b.addConstant(`c${i}`, constants.get(i)!) : b.addInput(`x${i}`, { dtype: t.dtype, shape: t.shape })));
  b.setOutputs([b.add1(op, names, attrs, 'y')]);
  return inferShapes(b.build());
}

/** Runs `session` (compiled from the one-node graph `g`) on `inputs` (one per graph input) and compares 'y' with the reference. */
export async function checkSession(g: Graph, session: Session, inputs: readonly Tensor[], tol = 0): Promise<void> {
  const op = g.nodes[0].op, names = g.inputs, target = session.manifest.features.includes('simd') ? 'wasm-simd' : 'wasm';
  const want = execute(g, Object.fromEntries(names.map((n, i) => [n, inputs[i]]))).get('y')!;
  {
    const feeds = Object.fromEntries(names.map((n, i) => [n, toFeed(inputs[i])]));
    const y = (await session.run(feeds)).y;
    assert.equal(y.dtype, want.dtype);
    const got = y.dtype === 'float16' ? Array.from(y.data as Uint16Array, float16BitsToNumber) : Array.from(y.data as ArrayLike<number | bigint>, Number);
    const expected = want.numbers;
    for (let i = 0; i < expected.length; i++) {
      const ok = Object.is(got[i], expected[i]) || (Number.isNaN(got[i]) && Number.isNaN(expected[i])) || Math.abs(got[i] - expected[i]) <= tol;
      assert.ok(ok, `${op} (${target}) element ${i} of ${inputs.map((t) => t.numbers[i % t.size]).join(', ')}: got ${got[i]}, reference ${expected[i]}`);
    }
  }
}
