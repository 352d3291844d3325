// Typed reads of Keras layer config fields, with Keras's defaults and one-line errors that
// name the layer and field. Keras writes most spatial options as an int or a per-axis list.
import { FormatError, UnsupportedError } from '../../errors.js';
import { isObject, type LayerSpec } from './topology.js';

export class Options {
  // messages leave out the model and layer: the importer prefixes them to every error of a layer
  constructor(private readonly layer: LayerSpec) {}

  private bad(key: string, want: string): FormatError {
    return new FormatError(`'${key}' is ${JSON.stringify(this.layer.config[key])}, expected ${want}`);
  }

  /** An UnsupportedError about option `key` of this layer. */
  unsupported(key: string, why = ''): UnsupportedError {
    return new UnsupportedError(`${key}=${JSON.stringify(this.layer.config[key])} is not supported` +
      `${why ? ` (${why})` : ''}; Kiln cannot import this layer yet`);
  }

  has(key: string): boolean {
    return this.layer.config[key] !== undefined && this.layer.config[key] !== null;
  }

  number(key: string, dflt: number): number {
    const v = this.layer.config[key] ?? dflt;
    if (typeof v !== 'number') throw this.bad(key, 'a number');
    return v;
  }

  /** The first of several spellings present (Keras renamed some options across versions). */
  numberOf(keys: readonly string[], dflt: number): number {
    const key = keys.find((k) => this.has(k));
    return key ? this.number(key, dflt) : dflt;
  }

  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key, 0) : undefined;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.layer.config[key] ?? dflt;
    if (typeof v !== 'boolean') throw this.bad(key, 'true or false');
    return v;
  }

  string(key: string, dflt: string): string {
    const v = this.layer.config[key] ?? dflt;
    if (typeof v !== 'string') throw this.bad(key, 'a string');
    return v;
  }

  /** An int or a list of `n` ints (kernel_size, strides, dilation_rate, pool_size, size). */
  ints(key: string, n: number, dflt: number | readonly number[]): number[] {
    const v = this.layer.config[key] ?? dflt;
    const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
    if (!Array.isArray(list) || list.length !== n || list.some((d) => !Number.isInteger(d))) {
      throw this.bad(key, `an int or ${n} ints`);
    }
    return list as number[];
  }

  /** An int list of any length (target_shape, dims, shared_axes) or undefined when absent. */
  intList(key: string): number[] | undefined {
    const v = this.layer.config[key];
    if (v === undefined || v === null) return undefined;
    const list = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || list.some((d) => !Number.isInteger(d))) throw this.bad(key, 'a list of ints');
    return list as number[];
  }

  /**
   * Per-axis (before, after) amounts from Keras's int | [a, b] | [[a, b], ...] forms (padding,
   * cropping): an int is symmetric on every axis, a flat list of `n` ints symmetric per axis.
   */
  pairs(key: string, n: number, dflt: number): [number, number][] {
    const v = this.layer.config[key] ?? dflt;
    if (typeof v === 'number') return new Array(n).fill(0).map(() => [v, v]);
    if (Array.isArray(v) && v.length === n) {
      const out = v.map((p) => (typeof p === 'number' ? [p, p] : p));
      if (out.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isInteger))) {
        return out as [number, number][];
      }
    }
    // ZeroPadding1D / Cropping1D write one (before, after) pair flat
    if (n === 1 && Array.isArray(v) && v.length === 2 && v.every(Number.isInteger)) return [[v[0], v[1]]];
    throw this.bad(key, `an int or ${n} ints or ${n} pairs`);
  }

  /** Whether the layer is channels_first (Keras's data_format; TF.js may write camelCase). */
  channelsFirst(): boolean {
    const f = this.string('data_format', 'channels_last');
    if (f === 'channels_first' || f === 'channelsFirst') return true;
    if (f === 'channels_last' || f === 'channelsLast') return false;
    throw this.bad('data_format', "'channels_last' or 'channels_first'");
  }

  /** A Keras identifier: a plain string, or Keras 3's {class_name, config} object around one. */
  identifier(key: string, dflt: string): string {
    const v = this.layer.config[key] ?? dflt;
    if (typeof v === 'string') return v;
    if (isObject(v)) {
      if (typeof v.config === 'string') return v.config;
      if (isObject(v.config) && typeof v.config.name === 'string') return v.config.name;
      if (typeof v.class_name === 'string') return v.class_name;
    }
    throw this.bad(key, 'a name');
  }
}
