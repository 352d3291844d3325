// The assembler against independent oracles: the engine's validator and instantiation, and wabt's
// text assembler (same module, same bytes) and disassembler (every opcode's name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Bytes } from '../../../src/target/wasm/bytes.js';
import { ModuleBuilder } from '../../../src/target/wasm/module.js';
import { Code } from '../../../src/target/wasm/code.js';
import { PLAIN_OPS, RELAXED_SIMD_OPS, CORE_MEM, SIMD_MEM, SIMD_LANE, SIMD_MEM_LANE } from '../../../src/target/wasm/opcodes.js';
import type { LaneOp, MemLaneOp, MemOp } from '../../../src/target/wasm/opcodes.js';

const require = createRequire(import.meta.url);
type WabtMod = { toBinary(o: object): { buffer: Uint8Array }; toText(o: object): string; validate(): void; destroy(): void };
type Wabt = { parseWat(name: string, text: string, f: object): WabtMod; readWasm(b: Uint8Array, f: object): WabtMod };
const wabtPromise: Promise<Wabt> = (require('wabt') as () => Promise<Wabt>)();
const FEATURES = { simd: true, relaxed_simd: true, threads: true, sat_float_to_int: true, sign_extension: true, bulk_memory: true };

test('LEB128 encodings match known values at the edges', () => {
  const enc = (f: (b: Bytes) => void) => [...(() => { const b = new Bytes(); f(b); return b.view(); })()];
  // oracle: the byte patterns the spec's worked examples and wabt produce for these numbers
  assert.deepEqual(enc((b) => b.u32(624485)), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(enc((b) => b.s32(-123456)), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(enc((b) => b.s32(-1)), [0x7f]);
  assert.deepEqual(enc((b) => b.s32(64)), [0xc0, 0x00]);
  assert.deepEqual(enc((b) => b.s32(0xffffffff)), [0x7f]);
  assert.deepEqual(enc((b) => b.u32(0xffffffff)), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(enc((b) => b.s64(-(1n << 63n))), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
  assert.deepEqual(enc((b) => b.u64((1n << 64n) - 1n)), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.throws(() => new Bytes().u32(-1), RangeError);
});

test('LEB128 round-trips through wabt: i32/i64 constants assemble to the same bytes', async () => {
  const wabt = await wabtPromise;
  const i32s = [0, 1, -1, 63, 64, -64, -65, 127, 128, 0x7fffffff, -0x80000000, 123456789];
  const i64s = [0n, -1n, 1n << 40n, -(1n << 63n), (1n << 63n) - 1n, -98765432123n];
  const m = new ModuleBuilder();
  const c = m.code([]);
  for (const n of i32s) c.i32(n).op('drop');
  for (const n of i64s) c.i64(n).op('drop');
  m.addFunction(c);
  const wat = `(module (func ${i32s.map((n) => `i32.const ${n} drop`).join(' ')} ${i64s.map((n) => `i64.const ${n} drop`).join(' ')}))`;
  const ref = wabt.parseWat('t.wat', wat, FEATURES).toBinary({}).buffer;
  assert.deepEqual([...m.toBytes()], [...ref]);
});

test('a module with imports, memory, loops, SIMD and exports equals wabt\'s assembly of the same text', async () => {
  const wabt = await wabtPromise;
  const m = new ModuleBuilder();
  const log = m.importFunction('env', 'log', ['i32']);
  m.importMemory('env', 'memory', { min: 1, max: 16, shared: true });
  // sum of n f32 starting at p, 4 at a time with SIMD, into a f32 result
  const c = m.code(['i32', 'i32'], ['f32']);
  const acc = c.local('v128'), i = c.local('i32');
  c.block().loop();
  c.get(i).get(1).op('i32.ge_s').brIf(1);
  c.get(acc).get(0).get(i).i32(2).op('i32.shl').op('i32.add').mem('v128.load', 16, 2).op('f32x4.add').set(acc);
  c.get(i).i32(4).op('i32.add').set(i).br(0);
  c.end().end();
  c.get(i).call(log);
  c.get(acc).lane('f32x4.extract_lane', 0).get(acc).lane('f32x4.extract_lane', 3).op('f32.add');
  const f = m.addFunction(c);
  m.exportFunction('sum', f);
  m.addData(1024, new Uint8Array([1, 2, 3]));
  const wat = `(module
    (import "env" "log" (func (param i32)))
    (import "env" "memory" (memory 1 16 shared))
    (func (param i32 i32) (result f32) (local v128 i32)
      block loop
        local.get 3 local.get 1 i32.ge_s br_if 1
        local.get 2 local.get 0 local.get 3 i32.const 2 i32.shl i32.add v128.load offset=16 align=4 f32x4.add local.set 2
        local.get 3 i32.const 4 i32.add local.set 3 br 0
      end end
      local.get 3 call 0
      local.get 2 f32x4.extract_lane 0 local.get 2 f32x4.extract_lane 3 f32.add)
    (export "sum" (func 1))
    (data (i32.const 1024) "\\01\\02\\03"))`;
  const ref = wabt.parseWat('t.wat', wat, FEATURES).toBinary({}).buffer;
  assert.deepEqual([...m.toBytes()], [...ref]);
  assert.ok(WebAssembly.validate(m.toBytes()));
});

/** A function that is valid for any opcode: `unreachable` makes the operand stack polymorphic before each. */
function everyOpModule(emit: (c: Code) => string[]): { bytes: Uint8Array<ArrayBuffer>; names: string[] } {
  const m = new ModuleBuilder();
  m.defineMemory({ min: 1 });
  const c = m.code([]);
  const names = emit(c);
  c.op('unreachable');
  m.addFunction(c);
  return { bytes: m.toBytes(), names };
}

test('every opcode in the tables disassembles under its own name in wabt, and the engine validates them', async () => {
  const wabt = await wabtPromise;
  const skip = new Set(['unreachable', 'end', 'else']);
  const { bytes, names } = everyOpModule((c) => {
    const names: string[] = [];
    const add = (name: string, emit: () => void) => { c.op('unreachable'); emit(); names.push(name); };
    for (const op of PLAIN_OPS) if (!skip.has(op)) add(op, () => c.op(op));
    for (const op of Object.keys({ ...CORE_MEM, ...SIMD_MEM }) as MemOp[]) add(op, () => c.mem(op, 8));
    for (const op of Object.keys(SIMD_LANE) as LaneOp[]) add(op, () => c.lane(op, 1));
    for (const op of Object.keys(SIMD_MEM_LANE) as MemLaneOp[]) add(op, () => c.memLane(op, 1, 8));
    add('i8x16.shuffle', () => c.shuffle([...Array(16).keys()].map((i) => i * 2)));
    add('v128.const', () => c.f32x4([1, 2, 3, 4]));
    add('memory.copy', () => c.memory('memory.copy'));
    add('memory.fill', () => c.memory('memory.fill'));
    return names;
  });
  const mod = wabt.readWasm(bytes, FEATURES);
  mod.validate();
  const text = mod.toText({});
  mod.destroy();
  const seen = text.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((w) => w && w !== 'unreachable');
  // the disassembly lists the function's instructions in order; pick those after the func header
  const start = seen.indexOf('(func') + 1;
  const body = seen.slice(start, start + names.length).map((w) => w.replace(/\)+$/, ''));
  const wabtName = (n: string) => n.replace(/^v128\.load(\d+)x(\d+)_([su])$/, (_, a, b, s) => `v128.load${a}x${b}_${s}`);
  assert.deepEqual(body, names.map(wabtName));
  // V8 validates all but relaxed SIMD without its flag
  const noRelaxed = everyOpModule((c) => {
    for (const op of PLAIN_OPS) if (!skip.has(op) && !RELAXED_SIMD_OPS.has(op)) c.op('unreachable').op(op);
    return [];
  });
  assert.ok(WebAssembly.validate(noRelaxed.bytes));
});

test('a shared memory needs a maximum; unclosed blocks are refused', () => {
  assert.throws(() => new ModuleBuilder().defineMemory({ min: 1, shared: true }));
  const m = new ModuleBuilder();
  const c = m.code([]);
  c.block();
  m.addFunction(c);
  assert.throws(() => m.toBytes(), /unclosed/);
});

test('emitted code runs: f64 and i64 arithmetic, narrow loads and stores with offsets', async () => {
  const m = new ModuleBuilder();
  m.defineMemory({ min: 1 });
  m.exportMemory('mem');
  const c = m.code(['f64', 'i64'], ['f64']);
  // store -2 as i8 at 100, load it back unsigned (254) and signed (-2), mix with the params
  c.i32(90).i32(-2).mem('i32.store8', 10);
  c.i32(0).mem('i32.load8_u', 100).op('f64.convert_i32_s');
  c.i32(100).mem('i32.load8_s').op('f64.convert_i32_s').op('f64.add');
  c.get(0).op('f64.mul').get(1).op('f64.convert_i64_s').op('f64.add');
  m.exportFunction('f', m.addFunction(c));
  const { instance } = await WebAssembly.instantiate(m.toBytes());
  const f = instance.exports.f as (a: number, b: bigint) => number;
  assert.equal(f(1.5, 10n), (254 - 2) * 1.5 + 10);
});
