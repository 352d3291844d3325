// Where a compiled model's time goes (not a test): the model is compiled as `kiln compile` does,
// with every kernel exported, then each kernel call of `run` is timed on its own, in order.
// Usage: node dist/bench/micro/profile.js [bench model name, default mobilenet_v2] [runs, default 10] [top, default 25]
import { performance } from 'node:perf_hooks';
import { tensorBytes, weightsImage } from '../../src/artifact/layout.js';
import { countMacs } from '../../src/cli/inspect.js';
import { prepareGraph } from '../../src/compile/compile.js';
import { lowerGraph } from '../../src/compile/kernels.js';
import { planKernels } from '../../src/compile/plan.js';
import { fmtShape } from '../../src/ir/shape.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { PAGE_BYTES } from '../../src/runtime/manifest.js';
import { buildModule } from '../../src/target/wasm/codegen.js';
import { wasmSimdTarget } from '../../src/target/wasm/target.js';
import { loadSpecialised } from '../engines/kiln.js';
import { MODELS } from '../models.js';

const [modelName = 'mobilenet_v2', runsArg = '10', topArg = '25'] = process.argv.slice(2);
const model = MODELS.find((m) => m.name === modelName);
if (!model) throw new Error(`unknown model '${modelName}'; choose from ${MODELS.map((m) => m.name).join(', ')}`);
const runs = Number(runsArg), top = Number(topArg);

// the graph and kernel groups `compile` lowers, at the default opt level
const { graph: g, groups } = prepareGraph(await loadSpecialised(model.path(), model.inputShapes));
const target = wasmSimdTarget();
const lowered = lowerGraph(g, { target }, groups);
const { plan, calls } = planKernels(g, lowered, target.alignment);
const pages = Math.max(1, Math.ceil(plan.totalBytes / PAGE_BYTES));
const built = buildModule(calls, { target: { simd: true, relaxedSimd: false }, memory: { min: pages, max: pages }, exportKernels: true });
const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
const bytes = new Uint8Array(memory.buffer);
bytes.set(weightsImage(plan, new Map([...g.constants, ...lowered.packed])), plan.weights.offset);
const next = rng(1);
for (const name of g.inputs) {
  const info = g.values.get(name)!;
  bytes.set(tensorBytes(randomTensor(info.dtype, info.shape as number[], next, ...model.inputRange)), plan.placements.get(name)!.offset);
}
const { exports } = await WebAssembly.instantiate(await WebAssembly.compile(built.bytes), { env: { memory } });
const fns = calls.map(({ kernel }) => exports[kernel.name] as (...addresses: number[]) => void);
const run = exports.run as () => void;

for (let i = 0; i < 3; i++) run();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
// CPU time as well as wall time: on a machine shared with other jobs a run's wall time includes waiting for a core
const whole: number[] = [], cpu: number[] = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  run();
  const used = process.cpuUsage(c0);
  whole.push(performance.now() - t0);
  cpu.push((used.user + used.system) / 1000);
}
const perCall: number[][] = calls.map(() => []);
for (let r = 0; r < runs; r++) {
  calls.forEach(({ addresses }, i) => {
    const t0 = performance.now();
    fns[i](...addresses);
    perCall[i].push(performance.now() - t0);
  });
}
const ms = perCall.map(median);
const total = ms.reduce((a, b) => a + b, 0);
const macs = calls.map(({ group }) => countMacs({ ...g, nodes: group.nodes }) ?? 0);
const totalMacs = macs.reduce((a, b) => a + b, 0);
const pct = (x: number) => `${((100 * x) / total).toFixed(1).padStart(5)}%`;
const gflops = (m: number, t: number) => (m ? `${((2 * m) / (t * 1e6)).toFixed(1).padStart(6)} GFLOP/s` : '');

console.log(`${model.name}: ${calls.length} calls, ${new Set(built.kernelIndex.values()).size} functions; run() median ${median(whole).toFixed(2)} ms ` +
  `(CPU ${median(cpu).toFixed(2)} ms), ` +
  `sum of per-call medians ${total.toFixed(2)} ms, ${(2 * totalMacs / 1e9).toFixed(2)} GFLOP -> ${gflops(totalMacs, median(whole)).trim()}`);

const describe = (i: number) => {
  const node = calls[i].group.nodes[0];
  const { op, attrs } = node;
  const groups = op === 'Conv' && typeof attrs.group === 'number' && attrs.group > 1 ? ' depthwise' : '';
  const ks = op === 'Conv' ? g.values.get(node.inputs[1])?.shape ?? lowered.packed.get(node.inputs[1])?.shape : undefined;
  const kernel = op === 'Conv' && ks ? ` ${ks.slice(2).join('x')}` : '';
  const epilogue = calls[i].group.nodes.slice(1).map((n) => `+${n.op}`).join('');
  return `${op}${groups}${kernel}${epilogue}`;
};
const byKind = new Map<string, { n: number; ms: number; macs: number }>();
ms.forEach((t, i) => {
  const k = describe(i), e = byKind.get(k) ?? { n: 0, ms: 0, macs: 0 };
  byKind.set(k, { n: e.n + 1, ms: e.ms + t, macs: e.macs + macs[i] });
});
console.log('\nby op kind:');
for (const [k, e] of [...byKind].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  ${k.padEnd(24)} ${String(e.n).padStart(4)} calls ${e.ms.toFixed(2).padStart(8)} ms ${pct(e.ms)} ${gflops(e.macs, e.ms)}`);
}
console.log(`\ntop ${top} calls:`);
for (const i of ms.map((_, i) => i).sort((a, b) => ms[b] - ms[a]).slice(0, top)) {
  const { group } = calls[i], node = group.nodes[0];
  const shapes = [...node.inputs.slice(0, 1), ...group.outputs].map((v) => fmtShape(g.values.get(v)!.shape)).join(' -> ');
  console.log(`  ${ms[i].toFixed(3).padStart(7)} ms ${pct(ms[i])} ${describe(i).padEnd(20)} ${shapes.padEnd(36)} ${gflops(macs[i], ms[i])}  ${node.name}`);
}
