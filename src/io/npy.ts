// NumPy .npy files (format versions 1.0, 2.0 and 3.0): the exchange format of `kiln run`
// for inputs and outputs, so tensors move between Kiln, NumPy and the peer engines. Strings are
// NumPy's fixed-width unicode arrays ('<U8': 8 UTF-32 code units each, NUL-padded).
import { writeFileSync } from 'node:fs';
import { FormatError, UnsupportedError } from '../errors.js';
import { allocData, float16BitsToNumber, numberToFloat16Bits, type DType, type NumericData } from '../ir/dtype.js';
import { checkedElementCount } from '../ir/limits.js';
import { fmtShape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { readBytes } from './files.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** The element type after the byte-order character of a descr ('<f4' -> 'f4'), both ways. */
const NPY_TYPES: Readonly<Record<string, DType>> = {
  f2: 'float16', f4: 'float32', f8: 'float64',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  b1: 'bool',
};
const NPY_CODE = Object.fromEntries(Object.entries(NPY_TYPES).map(([code, dt]) => [dt, code])) as Partial<Record<DType, string>>;

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

interface Header {
  readonly dtype: DType;
  readonly width: number;
  readonly shape: readonly number[];
  readonly dataOffset: number;
}

function parseHeader(bytes: Uint8Array, source: string): Header {
  const fail = (why: string) => new FormatError(`${source}: not a valid .npy file: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('missing the \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, start: number;
  if (major === 1) { headerLen = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail('truncated header');
    headerLen = view.getUint32(8, true); start = 12;
  } else throw fail(`unknown format version ${major}.${bytes[7]}`);
  if (start + headerLen > bytes.length) throw fail('truncated header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));

  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text)?.[2];
  if (descr === undefined) {
    throw /['"]descr['"]\s*:\s*\[/.test(text) ? fail('structured (record) arrays are not supported') : fail('header has no descr');
  }
  const order = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  if (order === undefined) throw fail('header has no fortran_order');
  if (order === 'True') throw fail("Fortran-ordered arrays are not supported; save a C-ordered copy (numpy.ascontiguousarray)");
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (shapeText === undefined) throw fail('header has no shape');
  const dims = shapeText.split(',').map((s) => s.trim().replace(/L$/, '')).filter((s) => s !== '');
  const shape = dims.map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) throw fail(`bad shape (${JSON.stringify(shapeText).slice(1, -1)})`);

  const byteOrder = descr[0], code = descr.slice(1);
  if (code === 'O') throw fail('object arrays are not supported (saved with allow_pickle); save strings as a unicode array (array.astype(str))');
  const chars = /^U(\d+)$/.exec(code)?.[1];
  if (chars !== undefined) {
    if (byteOrder === '>') throw fail(`big-endian strings ('${descr}'); save them little-endian (array.astype('<${code}'))`);
    if (Number(chars) === 0 || Number(chars) > 1 << 20) throw fail(`string width '${descr}' is not one Kiln reads (1 to 2^20 characters)`);
    return { dtype: 'string', width: 4 * Number(chars), shape, dataOffset: start + headerLen };
  }
  const dtype = NPY_TYPES[code];
  if (!dtype || !'<>|='.includes(byteOrder)) {
    throw fail(`element type '${descr}' is not supported; Kiln reads ${Object.keys(NPY_TYPES).join(' ')}`);
  }
  const width = Number(code.slice(1));
  if (byteOrder === '>' && width > 1) throw fail(`big-endian data ('${descr}'); save it little-endian (array.astype('<${code}'))`);
  return { dtype, width, shape, dataOffset: start + headerLen };
}

/** Decodes the bytes of a .npy file; `source` names the file in error messages. */
export function parseNpy(bytes: Uint8Array, source: string): Tensor {
  const { dtype, width, shape, dataOffset } = parseHeader(bytes, source);
  const n = checkedElementCount(`${source}: .npy array`, shape, width);
  const have = bytes.length - dataOffset;
  if (have !== n * width) {
    throw new FormatError(`${source}: ${have < n * width ? 'truncated' : 'corrupt'} .npy file: a ${dtype} array of shape ` +
      `${fmtShape(shape)} needs ${n * width} data bytes, the file has ${have}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, n * width);
  if (dtype === 'string') return new Tensor(dtype, shape, Array.from({ length: n }, (_, i) => readUnicode(view, i * width, width / 4, source)));
  const data = allocData(dtype, n) as NumericData;
  const read = reader(dtype, view);
  for (let i = 0; i < n; i++) data[i] = read(i * width);
  return new Tensor(dtype, shape, data);
}

/** One fixed-width UTF-32 element; NumPy drops trailing NULs. */
function readUnicode(v: DataView, at: number, chars: number, source: string): string {
  let end = chars;
  while (end > 0 && v.getUint32(at + 4 * (end - 1), true) === 0) end--;
  const points = Array.from({ length: end }, (_, i) => v.getUint32(at + 4 * i, true));
  const bad = points.find((c) => c > 0x10ffff);
  if (bad !== undefined) throw new FormatError(`${source}: corrupt .npy file: ${bad} is not a unicode code point`);
  return String.fromCodePoint(...points);
}

function reader(dtype: DType, v: DataView): (at: number) => number {
  switch (dtype) {
    case 'float16': return (at) => float16BitsToNumber(v.getUint16(at, true));
    case 'float32': return (at) => v.getFloat32(at, true);
    case 'float64': return (at) => v.getFloat64(at, true);
    case 'int8': return (at) => v.getInt8(at);
    case 'int16': return (at) => v.getInt16(at, true);
    case 'int32': return (at) => v.getInt32(at, true);
    case 'int64': return (at) => Number(v.getBigInt64(at, true));
    case 'uint8': return (at) => v.getUint8(at);
    case 'uint16': return (at) => v.getUint16(at, true);
    case 'uint32': return (at) => v.getUint32(at, true);
    case 'uint64': return (at) => Number(v.getBigUint64(at, true));
    case 'bool': return (at) => (v.getUint8(at) ? 1 : 0);
    case 'string': throw new UnsupportedError('string arrays are read by readUnicode');
  }
}

function writer(dtype: DType, v: DataView): (at: number, x: number) => void {
  // int64 storage is a double: clamp the rare infinite sentinel instead of failing on it
  const big = (x: number, max: bigint, min: bigint): bigint =>
    Number.isNaN(x) ? 0n : x === Infinity ? max : x === -Infinity ? min : BigInt(Math.trunc(x));
  switch (dtype) {
    case 'float16': return (at, x) => v.setUint16(at, numberToFloat16Bits(x), true);
    case 'float32': return (at, x) => v.setFloat32(at, x, true);
    case 'float64': return (at, x) => v.setFloat64(at, x, true);
    case 'int8': return (at, x) => v.setInt8(at, x);
    case 'int16': return (at, x) => v.setInt16(at, x, true);
    case 'int32': return (at, x) => v.setInt32(at, x, true);
    case 'int64': return (at, x) => v.setBigInt64(at, big(x, INT64_MAX, -INT64_MAX - 1n), true);
    case 'uint8': case 'bool': return (at, x) => v.setUint8(at, x);
    case 'uint16': return (at, x) => v.setUint16(at, x, true);
    case 'uint32': return (at, x) => v.setUint32(at, x, true);
    case 'uint64': return (at, x) => v.setBigUint64(at, big(x, UINT64_MAX, 0n), true);
    case 'string': throw new UnsupportedError('string arrays are written by serializeNpy');
  }
}

/** Encodes a tensor as a .npy file (version 1.0, or 2.0 when the header needs it). */
export function serializeNpy(t: Tensor): Uint8Array {
  const strings = t.dtype === 'string' ? (t.data as readonly string[]).map((s) => Array.from(s, (c) => c.codePointAt(0)!)) : undefined;
  const code = strings ? `U${Math.max(1, ...strings.map((s) => s.length))}` : NPY_CODE[t.dtype];
  if (!code) throw new UnsupportedError(`${t.dtype} tensors cannot be written as .npy`);
  const descr = `${code.endsWith('1') ? '|' : '<'}${code}`;
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // the data starts on a 64-byte boundary, the header ends in '\n', as numpy writes it
  const fits1 = dict.length + 64 <= 0xffff;
  const prefix = fits1 ? 10 : 12;
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = dict.padEnd(padded - 1, ' ') + '\n';
  const width = strings ? 4 * Number(code.slice(1)) : Number(code.slice(1));
  const out = new Uint8Array(prefix + header.length + t.size * width);
  out.set(MAGIC, 0);
  out[6] = fits1 ? 1 : 2;
  const view = new DataView(out.buffer);
  if (fits1) view.setUint16(8, header.length, true); else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, prefix + header.length);
  if (strings) {
    strings.forEach((points, i) => points.forEach((c, j) => body.setUint32(i * width + 4 * j, c, true)));
    return out;
  }
  const data = t.numbers;
  const write = writer(t.dtype, body);
  for (let i = 0; i < data.length; i++) write(i * width, data[i]);
  return out;
}

export function readNpy(path: string): Tensor {
  return parseNpy(readBytes(path), path);
}

export function writeNpy(path: string, t: Tensor): void {
  writeFileSync(path, serializeNpy(t));
}
