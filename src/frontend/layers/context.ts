// What a layer converter works with: the graph being built, the model's weights, shared
// constants, the layout moves between Keras's channels_last and the canonical channels_first ops.
import { FormatError, KilnError } from '../../errors.js';
import type { Attrs, GraphBuilder } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { opDef } from '../../ops/index.js';
import type { LayerWeights } from './layer-weights.js';
import { Options } from './options.js';
import type { LayerSpec } from './topology.js';

/** A Keras tensor during import: the graph value holding it and its rank (batch included). */
export interface KerasTensor {
  readonly value: string;
  readonly rank: number;
}

/** One call of a layer. */
export interface LayerCall {
  readonly layer: LayerSpec;
  readonly inputs: readonly KerasTensor[];
  /** Base for the names of the nodes this call adds; unique per call. */
  readonly name: string;
  /** Names of the enclosing models, outermost first (tells same-named nested layers apart). */
  readonly scope: readonly string[];
  readonly options: Options;
}

/** Most layers give one tensor; recurrent ones with return_state give their states too. */
export type LayerConverter = (ctx: LayersContext, call: LayerCall) => KerasTensor | readonly KerasTensor[];

export class LayersContext {
  /** Unknown layer classes and activations, each with the layers that use it. */
  readonly unsupported = new Map<string, string[]>();
  private readonly layerConstants = new WeakMap<LayerSpec, Map<string, string>>();
  private readonly sharedConstants = new Map<string, string>();

  constructor(
    readonly builder: GraphBuilder,
    private readonly weights: LayerWeights,
    /** keras_version of the model: '2.2.4', '2.13.1', '3.3.3' or 'tfjs-layers 4.22.0'. */
    readonly kerasVersion: string,
    readonly source: string,
  ) {}

  noteUnsupported(kind: string, layerName: string): void {
    const list = this.unsupported.get(kind) ?? [];
    list.push(layerName);
    this.unsupported.set(kind, list);
  }

  weight(call: LayerCall, name: string): Tensor {
    return this.weights.get(call.layer.name, name, call.scope);
  }

  /**
   * A constant computed once per layer and reused by every call of it (shared layers,
   * nested models applied twice), so weights appear once in the graph.
   */
  layerConstant(call: LayerCall, key: string, make: () => Tensor): string {
    let consts = this.layerConstants.get(call.layer);
    if (!consts) this.layerConstants.set(call.layer, consts = new Map());
    let name = consts.get(key);
    if (!name) consts.set(key, name = this.builder.constant(`${call.layer.name}/${key}`, make()));
    return name;
  }

  /** A small constant (scalar, shape, axes) shared by every node that needs the same value. */
  shared(dtype: 'float32' | 'int64', values: readonly number[], shape: readonly number[] = [values.length]): string {
    const key = `${dtype}:${shape.join('x')}:${values.join(',')}`;
    let name = this.sharedConstants.get(key);
    if (!name) {
      name = this.builder.constant(shape.length ? `const_${dtype}` : `scalar_${values[0]}`, Tensor.from(dtype, shape, values));
      this.sharedConstants.set(key, name);
    }
    return name;
  }

  scalar(v: number): string {
    return this.shared('float32', [v], []);
  }

  int64s(values: readonly number[]): string {
    return this.shared('int64', values);
  }

  node(op: string, inputs: readonly string[], attrs: Attrs, name: string): string {
    return this.builder.add1(op, inputs, attrs, name);
  }

  transpose(x: string, perm: readonly number[], name: string): string {
    return this.node('Transpose', [x], { perm }, name);
  }

  /** Moves channels from last to second (no-op for channels_first layers). */
  toChannelsFirst(x: KerasTensor, channelsFirst: boolean, name: string): string {
    return channelsFirst ? x.value : this.transpose(x.value, channelsLastToFirst(x.rank), `${name}/to_channels_first`);
  }

  fromChannelsFirst(x: string, rank: number, channelsFirst: boolean, name: string): KerasTensor {
    if (channelsFirst) return { value: x, rank };
    return { value: this.transpose(x, invertPerm(channelsLastToFirst(rank)), `${name}/to_channels_last`), rank };
  }

  /**
   * Runs `body` (which adds canonical channels-first ops) on the call's input of `spatial`
   * spatial dims, with transposes around it when the layer is channels_last.
   */
  channelsFirstBody(call: LayerCall, spatial: number, body: (x: string) => string): KerasTensor {
    const x = call.inputs[0];
    if (x.rank !== spatial + 2) {
      throw new FormatError(`expects a rank-${spatial + 2} input, got rank ${x.rank}`);
    }
    const cf = call.options.channelsFirst();
    return this.fromChannelsFirst(body(this.toChannelsFirst(x, cf, call.name)), x.rank, cf, call.name);
  }

  /** True when the model comes from Python Keras at least `major.minor` (false for tfjs-layers). */
  kerasAtLeast(major: number, minor: number): boolean {
    const m = /^(\d+)\.(\d+)/.exec(this.kerasVersion);
    return !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
  }
}

export function channelsLastToFirst(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

/** Transposes a weight at import with the canonical Transpose kernel. */
export function permuteTensor(t: Tensor, perm: readonly number[]): Tensor {
  const transpose = opDef('Transpose');
  if (!transpose?.run) throw new KilnError('E_INTERNAL', 'the canonical Transpose op is not registered');
  const node = { name: 'weight_transpose', op: 'Transpose', inputs: ['w'], outputs: ['wt'], attrs: { perm } };
  return transpose.run({ node, attrs: { perm }, inputs: [t] })[0];
}
