// TF.js weight manifests: reads the binary shards of each weight group and decodes every
// entry into a Tensor, widening quantized (uint8/uint16 affine, float16) weights to float32.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, IoError, UnsupportedError } from '../../errors.js';
import { float16BitsToNumber, type DType } from '../../ir/dtype.js';
import { checkedElementCount } from '../../ir/limits.js';
import { fmtShape } from '../../ir/shape.js';
import { Tensor } from '../../ir/tensor.js';

export interface WeightQuantization {
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  readonly min?: number;
  readonly scale?: number;
  readonly original_dtype?: string;
}

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: WeightQuantization;
}

export interface WeightGroup {
  /** Shard files, relative to the model.json's folder; their bytes concatenate in order. */
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

export type WeightsManifest = readonly WeightGroup[];

/** Where weight shards come from: the folder beside the model.json, or shard bytes by their path in the manifest. */
export type ShardSource = string | Readonly<Record<string, Uint8Array>>;

/** Loads every weight of the manifest from the shards in `dir`; `source` names the model in messages. */
export function loadTfjsWeights(manifest: WeightsManifest, dir: ShardSource, source: string): Map<string, Tensor> {
  if (!Array.isArray(manifest)) throw new FormatError(`${source}: weightsManifest is not a list of weight groups`);
  const out = new Map<string, Tensor>();
  for (const group of manifest) {
    for (const [name, t] of decodeWeightGroup(group, readGroup(group, dir, source), source)) out.set(name, t);
  }
  return out;
}

/** Decodes the weights of one group from its concatenated shard bytes. */
export function decodeWeightGroup(group: WeightGroup, bytes: Uint8Array, source: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let offset = 0;
  for (const w of group.weights) {
    const { tensor, size } = decodeWeight(w, bytes, offset, source, group);
    out.set(w.name, tensor);
    offset += size;
  }
  return out;
}

function readGroup(group: WeightGroup, dir: ShardSource, source: string): Uint8Array {
  if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
    throw new FormatError(`${source}: a weight group lacks 'paths' or 'weights'`);
  }
  const badPath = group.paths.findIndex((p) => typeof p !== 'string' || p === '');
  if (badPath >= 0) throw new FormatError(`${source}: weight shard path ${badPath} of a group is not a file name`);
  const shards = group.paths.map((p) => {
    if (typeof dir !== 'string') {
      const given = dir[p];
      if (!given) throw new IoError(`${source}: weight shard '${p}' was not given; pass every path of the weightsManifest (${group.paths.join(', ')})`);
      return given;
    }
    const file = join(dir, p);
    try {
      return readFileSync(file);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'cannot be read';
      throw new IoError(`${source}: weight shard ${file} ${why}; keep the .bin files next to the model.json`);
    }
  });
  const total = shards.reduce((n, s) => n + s.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const s of shards) { bytes.set(s, at); at += s.length; }
  return bytes;
}

const STORED_BYTES: Readonly<Record<string, number>> = {
  float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2,
};

function decodeWeight(w: WeightEntry, bytes: Uint8Array, offset: number, source: string,
  group: WeightGroup): { tensor: Tensor; size: number } {
  if (typeof w !== 'object' || w === null || typeof w.name !== 'string' || typeof w.dtype !== 'string') {
    throw new FormatError(`${source}: a weights manifest entry lacks a string 'name' or 'dtype'`);
  }
  const where = `${source}: weight '${w.name}'`;
  if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FormatError(`${where} has an invalid shape (a list of whole numbers >= 0 is expected)`);
  }
  if (w.quantization !== undefined && (typeof w.quantization !== 'object' || w.quantization === null)) {
    throw new FormatError(`${where} has a 'quantization' that is not an object`);
  }
  // 8 bytes per element: what the decoded tensor holds at most (strings: one reference each)
  const count = checkedElementCount(where, w.shape, 8);
  const short = () => new FormatError(
    `${where} ${fmtShape(w.shape)} runs past the end of shards ${group.paths.join(', ')} (${bytes.length} bytes); ` +
    `the shard files are truncated or from another model — re-download them`);

  if (w.dtype === 'string') {
    const { values, size } = decodeStrings(bytes, offset, count, short);
    return { tensor: new Tensor('string', w.shape, values), size };
  }
  const stored = w.quantization?.dtype ?? w.dtype;
  const width = STORED_BYTES[stored];
  if (width === undefined || (w.dtype !== 'float32' && w.dtype !== 'int32' && w.dtype !== 'bool')) {
    throw new UnsupportedError(`${where} has dtype ${stored}${w.quantization ? ` (quantized ${w.dtype})` : ''}, ` +
      `which Kiln cannot load; re-export the model with float32/int32/bool weights`);
  }
  const size = count * width;
  if (offset + size > bytes.length) throw short();
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
  const dtype: DType = w.dtype;
  const q = w.quantization;
  const values = new Array<number>(count);
  if (!q) {
    for (let i = 0; i < count; i++) {
      values[i] = dtype === 'float32' ? view.getFloat32(i * 4, true)
        : dtype === 'int32' ? view.getInt32(i * 4, true) : view.getUint8(i);
    }
  } else if (q.dtype === 'float16') {
    for (let i = 0; i < count; i++) values[i] = float16BitsToNumber(view.getUint16(i * 2, true));
  } else {
    if (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min)) {
      throw new FormatError(`${where} is quantized to ${q.dtype} without numeric 'scale' and 'min'`);
    }
    for (let i = 0; i < count; i++) {
      const level = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      const v = level * q.scale + q.min;
      // integer weights are quantized to the nearest level: round back to whole numbers
      values[i] = dtype === 'float32' ? v : Math.round(v);
    }
  }
  return { tensor: Tensor.from(dtype, w.shape, values), size };
}

/** Strings are stored as a little-endian uint32 byte length followed by UTF-8 bytes, per element. */
function decodeStrings(bytes: Uint8Array, offset: number, count: number, short: () => Error): { values: string[]; size: number } {
  const decoder = new TextDecoder();
  const values: string[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw short();
    const len = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
    at += 4;
    if (at + len > bytes.length) throw short();
    values.push(decoder.decode(bytes.subarray(at, at + len)));
    at += len;
  }
  return { values, size: at - offset };
}
