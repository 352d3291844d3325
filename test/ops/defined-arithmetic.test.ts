// Integer division and remainder by zero (and MIN / -1), and float-to-integer casts out of range or
// NaN, give the results the README documents on both engines, compiled never trapping: scalar
// and vector lanes (lengths 4 and 11 cover whole vectors and a scalar tail), constants and feeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../../src/compile/compile.js';
import { Tensor } from '../../src/ir/tensor.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { checkCompiledNode, checkSession, nodeGraph } from './compiled-check.js';

const I32_MIN = -(2 ** 31);
const DIVIDENDS = [7, -7, 0, I32_MIN, 2 ** 31 - 1, 5, -5, 1, 9, I32_MIN, -1];
const DIVISORS = [0, 0, 0, -1, 0, 2, -2, -1, 3, 0, 0];

test('integer Div and Mod by zero give 0 and MIN / -1 wraps to MIN, the same compiled as in the reference', async () => {
  for (const d of ['int32', 'int64', 'uint32', 'uint8', 'int8', 'int16'] as const) {
    const xs = DIVIDENDS.map((x) => (d.startsWith('u') ? Math.abs(x) % 200 : d === 'int8' ? x % 120 : d === 'int16' ? x % 30000 : x));
    const ys = DIVISORS.map((y) => (d.startsWith('u') ? Math.abs(y) : y));
    const x = Tensor.from(d, [xs.length], xs), y = Tensor.from(d, [ys.length], ys);
    await checkCompiledNode('Div', {}, [x, y]);
    await checkCompiledNode('Mod', {}, [x, y]);
    await checkCompiledNode('Mod', { fmod: 1 }, [x, y]);
    // a divisor the compiler sees as the constant 0 (or -1) is guarded the same way
    for (const k of [0, d.startsWith('u') ? 1 : -1]) {
      const c = Tensor.from(d, [1], [k]);
      const g = nodeGraph('Div', {}, [x, c], new Map([[1, c]]));
      await checkSession(g, await load((await compile(g, { target: 'wasm-simd' })).bytes), [x]);
    }
  }
  const ref = (op: string, d: 'int32' | 'int64', a: number, b: number, attrs = {}) => execute(
    nodeGraph(op, attrs, [Tensor.from(d, [1], [a]), Tensor.from(d, [1], [b])]),
    { x0: Tensor.from(d, [1], [a]), x1: Tensor.from(d, [1], [b]) }).get('y')!.numbers[0];
  assert.equal(ref('Div', 'int32', 7, 0), 0);
  assert.equal(ref('Mod', 'int32', 7, 0), 0);
  assert.equal(ref('Mod', 'int64', -7, 0, { fmod: 1 }), 0);
  assert.equal(ref('Div', 'int32', I32_MIN, -1), I32_MIN);
  assert.equal(ref('Div', 'int64', -(2 ** 63), -1), -(2 ** 63));
  assert.equal(ref('Mod', 'int32', I32_MIN, -1), 0);
});

const FLOATS = [NaN, Infinity, -Infinity, 3e9, -3e9, 300.7, -300.7, 70000, -1.5, 1e20, -1e20, 2.9, -2.9, 255.9, 128, -129];

test('float-to-integer Cast truncates, saturates at the target type and maps NaN to 0 on both engines', async () => {
  const x = Tensor.from('float32', [FLOATS.length], FLOATS);
  for (const to of ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'] as const) {
    await checkCompiledNode('Cast', { to }, [x]);
  }
  await checkCompiledNode('Cast', { to: 'int32' }, [Tensor.from('float64', [FLOATS.length], FLOATS)]);
  const y = execute(nodeGraph('Cast', { to: 'int8' }, [x]), { x0: x }).get('y')!.numbers;
  assert.deepEqual(Array.from(y).slice(0, 8), [0, 127, -128, 127, -128, 127, -128, 127]);
  const u = execute(nodeGraph('Cast', { to: 'uint32' }, [x]), { x0: x }).get('y')!.numbers;
  assert.deepEqual(Array.from(u).slice(0, 9), [0, 2 ** 32 - 1, 0, 3e9, 0, 300, 0, 70000, 0]);
});
