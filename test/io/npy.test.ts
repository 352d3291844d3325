// .npy reading and writing checked against NumPy itself: NumPy writes files Kiln must read,
// and reads back the files Kiln writes. Skipped when python3 with numpy is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '../../src/errors.js';
import { isUnsigned, type DType } from '../../src/ir/dtype.js';
import { Tensor } from '../../src/ir/tensor.js';
import { parseNpy, readNpy, serializeNpy, writeNpy } from '../../src/io/npy.js';

function python(script: string, cwd: string): string | undefined {
  const r = spawnSync('python3', ['-c', script], { cwd, encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout : undefined;
}
const hasNumpy = python('import numpy', tmpdir()) !== undefined;

// every dtype Kiln exchanges, with values that probe signs, widths and specials
const CASES: readonly { dtype: DType; numpy: string; values: string }[] = [
  { dtype: 'float32', numpy: 'float32', values: '[0.1, -2.5, 3.4e38, 1e-45, 7, float("inf"), -0.0]' },
  { dtype: 'float64', numpy: 'float64', values: '[0.1, -2.5, 1e308, 5e-324, 7, float("-inf"), 1/3]' },
  { dtype: 'float16', numpy: 'float16', values: '[0.1, -2.5, 65504, 6e-8, 7, 1/3, -0.0]' },
  { dtype: 'int8', numpy: 'int8', values: '[0, 1, -1, 127, -128, 5, -7]' },
  { dtype: 'int16', numpy: 'int16', values: '[0, 1, -1, 32767, -32768, 300, -7]' },
  { dtype: 'int32', numpy: 'int32', values: '[0, 1, -1, 2**31-1, -2**31, 70000, -7]' },
  { dtype: 'int64', numpy: 'int64', values: '[0, 1, -1, 2**53, -2**53, 2**40+3, -7]' },
  { dtype: 'uint8', numpy: 'uint8', values: '[0, 1, 255, 128, 5, 7, 9]' },
  { dtype: 'uint16', numpy: 'uint16', values: '[0, 1, 65535, 300, 5, 7, 9]' },
  { dtype: 'uint32', numpy: 'uint32', values: '[0, 1, 2**32-1, 70000, 5, 7, 9]' },
  { dtype: 'uint64', numpy: 'uint64', values: '[0, 1, 2**53, 2**40+3, 5, 7, 9]' },
  { dtype: 'bool', numpy: 'bool', values: '[True, False, True, True, False, False, True]' },
];

const jsonOf = (x: number) => (Number.isNaN(x) ? 'nan' : Object.is(x, -0) ? '-0' : String(x));

test('reads what NumPy writes: every dtype, format versions 1.0, 2.0 and 3.0, shapes of every rank', { skip: !hasNumpy && 'python3 with numpy is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-npy-'));
  try {
    const script = [
      'import numpy as np, json',
      'from numpy.lib import format as fmt',
      'out = {}',
      ...CASES.map((c, i) => [
        `a = np.array(${c.values}, dtype=np.${c.numpy}).reshape(7, 1)`,
        `np.save('c${i}.npy', a)`,
        `with open('c${i}_v2.npy', 'wb') as f: fmt.write_array(f, a.reshape(1, 7), version=(2, 0))`,
        `with open('c${i}_v3.npy', 'wb') as f: fmt.write_array(f, a.reshape(7), version=(3, 0))`,
        `out['c${i}'] = [repr(float(x)) if np.issubdtype(a.dtype, np.floating) else int(x) for x in a.ravel()]`,
      ].join('\n')),
      "np.save('scalar.npy', np.array(2.5, dtype=np.float32))",
      "np.save('empty.npy', np.zeros((0, 3), dtype=np.int32))",
      "np.save('rank4.npy', np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5))",
      'print(json.dumps(out))',
    ].join('\n');
    const out = python(script, dir);
    assert.ok(out, 'numpy failed to write the cases');
    const expected = JSON.parse(out) as Record<string, (string | number)[]>;
    CASES.forEach((c, i) => {
      const want = expected[`c${i}`].map((v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v));
      for (const [file, shape] of [[`c${i}.npy`, [7, 1]], [`c${i}_v2.npy`, [1, 7]], [`c${i}_v3.npy`, [7]]] as const) {
        const t = readNpy(join(dir, file));
        assert.equal(t.dtype, c.dtype, file);
        assert.deepEqual(t.shape, shape, file);
        assert.deepEqual(Array.from(t.numbers).map(jsonOf), want.map(jsonOf), `${c.dtype} ${file}`);
      }
    });
    const scalar = readNpy(join(dir, 'scalar.npy'));
    assert.deepEqual([scalar.shape, scalar.toArray()], [[], [2.5]]);
    assert.deepEqual(readNpy(join(dir, 'empty.npy')).shape, [0, 3]);
    const r4 = readNpy(join(dir, 'rank4.npy'));
    assert.deepEqual(r4.shape, [2, 3, 4, 5]);
    assert.equal(r4.numbers[119], 119);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NumPy reads what Kiln writes: every dtype, values and shape', { skip: !hasNumpy && 'python3 with numpy is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-npy-'));
  try {
    // unsigned tensors hold no negatives (their int64-backed storage would not wrap them)
    const valuesFor = (d: DType) => (isUnsigned(d) ? [0, 1, 255, 100, 7, 3, 0.5] : [0, 1, -1, 100, -100, 3, 0.5]);
    CASES.forEach((c, i) => writeNpy(join(dir, `k${i}.npy`), Tensor.from(c.dtype, [7], valuesFor(c.dtype))));
    writeNpy(join(dir, 'big.npy'), Tensor.from('float32', [2, 3, 4], Array.from({ length: 24 }, (_, k) => k / 8)));
    const script = [
      'import numpy as np, json',
      `names = ${JSON.stringify([...CASES.map((_, i) => `k${i}`), 'big'])}`,
      "print(json.dumps({n: [np.load(n + '.npy').dtype.name, list(np.load(n + '.npy').shape), [float(x) for x in np.load(n + '.npy').ravel()]] for n in names}))",
    ].join('\n');
    const out = python(script, dir);
    assert.ok(out, 'numpy failed to read the files Kiln wrote');
    const got = JSON.parse(out) as Record<string, [string, number[], number[]]>;
    CASES.forEach((c, i) => {
      const t = Tensor.from(c.dtype, [7], valuesFor(c.dtype));
      assert.deepEqual(got[`k${i}`], [c.numpy, [7], t.toArray()], c.dtype);
    });
    assert.deepEqual(got.big[1], [2, 3, 4]);
    assert.equal(got.big[2][23], 23 / 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rejects Fortran order, big-endian, object arrays and truncated data with a FormatError naming the file', { skip: !hasNumpy && 'python3 with numpy is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-npy-'));
  try {
    const made = python([
      'import numpy as np',
      "np.save('fortran.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))",
      "np.save('big.npy', np.arange(6, dtype='>f4'))",
      "np.save('object.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)",
      "np.save('whole.npy', np.arange(1000, dtype=np.float32))",
    ].join('\n'), dir);
    assert.ok(made !== undefined, 'numpy failed to write the cases');
    const whole = readFileSync(join(dir, 'whole.npy'));
    writeFileSync(join(dir, 'truncated.npy'), whole.subarray(0, whole.length - 10));
    writeFileSync(join(dir, 'header-cut.npy'), whole.subarray(0, 40));
    const expectations: [string, RegExp][] = [
      ['fortran.npy', /Fortran/], ['big.npy', /big-endian/], ['object.npy', /object arrays/],
      ['truncated.npy', /truncated .*needs 4000 data bytes, the file has 3990/], ['header-cut.npy', /truncated header/],
    ];
    for (const [file, why] of expectations) {
      const path = join(dir, file);
      assert.throws(() => readNpy(path), (e: unknown) => e instanceof FormatError && e.message.includes(path) && why.test(e.message), file);
    }
    assert.throws(() => parseNpy(new TextEncoder().encode('not an npy file at all'), 'x.npy'), /x\.npy: not a valid \.npy file: missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serializeNpy pads the header so data starts on a 64-byte boundary, and round-trips', () => {
  const t = Tensor.from('int64', [2, 2], [1, -2, 2 ** 50, -(2 ** 50)]);
  const bytes = serializeNpy(t);
  const headerLen = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + headerLen) % 64, 0);
  assert.equal(bytes[10 + headerLen - 1], 0x0a);
  const back = parseNpy(bytes, 'mem');
  assert.deepEqual([back.dtype, back.shape, back.toArray()], ['int64', [2, 2], [1, -2, 2 ** 50, -(2 ** 50)]]);
});

test('strings travel as NumPy unicode arrays, both ways, past the basic plane', { skip: !hasNumpy && 'python3 with numpy is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-npy-'));
  const words = ['', 'kiln', 'naïve', '日本語', 'a\u{1F525}b', 'trailing  '];
  try {
    writeNpy(join(dir, 'kiln.npy'), new Tensor('string', [2, 3], words));
    const out = python([
      'import numpy as np, json',
      "a = np.load('kiln.npy')",
      `np.save('numpy.npy', np.array(${JSON.stringify(words)}).reshape(3, 2))`,
      'print(json.dumps([a.dtype.str, list(a.shape), a.ravel().tolist()]))',
    ].join('\n'), dir);
    assert.ok(out, 'numpy failed to read or write the strings');
    assert.deepEqual(JSON.parse(out), ['<U10', [2, 3], words]);
    const t = readNpy(join(dir, 'numpy.npy'));
    assert.deepEqual([t.dtype, t.shape, t.data], ['string', [3, 2], words]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
