// Sessions on worker threads: the thread count asked for and reported, dispose, a process that
// forgets dispose still exiting, many runs without growth, runs queued, and threads' outputs
// identical to one thread's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compile/compile.js';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { execute } from '../../src/reference/execute.js';
import { load, KilnRuntimeError } from '../../src/runtime/index.js';
import { REPO_ROOT } from '../fixtures/fixtures.js';
import { sameBits } from '../util/same-bits.js';

/** y = relu(x @ w + b): a matmul, a bias and an activation, each stage split across threads. */
function denseGraph(m: number, k: number, n: number): Graph {
  const b = new GraphBuilder('dense', { format: 'test' });
  const x = b.addInput('x', { dtype: 'float32', shape: [m, k] });
  const w = b.addConstant('w', randomTensor('float32', [k, n], rng(7), -1, 1));
  const bias = b.addConstant('b', randomTensor('float32', [n], rng(8), -1, 1));
  const mm = b.add1('MatMul', [x, w], {}, 'mm');
  const sum = b.add1('Add', [mm, bias], {}, 'sum');
  b.setOutputs([b.add1('Relu', [sum], {}, 'y')]);
  return inferShapes(b.build());
}

const G = denseGraph(67, 96, 40);
const X = randomTensor('float32', [67, 96], rng(9), -1, 1);
const artifact = compile(G, { parallelMinWork: 0 }).then((r) => r.bytes);

test('a session runs on the threads asked for, with the 1-thread outputs bit for bit', async () => {
  const bytes = await artifact;
  const want = execute(G, { x: X }).get('y')!;
  const one = await load(bytes, { threads: 1 });
  assert.equal(one.threads, 1);
  const base = (await one.run({ x: X.numbers as Float32Array })).y;
  assert.deepEqual(Array.from(base.data as Float32Array).map((v, i) => Math.abs(v - want.numbers[i]) < 1e-4), new Array(67 * 40).fill(true));
  for (const threads of [2, 3, 5]) {
    const s = await load(bytes, { threads });
    assert.equal(s.threads, threads);
    assert.equal(sameBits((await s.run({ x: X.numbers as Float32Array })).y, base), undefined, `${threads} threads`);
    await s.dispose();
  }
  await one.dispose();
});

test('load refuses a thread count that is not an integer from 1 to 64', async () => {
  const bytes = await artifact;
  for (const threads of [0, 1.5, 65, NaN]) {
    await assert.rejects(load(bytes, { threads }), { code: 'E_INPUT', message: /threads must be an integer from 1 to 64/ });
  }
});

test('a host that cannot share memory runs the same artifact on one thread, with the same outputs', async () => {
  const bytes = await artifact;
  const noSharing = { 'simd': true, 'relaxed-simd': false, 'atomics': true, 'threads': false };
  const s = await load(bytes, { threads: 4, hostFeatures: noSharing });
  assert.equal(s.threads, 1);
  const ref = await load(bytes, { threads: 1 });
  const feed = { x: X.numbers as Float32Array };
  assert.equal(sameBits((await s.run(feed)).y, (await ref.run(feed)).y), undefined);
  await Promise.all([s.dispose(), ref.dispose()]);
});

test('dispose ends the session: a second dispose is harmless, run after it is a clear error', async () => {
  const s = await load(await artifact, { threads: 2 });
  const pending = s.run({ x: X.numbers as Float32Array });
  await s.dispose();
  await s.dispose();
  assert.equal((await pending).y.shape.join(), '67,40', 'a run under way when dispose was called finishes');
  await assert.rejects(s.run({ x: X.numbers as Float32Array }), (e: unknown) =>
    e instanceof KilnRuntimeError && e.code === 'E_DISPOSED' && /disposed; load the model again/.test(e.message));
});

test('concurrent runs of one session are queued, each with its own inputs', async () => {
  const s = await load(await artifact, { threads: 2 });
  const inputs = [1, 2, 3, 4].map((seed) => randomTensor('float32', [67, 96], rng(seed), -1, 1));
  const outs = await Promise.all(inputs.map((x) => s.run({ x: x.numbers as Float32Array })));
  outs.forEach((o, i) => {
    const want = execute(G, { x: inputs[i] }).get('y')!;
    assert.ok(Array.from(o.y.data as Float32Array).every((v, j) => Math.abs(v - want.numbers[j]) < 1e-4), `run ${i}`);
  });
  await s.dispose();
});

test('several sessions work at once, each on its own threads', async () => {
  const bytes = await artifact;
  const sessions = await Promise.all([2, 3, 1].map((threads) => load(bytes, { threads })));
  const inputs = sessions.map((_, i) => randomTensor('float32', [67, 96], rng(20 + i), -1, 1));
  const outs = await Promise.all(sessions.flatMap((s, i) => [s.run({ x: inputs[i].numbers as Float32Array }), s.run({ x: inputs[i].numbers as Float32Array })]));
  for (let i = 0; i < sessions.length; i++) {
    assert.equal(sameBits(outs[2 * i].y, outs[2 * i + 1].y), undefined);
    const want = execute(G, { x: inputs[i] }).get('y')!;
    assert.ok(Array.from(outs[2 * i].y.data as Float32Array).every((v, j) => Math.abs(v - want.numbers[j]) < 1e-4), `session ${i}`);
  }
  await Promise.all(sessions.map((s) => s.dispose()));
});

/** Threads of this process (Linux: its tasks). */
const taskCount = () => readdirSync('/proc/self/task').length;

test('1,000 runs on 2 threads leave no growth in memory or threads', { skip: process.platform !== 'linux' && 'counts /proc/self/task' }, async () => {
  const s = await load(await artifact, { threads: 2 });
  const feed = { x: X.numbers as Float32Array };
  for (let i = 0; i < 50; i++) await s.run(feed);
  const tasks = taskCount();
  globalThis.gc?.();
  const rss = process.memoryUsage().rss;
  for (let i = 0; i < 1000; i++) await s.run(feed);
  globalThis.gc?.();
  assert.equal(taskCount(), tasks, 'threads');
  const grown = process.memoryUsage().rss - rss;
  assert.ok(grown < 16 * 2 ** 20, `RSS grew by ${(grown / 2 ** 20).toFixed(1)} MB over 1,000 runs`);
  await s.dispose();
});

test('sessions loaded one after another reuse the workers disposed ones gave back', { skip: process.platform !== 'linux' && 'counts /proc/self/task' }, async () => {
  const bytes = await artifact;
  const warm = await load(bytes, { threads: 3 });
  await warm.dispose();
  const tasks = taskCount();
  for (let i = 0; i < 5; i++) await (await load(bytes, { threads: 3 })).dispose();
  assert.equal(taskCount(), tasks);
});

test('a Node process that runs a threaded session and never disposes it exits by itself within a second', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-threads-'));
  writeFileSync(join(dir, 'model.kiln'), await artifact);
  const script = join(dir, 'forget.mjs');
  writeFileSync(script, [
    `import { readFileSync } from 'node:fs';`,
    `import { load } from ${JSON.stringify(join(REPO_ROOT, 'dist/src/runtime/index.js'))};`,
    `const s = await load(readFileSync(${JSON.stringify(join(dir, 'model.kiln'))}), { threads: 2 });`,
    `const y = (await s.run({ x: new Float32Array(67 * 96).fill(0.5) })).y;`,
    `console.log('ran on', s.threads, 'threads', y.shape.join('x'));`,
  ].join('\n'));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '', lastLine = 0;
  child.stdout.on('data', (d: Buffer) => { out += d; lastLine = performance.now(); });
  child.stderr.on('data', (d: Buffer) => { err += d; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lingered = performance.now() - lastLine;
  clearTimeout(killer);
  assert.equal(err, '');
  assert.equal(out.trim(), 'ran on 2 threads 67x40');
  assert.equal(code, 0);
  assert.ok(lingered < 1000, `exited ${lingered.toFixed(0)} ms after its last line`);
});
