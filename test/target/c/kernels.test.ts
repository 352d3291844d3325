// The C target against the loop-IR interpreter: random scalar kernels (index arithmetic, floor
// division, min/max, selects, read-modify-write) bit-exact, and every op family's default schedule
// legalized for 16, 8 and 4 f32 lanes within rounding of the intrinsics.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Attrs } from '../../../src/ir/graph.js';
import { rng } from '../../../src/io/random.js';
import type { TypedArray } from '../../../src/loop/interpret.js';
import type { Kernel } from '../../../src/loop/ir.js';
import { legalizeLoops } from '../../../src/loop/legalize.js';
import { cFacts, cpuProfile } from '../../../src/target/c/facts.js';
import { emitModel } from '../../../src/target/c/emit-model.js';
import type { KernelCall } from '../../../src/target/target.js';
import { kernelScratch, scratchBytes } from '../../../src/target/wasm/codegen.js';
import { checkOp, type InputSpec } from '../../lower/check.js';
import { randomBuffers, randomKernel, runOn } from '../../loop/random-kernels.js';
import { runImage, testCompiler } from './harness.js';

const cc = testCompiler();
const skip = cc ? false : 'no C compiler (install gcc or clang, or set $CC)';
if (skip) console.log(`# skipped: ${skip}`);

/** Lays out each kernel's buffers one after another (64-byte aligned); returns the calls and the image. */
function layout(runs: readonly { kernel: Kernel; buffers: readonly TypedArray[] }[]) {
  let end = 0;
  const placed = runs.map(({ kernel, buffers: params }) => {
    // scratch allocs follow the params, as the memory plan places them
    const buffers = [...params, ...kernelScratch(kernel).map((b) => new Uint8Array(scratchBytes(b)))];
    const addresses = buffers.map((b) => { const at = end; end = Math.ceil((end + b.byteLength) / 64) * 64; return at; });
    return { kernel, addresses, buffers };
  });
  const image = new Uint8Array(end);
  for (const p of placed) p.buffers.forEach((b, i) => image.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), p.addresses[i]));
  const calls: KernelCall[] = placed.map(({ kernel, addresses }) => ({ kernel, addresses }));
  const read = (out: Uint8Array, run: number, buf: number): TypedArray => {
    const b = placed[run].buffers[buf];
    const bytes = out.slice(placed[run].addresses[buf], placed[run].addresses[buf] + b.byteLength);
    return new (b.constructor as new (x: ArrayBuffer) => TypedArray)(bytes.buffer);
  };
  return { calls, image, read };
}

describe('C target kernels', { skip }, () => {
  it('random scalar kernels compute what the interpreter does, bit for bit', () => {
    const next = rng(10);
    const runs: { kernel: Kernel; buffers: TypedArray[]; want: TypedArray[] }[] = [];
    while (runs.length < 150) {
      const kernel = { ...randomKernel(next), name: `random${runs.length}` };
      const buffers = randomBuffers(next);
      const want = runOn(kernel, buffers);
      if (typeof want !== 'string') runs.push({ kernel, buffers, want });
    }
    const { calls, image, read } = layout(runs);
    const out = runImage(cc!, emitModel(calls, 'kiln_run', 'random kernels').source, image, ['-O1']);
    runs.forEach((r, i) => r.want.forEach((w, b) => assert.deepEqual(read(out, i, b), w, `kernel ${i} buffer ${b}`)));
  });

  const CASES: readonly { op: string; attrs?: Attrs; specs: InputSpec[] }[] = [
    { op: 'MatMul', specs: [{ shape: [8, 12] }, { shape: [12, 64] }] },
    { op: 'Conv', attrs: { pads: [1, 1, 1, 1] }, specs: [{ shape: [1, 3, 9, 40] }, { shape: [8, 3, 3, 3], constant: true }, { shape: [8], constant: true }] },
    { op: 'Conv', attrs: { group: 4, pads: [1, 1, 1, 1], strides: [2, 2] }, specs: [{ shape: [1, 4, 6, 37] }, { shape: [4, 1, 3, 3], constant: true }] },
    { op: 'MaxPool', attrs: { kernel_shape: [3, 3], strides: [2, 2] }, specs: [{ shape: [1, 2, 8, 35] }] },
    { op: 'ReduceMax', attrs: { keepdims: 1 }, specs: [{ shape: [3, 5, 67] }, { shape: [1], dtype: 'int64', values: [1], constant: true }] },
    { op: 'Softmax', attrs: { axis: -1 }, specs: [{ shape: [4, 70] }] },
    { op: 'Sigmoid', specs: [{ shape: [2, 3, 77] }] },
    { op: 'Cast', attrs: { to: 'int32' }, specs: [{ shape: [5, 33], range: [-1e5, 1e5] }] },
    { op: 'Clip', specs: [{ shape: [3, 41] }, { shape: [], values: [-0.5], constant: true }, { shape: [], values: [0.5], constant: true }] },
  ];
  for (const cpu of ['x86-64-v4', 'x86-64-v3', 'x86-64']) {
    const target = cFacts('c', cpuProfile(cpu)!);
    it(`each op family's default schedule at ${target.lanes('f32')} lanes (${cpu}) matches the interpreter`, () => {
      const runs = CASES.map((c) => {
        let legal: Kernel | undefined;
        const { got, buffers } = checkOp(c.op, c.attrs ?? {}, c.specs, undefined, { tol: 1e-4, target, transform: (k) => (legal ??= legalizeLoops(k, target)) });
        return { kernel: legal!, buffers: buffers(legal!), want: got[0] };
      });
      const { calls, image, read } = layout(runs);
      const out = runImage(cc!, emitModel(calls, 'kiln_run', `ops at ${cpu}`).source, image, ['-O2', `-march=${cpu}`]);
      runs.forEach((r, i) => {
        const got = Array.from(read(out, i, r.kernel.params.length - 1) as ArrayLike<number>);
        r.want.forEach((w, j) => assert.ok(Math.abs(got[j] - w) <= 1e-6 * (1 + Math.abs(w)), `${CASES[i].op} [${j}]: C ${got[j]}, interpreter ${w}`));
      });
    });
  }
});
