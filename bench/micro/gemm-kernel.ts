// Micro benchmark (not a test): a register-tiled f32x4 matmul kernel built through the loop IR
// and the wasm code generator, on one core, with and without relaxed-SIMD FMA.
// Usage: node dist/bench/micro/gemm-kernel.js [M N K]   (spawns itself with the relaxed-SIMD flag)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  add, broadcast, call, cnst, load, loop, mul, ramp, seq, store, v, vec, type Buffer, type Kernel, type Stmt,
} from '../../src/loop/ir.js';
import { probeFeatures } from '../../src/target/wasm/features.js';
import { gflopsOf, instantiateKernel } from './kernel-timer.js';

const F4 = vec('f32', 4);

/** C[M,N] = A[M,K] · B, B packed in panels [N/NR][K][NR]; MR x NR accumulators stay in registers. */
function gemmKernel(M: number, N: number, K: number, MR: number, NR: number): Kernel {
  const A: Buffer = { name: 'A', elem: 'f32', size: M * K }, B: Buffer = { name: 'B', elem: 'f32', size: K * N };
  const C: Buffer = { name: 'C', elem: 'f32', size: M * N };
  const acc = (r: number, c: number) => `acc_${r}_${c}`;
  // loop-invariant bases in lets; per-row and per-vector offsets stay constants (memarg offsets)
  // each B vector and each broadcast A element is loaded once per k and reused from a register
  const updates: Stmt[] = [];
  for (let c = 0; c < NR / 4; c++) {
    for (let r = 0; r < MR; r++) {
      updates.push({ k: 'set', v: acc(r, c), value: call('fma', v(`a${r}`, F4), v(`b${c}`, F4), v(acc(r, c), F4)) });
    }
  }
  let kUpdate: Stmt = seq(...updates);
  for (let c = NR / 4 - 1; c >= 0; c--) kUpdate = { k: 'let', v: `b${c}`, value: load(B, ramp(add(v('bk'), cnst(4 * c)), 1, 4)), body: kUpdate };
  for (let r = MR - 1; r >= 0; r--) kUpdate = { k: 'let', v: `a${r}`, value: load(A, broadcast(add(v('ak'), cnst(r * K)), 4)), body: kUpdate };
  const stores: Stmt[] = [];
  for (let r = 0; r < MR; r++) for (let c = 0; c < NR / 4; c++) {
    stores.push(store(C, ramp(add(v('crow'), cnst(r * N + 4 * c)), 1, 4), v(acc(r, c), F4)));
  }
  const kBody: Stmt = { k: 'let', v: 'bk', value: add(v('bcol'), mul(v('k'), cnst(NR))),
    body: { k: 'let', v: 'ak', value: add(v('arow'), v('k')), body: kUpdate } };
  const crow = add(mul(v('ib'), cnst(MR * N)), mul(v('jb'), cnst(NR)));
  let tile: Stmt = seq(loop('k', K, kBody), { k: 'let', v: 'crow', value: crow, body: seq(...stores) });
  for (let r = MR - 1; r >= 0; r--) for (let c = NR / 4 - 1; c >= 0; c--) {
    tile = { k: 'local', v: acc(r, c), type: F4, init: broadcast({ k: 'const', type: { scalar: 'f32', lanes: 1 }, value: 0 }, 4), body: tile };
  }
  tile = { k: 'let', v: 'arow', value: mul(v('ib'), cnst(MR * K)), body: tile };
  const body = loop('jb', N / NR, { k: 'let', v: 'bcol', value: mul(v('jb'), cnst(K * NR)), body: loop('ib', M / MR, tile) });
  return { name: `gemm_${MR}x${NR}`, params: [A, B, C], body };
}

async function measure(M: number, N: number, K: number, MR: number, NR: number, relaxedSimd: boolean): Promise<number> {
  const init = (n: number) => Float32Array.from({ length: n }, (_, i) => (i % 17) / 17 - 0.5);
  const run = await instantiateKernel(gemmKernel(M, N, K, MR, NR), [init(M * K), init(K * N)], relaxedSimd);
  return gflopsOf(run, 2 * M * N * K, 0.5);
}

async function main(): Promise<void> {
  const [M, N, K] = process.argv.slice(2, 5).map(Number).filter((x) => x > 0);
  const size = { M: M ?? 192, N: N ?? 192, K: K ?? 192 };
  const relaxed = probeFeatures().relaxedSimd;
  for (const [MR, NR] of [[4, 8], [4, 16], [6, 8], [2, 8]] as const) {
    const g = await measure(size.M, size.N, size.K, MR, NR, relaxed);
    console.log(`${relaxed ? 'relaxed fma' : 'mul+add    '}  ${MR}x${NR} tile  ${size.M}x${size.N}x${size.K}: ${g.toFixed(1)} GFLOP/s`);
  }
  if (!relaxed && !process.execArgv.includes('--experimental-wasm-relaxed-simd')) {
    spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  }
}

await main();
