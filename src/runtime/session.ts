// Loads a parsed artifact into a WebAssembly instance and runs it: inputs are copied to their
// planned offsets, the entry export runs (on every thread of the session's team, team.ts),
// outputs are copied out so they outlive the next run.
import { parseArtifact } from './artifact.js';
import { checkArtifactLayout, createMemory } from './check-artifact.js';
import { trapError } from './traps.js';
import { arrayClass, numel, type DType, type TypedArray } from './dtypes.js';
import { KilnRuntimeError } from './errors.js';
import { hostFeatures, WITHOUT_FEATURE, type HostFeatures } from './features.js';
import { FEATURES, type DynamicExtent, type Manifest, type TensorSlot } from './manifest.js';
import { StringTable } from './strings.js';
import { unsharedMemoryImport } from './module-patch.js';
import { hostCores } from './pool.js';
import { canBlock, ThreadTeam, type Entry } from './team.js';
import { writeWeights } from './weights.js';

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
  /**
   * Threads the model runs on: default the cores the host reports, at most DEFAULT_MAX_THREADS.
   * 1 starts no worker. Where memory cannot be shared with workers (a page that is not
   * cross-origin isolated) the session runs on one thread and says so once.
   */
  readonly threads?: number;
  /**
   * Run on workers only, so a run can be given a time limit (run's `timeoutMs` or `signal`), for
   * artifacts from producers the application does not trust. Costs one more worker than `threads`
   * (none of the runs happen on the calling thread) and a message round trip per run; needs memory
   * that can be shared with workers.
   */
  readonly interruptible?: boolean;
}

/** Limits of one run; they need a session loaded with `interruptible: true`. */
export interface RunOptions {
  /** Stop the run (and the session: its memory may hold a half-written run) after this long. */
  readonly timeoutMs?: number;
  /** Stop the run (and the session) when this signal aborts. */
  readonly signal?: AbortSignal;
}

/** The default thread count's cap: past it, barriers between kernels cost more than the threads bring. */
export const DEFAULT_MAX_THREADS = 8;
/** The most threads a session takes when asked. */
export const MAX_THREADS = 64;

let warnedSharing = false;

/** A session dropped without dispose() still gives its workers back when it is collected. */
const orphans = new FinalizationRegistry<ThreadTeam>((team) => void team.dispose());

export class Session {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(readonly manifest: Manifest, private memory: { readonly buffer: ArrayBufferLike } | undefined,
    private readonly entry: Entry, private team: ThreadTeam | undefined, private readonly interruptible: boolean) {
    const info = ({ name, dtype, shape }: TensorSlot): TensorInfo => Object.freeze({ name, dtype, shape: Object.freeze([...shape]) });
    this.inputs = Object.freeze(manifest.inputs.map(info));
    this.outputs = Object.freeze(manifest.outputs.map(info));
    this.threads = team?.threads ?? 1;
    if (team) orphans.register(this, team, this);
  }

  /** Threads each run uses (1 when the model, the host or the options allow no more). */
  readonly threads: number;

  static async create(bytes: ArrayBuffer | ArrayBufferView, opts: LoadOptions = {}): Promise<Session> {
    const art = parseArtifact(bytes);
    const { manifest: m } = art;
    if (m.native) {
      throw new KilnRuntimeError('E_FEATURE', `this artifact holds native code for ${m.native.os}-${m.native.arch} (kiln compile --target native), which this loader does not run; ` +
        `load it with loadNative(), exported by kiln/runtime/native (Node only), or recompile with --target wasm-simd`);
    }
    checkArtifactLayout(m);
    const host = opts.hostFeatures ?? hostFeatures();
    const missing = FEATURES.filter((f) => m.features.includes(f) && !host[f]);
    if (missing.length) {
      throw new KilnRuntimeError('E_FEATURE', `this host lacks WebAssembly ${missing.join(', ')}, which the model was compiled for; ` +
        `recompile it without ${missing.length > 1 ? 'them' : 'it'} (${missing.map((f) => WITHOUT_FEATURE[f]).join('; ')}) or run on a host that has ${missing.length > 1 ? 'them' : 'it'}`);
    }
    if (opts.interruptible && !(m.threads && host.threads)) {
      throw new KilnRuntimeError('E_THREADS', `interruptible sessions run on workers, which needs ${m.threads ? 'a host that can share memory with them (in a browser: a cross-origin isolated page)' : 'an artifact compiled for threads'}; load without interruptible`);
    }
    const threads = m.threads ? await threadCount(opts.threads, host) : 1;
    const shared = threads > 1 || opts.interruptible === true;
    const memory = createMemory(m, shared);
    writeWeights(memory.buffer, m, art.weights);
    const wasm = m.threads && !shared ? unsharedMemoryImport(art.wasm) : art.wasm;
    const { module, entry } = await instantiate(wasm, m, memory);
    const team = shared ? await ThreadTeam.create(module, memory, m.threads!.sync, threads, !opts.interruptible && canBlock()) : undefined;
    return new Session(m, memory, entry, team, opts.interruptible === true);
  }

  /**
   * A session over memory another loader set up (kiln/runtime/native): `entry` runs the model on
   * `memory.buffer`, laid out as the manifest says, with the weights in place.
   */
  static over(manifest: Manifest, memory: { readonly buffer: ArrayBufferLike }, entry: () => void): Session {
    return new Session(manifest, memory, () => entry(), undefined, false);
  }

  /**
   * Runs the model once; feeds are checked against the compiled inputs first. Calls made while a
   * run is under way wait their turn.
   */
  run(feeds: Readonly<Record<string, Feed>>, opts: RunOptions = {}): Promise<Record<string, Tensor>> {
    if (this.disposed) return Promise.reject(new KilnRuntimeError('E_DISPOSED', 'this session was disposed; load the model again to run it'));
    if ((opts.timeoutMs !== undefined || opts.signal !== undefined) && !this.interruptible) {
      return Promise.reject(new KilnRuntimeError('E_INPUT', 'a run can be given a time limit only in a session loaded with { interruptible: true }, whose runs happen on workers that can be stopped'));
    }
    if (opts.timeoutMs !== undefined && !(typeof opts.timeoutMs === 'number' && opts.timeoutMs >= 0)) {
      return Promise.reject(new KilnRuntimeError('E_INPUT', `run option timeoutMs must be a nonnegative number of milliseconds, got ${JSON.stringify(opts.timeoutMs)}`));
    }
    const result = this.queue.then(() => this.runNow(feeds, opts));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the session's threads and lets its memory go once the runs already asked for are over; run() then throws. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    const team = this.team;
    this.team = undefined;
    this.memory = undefined;
    orphans.unregister(this);
    await team?.dispose();
  }

  private async runNow(feeds: Readonly<Record<string, Feed>>, limit: RunOptions): Promise<Record<string, Tensor>> {
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
    try {
      if (this.team) await this.team.run(this.entry, limit); else this.entry(0, 1);
    } catch (e) {
      throw trapError(e, this.manifest);
    }
    const out: Record<string, Tensor> = {};
    for (const slot of this.manifest.outputs) {
      const t = slot.dynamic ? this.trimmed(slot, slot.dynamic) : { name: slot.name, dtype: slot.dtype, shape: [...slot.shape], data: this.view(slot).slice() };
      out[slot.name] = slot.dtype === 'string' ? { ...t, data: strings.strings(t.data as Int32Array) } : t;
    }
    return out;
  }

  /** A dynamic output: the leading part of its bound shape along each dynamic axis, by the counts the run stored. */
  private trimmed(slot: TensorSlot, dynamic: readonly DynamicExtent[]): Tensor & { readonly data: TypedArray } {
    const counts = new Int32Array(this.memory!.buffer);
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
    return new (arrayClass(slot.dtype))(this.memory!.buffer, slot.offset, numel(slot.shape));
  }
}

/** The threads a session gets: asked for (checked) or the host's cores; 1 where memory cannot be shared. */
async function threadCount(asked: number | undefined, host: HostFeatures): Promise<number> {
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1 && asked <= MAX_THREADS)) {
    throw new KilnRuntimeError('E_INPUT', `load option threads must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(asked)}`);
  }
  const wanted = asked ?? Math.min(await hostCores() ?? 1, DEFAULT_MAX_THREADS);
  if (wanted === 1 || host.threads) return wanted;
  if (!warnedSharing) {
    warnedSharing = true;
    console.warn(`kiln: this host cannot share memory with workers, so models run on 1 thread instead of ${wanted}; ` +
      'in a browser, serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp');
  }
  return 1;
}

/** Compiles and instantiates the module on `memory`; the entry takes (tid, threads) when the module is threaded. */
async function instantiate(wasm: Uint8Array, m: Manifest, memory: WebAssembly.Memory): Promise<{ module: WebAssembly.Module; entry: Entry }> {
  let module: WebAssembly.Module, instance: WebAssembly.Instance;
  try {
    module = await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
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
  const entry = instance.exports[m.entry];
  const arity = m.threads ? 2 : 0;
  if (typeof entry !== 'function' || entry.length !== arity) {
    throw new KilnRuntimeError('E_MODULE', `the model's module has no function '${m.entry}' taking ${arity} arguments, which the manifest names as its entry; the artifact is corrupt`);
  }
  return { module, entry: entry as Entry };
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
  if (Array.isArray(data) && Array.isArray(data[0])) {
    throw new KilnRuntimeError('E_INPUT', `${where} was given a nested array; give its ${want} elements flat, in row-major order (nested.flat(Infinity)), or a ${arrayClass(slot.dtype).name}`);
  }
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
