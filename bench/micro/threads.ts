// Kiln against itself across thread counts (not a test): one artifact per model loaded once per
// count in this one process, timed in alternating rounds so the machine's drift hits every count
// alike; prints medians, the speed-up over the first count, cpu/wall, load time and idle CPU.
// Usage: node dist/bench/micro/threads.js [models, default ppocr-det,inception_v3] [threads, default 1,2] [rounds, default 15]
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compile } from '../../src/compile/compile.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { load, type Session } from '../../src/runtime/index.js';
import { loadSpecialised } from '../engines/kiln.js';
import { idleCpu, median } from '../measure.js';
import { MODELS } from '../models.js';

const [modelsArg = 'ppocr-det,inception_v3', threadsArg = '1,2', roundsArg = '15'] = process.argv.slice(2);
const counts = threadsArg.split(',').map(Number);
const rounds = Number(roundsArg);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; ${rounds} alternating rounds, each one run per thread count`);

for (const name of modelsArg.split(',')) {
  const model = MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`unknown model '${name}'; choose from ${MODELS.map((m) => m.name).join(', ')}`);
  const g = await loadSpecialised(model.path(), model.inputShapes);
  const { bytes } = await compile(g);
  const next = rng(2024);
  const feeds = Object.fromEntries(g.inputs.map((n) => {
    const { dtype, shape } = g.values.get(n)!;
    return [n, randomTensor(dtype, shape as number[], next, ...model.inputRange).numbers as Float32Array];
  }));
  const sessions: { threads: number; session: Session; loadMs: number; times: number[]; cpu: number; wall: number }[] = [];
  for (const threads of counts) {
    const t0 = performance.now();
    const session = await load(bytes, { threads });
    sessions.push({ threads, session, loadMs: performance.now() - t0, times: [], cpu: 0, wall: 0 });
    for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up: tier-up and caches
  }
  for (let r = 0; r < rounds; r++) {
    for (const s of sessions) {
      const cpu0 = process.cpuUsage(), t0 = performance.now();
      await s.session.run(feeds);
      const wall = performance.now() - t0, cpu = process.cpuUsage(cpu0);
      s.times.push(wall);
      s.wall += wall;
      s.cpu += (cpu.user + cpu.system) / 1000;
    }
  }
  const idle = await idleCpu();
  const base = median(sessions[0].times);
  console.log(`\n${name}: ${Object.entries(model.inputShapes).map(([n, s]) => `${n} [${s.join(',')}]`).join(', ')}`);
  for (const s of sessions) {
    const m = median(s.times);
    console.log(`  ${String(s.threads).padStart(2)} threads: median ${m.toFixed(2)} ms, min ${Math.min(...s.times).toFixed(2)} ms, ` +
      `${(base / m).toFixed(2)}x of ${sessions[0].threads} thread${sessions[0].threads > 1 ? 's' : ''}, cpu/wall ${(s.cpu / s.wall).toFixed(2)}, load ${s.loadMs.toFixed(1)} ms`);
  }
  console.log(`  idle after the runs: ${(idle * 100).toFixed(2)}% of a core (all sessions still loaded)`);
  await Promise.all(sessions.map((s) => s.session.dispose()));
}
