// Loads a parsed artifact into a WebAssembly instance and runs it: inputs are copied to their
// planned offsets, the entry export runs, outputs are copied out so they outlive the next run.
import { parseArtifact, type Artifact } from './artifact.js';
import { checkArtifactLayout, createMemory } from './check-artifact.js';
import { trapError } from './traps.js';
import { arrayClass, numel, type DType, type TypedArray } from './dtypes.js';
import { KilnRuntimeError } from './errors.js';
import { hostFeatures, type HostFeatures } from './features.js';
import { FEATURES, type DynamicExtent, type Manifest, type TensorSlot } from './manifest.js';
import { StringTable } from './strings.js';

export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  /** An output whose length the run decides (NonZero, NonMaxSuppression) lists its bound; run() gives the actual shape. */
  readonly shape: readonly number[];
}

export interface Tensor extends TensorInfo {
  /** A string array for dtype 'string'. */
  readonly data: TypedArray | readonly string[];
}

/**
 * One input value: the typed array of its dtype (see dtypes.ts), or a plain number array
 * (converted; integers only for integer dtypes; not for float16), or a string array for dtype
 * 'string', either bare (it then has
 * the compiled shape) or with a shape that must equal the compiled one.
 */
export type Feed = TypedArray | readonly number[] | readonly string[]
  | { readonly data: TypedArray | readonly number[] | readonly string[]; readonly shape: readonly number[] };

export interface LoadOptions {
  /** Replaces the host probe (tests; or to refuse a feature the host has). */
  readonly hostFeatures?: HostFeatures;
}

export class Session {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];

  private constructor(readonly manifest: Manifest, private readonly memory: WebAssembly.Memory,
    private readonly entry: () => void) {
    const info = ({ name, dtype, shape }: TensorSlot): TensorInfo => Object.freeze({ name, dtype, shape: Object.freeze([...shape]) });
    this.inputs = Object.freeze(manifest.inputs.map(info));
    this.outputs = Object.freeze(manifest.outputs.map(info));
  }

  static async create(bytes: ArrayBuffer | ArrayBufferView, opts: LoadOptions = {}): Promise<Session> {
    const art = parseArtifact(bytes);
    const { manifest: m } = art;
    checkArtifactLayout(m);
    const host = opts.hostFeatures ?? hostFeatures();
    const missing = FEATURES.filter((f) => m.features.includes(f) && !host[f]);
    if (missing.length) {
      throw new KilnRuntimeError('E_FEATURE', `this host lacks WebAssembly ${missing.join(', ')}, which the model was compiled for; ` +
        `recompile it without ${missing.length > 1 ? 'them' : 'it'} (kiln compile --target) or run on a host that has ${missing.length > 1 ? 'them' : 'it'}`);
    }
    const memory = createMemory(m);
    new Uint8Array(memory.buffer, m.memory.weights.offset, art.weights.length).set(art.weights);
    return new Session(m, memory, await instantiate(art, memory));
  }

  /** Runs the model once; feeds are checked against the compiled inputs first. */
  async run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Tensor>> {
    const given = Object.keys(feeds);
    const unknown = given.filter((n) => !this.manifest.inputs.some((s) => s.name === n));
    const missing = this.manifest.inputs.filter((s) => !given.includes(s.name)).map((s) => s.name);
    if (unknown.length || missing.length) {
      throw new KilnRuntimeError('E_INPUT', [
        unknown.length ? `unknown input${unknown.length > 1 ? 's' : ''} ${quote(unknown)}` : '',
        missing.length ? `missing input${missing.length > 1 ? 's' : ''} ${quote(missing)}` : '',
      ].filter(Boolean).join(', ') + `; the model takes ${describe(this.inputs)}`);
    }
    const strings = new StringTable(this.manifest.strings ?? []);
    const values = this.manifest.inputs.map((slot) => [slot, checkedData(slot, feeds[slot.name], strings)] as const);
    for (const [slot, data] of values) this.view(slot).set(data as never);
    try { this.entry(); } catch (e) { throw trapError(e, this.manifest); }
    const out: Record<string, Tensor> = {};
    for (const slot of this.manifest.outputs) {
      const t = slot.dynamic ? this.trimmed(slot, slot.dynamic) : { name: slot.name, dtype: slot.dtype, shape: [...slot.shape], data: this.view(slot).slice() };
      out[slot.name] = slot.dtype === 'string' ? { ...t, data: strings.strings(t.data as Int32Array) } : t;
    }
    return out;
  }

  /** A dynamic output: the leading part of its bound shape along each dynamic axis, by the counts the run stored. */
  private trimmed(slot: TensorSlot, dynamic: readonly DynamicExtent[]): Tensor & { readonly data: TypedArray } {
    const counts = new Int32Array(this.memory.buffer);
    const shape = [...slot.shape];
    for (const { axis, countOffset } of dynamic) shape[axis] = Math.min(Math.max(counts[countOffset / 4], 0), slot.shape[axis]);
    const full = this.view(slot), data = new (arrayClass(slot.dtype))(numel(shape));
    // copy the kept box of the row-major bound array, one innermost row at a time
    const rank = shape.length, inner = rank ? shape[rank - 1] : 1;
    const rows = inner ? numel(shape) / inner : 0;
    const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let r = 0; r < rows; r++) {
      let from = 0;
      for (let d = 0; d < rank - 1; d++) from = from * slot.shape[d] + idx[d];
      from *= rank ? slot.shape[rank - 1] : 1;
      (data as Uint8Array).set((full as Uint8Array).subarray(from, from + inner), r * inner);
      for (let d = rank - 2; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
    }
    return { name: slot.name, dtype: slot.dtype, shape, data };
  }

  /** A view of a slot; made per use because a growing memory detaches old buffers. */
  private view(slot: TensorSlot): TypedArray {
    return new (arrayClass(slot.dtype))(this.memory.buffer, slot.offset, numel(slot.shape));
  }
}

async function instantiate(art: Artifact, memory: WebAssembly.Memory): Promise<() => void> {
  let instance: WebAssembly.Instance;
  try {
    const module = await WebAssembly.compile(art.wasm as Uint8Array<ArrayBuffer>);
    const foreign = WebAssembly.Module.imports(module).filter((i) => !(i.module === 'env' && i.name === 'memory' && i.kind === 'memory'));
    if (foreign.length) {
      throw new KilnRuntimeError('E_MODULE', `the model's module imports ${foreign.map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ')}, ` +
        `but the runtime provides only env.memory; the artifact is from an incompatible kiln`);
    }
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (e) {
    if (e instanceof KilnRuntimeError) throw e;
    throw new KilnRuntimeError('E_MODULE', `the model's WebAssembly module does not load: ${(e as Error).message}; the artifact is corrupt or from an incompatible kiln`);
  }
  const entry = instance.exports[art.manifest.entry];
  if (typeof entry !== 'function' || entry.length !== 0) {
    throw new KilnRuntimeError('E_MODULE', `the model's module has no function '${art.manifest.entry}' taking no arguments, which the manifest names as its entry; the artifact is corrupt`);
  }
  return entry as () => void;
}

/** The feed's elements as the slot's typed array (strings as their handles), after checking dtype and shape. */
function checkedData(slot: TensorSlot, feed: Feed, strings: StringTable): TypedArray {
  const isArrayLike = (v: unknown): v is TypedArray | readonly number[] | readonly string[] => Array.isArray(v) || ArrayBuffer.isView(v);
  const where = `input '${slot.name}' (${slot.dtype} ${fmt(slot.shape)})`;
  if (!isArrayLike(feed) && (typeof feed !== 'object' || feed === null || !('data' in feed))) {
    throw new KilnRuntimeError('E_INPUT', `${where} needs ${slot.dtype === 'string' ? 'a string array' : `a ${arrayClass(slot.dtype).name}, a number array`} or { data, shape }, got ${typeName(feed)}`);
  }
  const { data, shape } = isArrayLike(feed) ? { data: feed, shape: undefined } : feed;
  if (shape !== undefined && (shape.length !== slot.shape.length || shape.some((d, i) => d !== slot.shape[i]))) {
    throw new KilnRuntimeError('E_INPUT', `${where} was given shape ${fmt(shape)}; the model was compiled for ${fmt(slot.shape)} — feed that shape or recompile with kiln compile --shape`);
  }
  const want = numel(slot.shape);
  if (!isArrayLike(data)) throw new KilnRuntimeError('E_INPUT', `${where} needs a ${arrayClass(slot.dtype).name} or a number array, got ${typeName(data)}`);
  if (data.length !== want) {
    throw new KilnRuntimeError('E_INPUT', `${where} needs ${want} elements, got ${data.length}`);
  }
  if (slot.dtype === 'string') {
    const bad = Array.isArray(data) ? data.findIndex((v) => typeof v !== 'string') : 0;
    if (bad >= 0) throw new KilnRuntimeError('E_INPUT', `${where} needs an array of strings, got ${Array.isArray(data) ? `${typeName(data[bad])} at element ${bad}` : typeName(data)}`);
    return strings.handles(data as readonly string[]);
  }
  if (Array.isArray(data)) return fromNumbers(slot, where, data as readonly number[]);
  if (!(data instanceof arrayClass(slot.dtype))) {
    throw new KilnRuntimeError('E_INPUT', `${where} needs a ${arrayClass(slot.dtype).name}, got ${typeName(data)}`);
  }
  return data as TypedArray;
}

function fromNumbers(slot: TensorSlot, where: string, data: readonly number[]): TypedArray {
  if (slot.dtype === 'float16') throw new KilnRuntimeError('E_INPUT', `${where} takes a Uint16Array of half-precision bits, not numbers`);
  const integer = !slot.dtype.startsWith('float');
  const bad = data.findIndex((v) => typeof v !== 'number' || (integer && !Number.isSafeInteger(v)));
  if (bad >= 0) throw new KilnRuntimeError('E_INPUT', `${where} element ${bad} is ${JSON.stringify(data[bad])}, not ${integer ? 'an integer' : 'a number'}`);
  const Out = arrayClass(slot.dtype);
  const out = new Out(data.length);
  if (slot.dtype === 'int64' || slot.dtype === 'uint64') data.forEach((v, i) => { out[i] = BigInt(v); });
  else if (slot.dtype === 'bool') data.forEach((v, i) => { out[i] = v ? 1 : 0; });
  else (out as Exclude<TypedArray, BigInt64Array | BigUint64Array>).set(data);
  return out;
}

const fmt = (shape: readonly number[]) => `[${shape.join(',')}]`;
const quote = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');
const describe = (infos: readonly TensorInfo[]) => infos.map((i) => `'${i.name}' (${i.dtype} ${fmt(i.shape)})`).join(', ');
const typeName = (v: unknown) => (v === null ? 'null' : typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : typeof v);
