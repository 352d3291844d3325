// Every output of a whole graph compiled (at the opt levels given) and run by the runtime, against
// the reference executor on the same feeds: for ops the compiler expands into others.
import assert from 'node:assert/strict';
import { fromRuntimeTensor, toFeed } from '../../src/artifact/feeds.js';
import { compile } from '../../src/compile/compile.js';
import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';

export async function assertCompiledMatches(g: Graph, feeds: Readonly<Record<string, Tensor>>, what: string,
  tol = 1e-5, optLevels: readonly number[] = [0, 3]): Promise<void> {
  const want = execute(g, feeds);
  const runtimeFeeds = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, toFeed(t)]));
  for (const optLevel of optLevels) {
    const session = await load((await compile(g, { optLevel })).bytes);
    const got = await session.run(runtimeFeeds);
    for (const name of g.outputs) {
      const w = want.get(name)!, y = fromRuntimeTensor(got[name]);
      assert.deepEqual([...y.shape], [...w.shape], `${what} -O${optLevel} ${name}: shape`);
      const a = y.numbers, e = w.numbers;
      for (let i = 0; i < e.length; i++) {
        const ok = Object.is(a[i], e[i]) || Math.abs(a[i] - e[i]) <= tol * Math.max(1, Math.abs(e[i]));
        if (!ok) assert.fail(`${what} -O${optLevel} ${name}[${i}]: compiled ${a[i]}, reference ${e[i]}`);
      }
    }
  }
}
