// --weights float16: constants a half holds exactly are stored as halves and widened back at load
// bit for bit; any other constant stays float32; runs of odd lengths leave the section unaligned
// and still read back; the manifest's halves are checked like every other field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { halveWeights } from '../../src/artifact/half-weights.js';
import { roundToFloat16 } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import type { MemoryPlan } from '../../src/passes/memory-plan.js';
import { validateManifest } from '../../src/runtime/manifest.js';
import { writeWeights, weightsSectionBytes } from '../../src/runtime/weights.js';

const BASE = 64;

function plan(layout: readonly [string, number, Tensor][]): { plan: MemoryPlan; image: Uint8Array; constants: Map<string, Tensor> } {
  const end = Math.max(...layout.map(([, off, t]) => off + 4 * t.size));
  const image = new Uint8Array(end - BASE);
  const placements = new Map(layout.map(([name, offset, t]) => {
    if (t.dtype === 'float32') new Uint8Array(image.buffer).set(new Uint8Array(Float32Array.from(t.numbers).buffer), offset - BASE);
    else new Uint8Array(image.buffer).set(new Uint8Array(Int32Array.from(t.numbers).buffer), offset - BASE);
    return [name, { region: 'weights', offset, bytes: 4 * t.size }];
  }));
  return { plan: { placements, weights: { offset: BASE, bytes: image.length } } as unknown as MemoryPlan, image, constants: new Map(layout.map(([n, , t]) => [n, t])) };
}

test('exact halves are halved and widen back bit for bit; inexact floats and integers stay as they were', () => {
  const halves = (n: number, seed: number) => Array.from({ length: n }, (_, i) => roundToFloat16(Math.sin(i * 12.9898 + seed) * 300));
  const a = Tensor.from('float32', [3], halves(3, 1)); // 6 bytes as halves: what follows is unaligned
  const b = Tensor.from('float32', [5], [0.1, 0.2, 0.3, 1e-9, 7]); // not halves
  const c = Tensor.from('int32', [4], [1, 2, 3, 70000]);
  const d = Tensor.from('float32', [7], [...halves(5, 2), Infinity, -0]);
  const { plan: p, image, constants } = plan([['a', 64, a], ['b', 80, b], ['c', 112, c], ['d', 128, d]]);
  const { section, halves: runs } = halveWeights(p, constants, image);
  assert.deepEqual(runs, [{ offset: 64, count: 3 }, { offset: 128, count: 7 }]);
  const manifest = { memory: { weights: { offset: BASE, bytes: image.length } }, halves: runs };
  assert.equal(section.length, weightsSectionBytes(manifest));
  assert.equal(section.length, image.length - 2 * 10);
  const memory = new ArrayBuffer(BASE + image.length + 32);
  writeWeights(memory, manifest, section);
  assert.deepEqual(new Uint8Array(memory, BASE, image.length), image);
});

test('the manifest refuses half runs that overlap, are unaligned or leave the weights', () => {
  const manifest = (halves: unknown) => ({
    kiln: '0', entry: 'run', features: [], inputs: [], outputs: [], halves,
    memory: { bytes: 256, pages: 1, weights: { offset: 64, bytes: 64 }, arena: { offset: 128, bytes: 0 } },
  });
  assert.deepEqual(validateManifest(manifest([{ offset: 64, count: 4 }, { offset: 80, count: 12 }])).halves, [{ offset: 64, count: 4 }, { offset: 80, count: 12 }]);
  for (const bad of [[{ offset: 64, count: 8 }, { offset: 80, count: 1 }], [{ offset: 66, count: 1 }], [{ offset: 120, count: 4 }], [{ offset: 32, count: 1 }]]) {
    assert.throws(() => validateManifest(manifest(bad)), { code: 'E_FORMAT', message: /artifact manifest field 'halves\[\d\]'/ });
  }
});
