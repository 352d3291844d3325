// Feature probes are honest: SIMD on Node 20, relaxed SIMD only behind its flag, and the .wat dump works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { probeFeatures } from '../../../src/target/wasm/features.js';
import { toWat } from '../../../src/target/wasm/wat.js';
import { ModuleBuilder } from '../../../src/target/wasm/module.js';

const featuresJs = fileURLToPath(new URL('../../../src/target/wasm/features.js', import.meta.url));
function probeIn(flags: string[]): { simd: boolean; relaxedSimd: boolean; threads: boolean } {
  const script = `import(${JSON.stringify(featuresJs)}).then((m) => console.log(JSON.stringify(m.probeFeatures())))`;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('SIMD and threads are present on this Node; relaxed SIMD follows the engine flag', () => {
  const here = probeFeatures();
  assert.equal(here.simd, true);
  assert.equal(here.threads, true);
  const without = probeIn(['--no-experimental-wasm-relaxed-simd']);
  const withFlag = probeIn(['--experimental-wasm-relaxed-simd']);
  assert.equal(without.relaxedSimd, false);
  assert.equal(withFlag.relaxedSimd, true);
  // the probe agrees with the engine's own verdict on a relaxed instruction
  const m = new ModuleBuilder();
  const c = m.code([]);
  c.f32x4([0, 0, 0, 0]).f32x4([0, 0, 0, 0]).f32x4([0, 0, 0, 0]).op('f32x4.relaxed_madd').op('drop');
  m.addFunction(c);
  assert.equal(WebAssembly.validate(m.toBytes()), here.relaxedSimd);
});

test('toWat prints the module text through wabt', async () => {
  const m = new ModuleBuilder();
  const c = m.code(['f32'], ['f32']);
  c.get(0).f32(2).op('f32.mul');
  m.exportFunction('twice', m.addFunction(c));
  const wat = await toWat(m.toBytes(), true);
  assert.match(wat, /f32\.mul/);
  assert.match(wat, /\(export "twice"/);
});
