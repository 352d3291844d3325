// The artifact manifest: everything the runtime needs to run a compiled model, as data.
// validateManifest turns untrusted JSON into a Manifest or names the first bad field.
import { elementBytes, isDType, numel, type DType } from './dtypes.js';
import { KilnRuntimeError } from './errors.js';
import { SYNC_ALIGN, SYNC_BYTES } from './sync.js';
import type { HalfRun } from './weights.js';

/** WebAssembly features a module may need before it can load at all. */
export const FEATURES = ['simd', 'relaxed-simd', 'atomics'] as const;
export type Feature = (typeof FEATURES)[number];

export const PAGE_BYTES = 65536;

export interface Extent {
  readonly offset: number;
  readonly bytes: number;
}

/** A graph input or output: where its row-major elements sit in linear memory. */
export interface TensorSlot {
  readonly name: string;
  readonly dtype: DType;
  /** For an output with `dynamic` extents: the most it can hold, laid out row-major. */
  readonly shape: readonly number[];
  readonly offset: number;
  /**
   * Outputs only: axes whose actual length the run decides (NonZero, NonMaxSuppression), each
   * read as an i32 at countOffset after the run; the output is the leading part along them.
   */
  readonly dynamic?: readonly DynamicExtent[];
}

export interface DynamicExtent {
  readonly axis: number;
  readonly countOffset: number;
}

export interface Manifest {
  /** Version of the kiln that compiled the model, for diagnostics. */
  readonly kiln: string;
  /** Export the runtime calls, with no arguments, to run the model once. */
  readonly entry: string;
  /** Host features the module needs; load() refuses hosts without them. */
  readonly features: readonly Feature[];
  readonly memory: {
    /** Bytes the model uses; pages = the WebAssembly.Memory size created for it. */
    readonly bytes: number;
    readonly pages: number;
    readonly weights: Extent;
    readonly arena: Extent;
  };
  readonly inputs: readonly TensorSlot[];
  readonly outputs: readonly TensorSlot[];
  /**
   * With string inputs or outputs: the strings the model's constants hold, by handle. A run gives
   * each other distinct input string the next handle; equal strings always share one.
   */
  readonly strings?: readonly string[];
  /**
   * Present when the module runs on any number of threads: it imports a shared memory, its entry is
   * run(tid, threads), and its threads meet on the sync block at byte `sync` (src/runtime/sync.ts).
   * On a host that cannot share memory it runs on one thread with an unshared memory.
   */
  readonly threads?: { readonly sync: number };
  /**
   * Float32 runs of the weights region that the weights section stores as float16 (`kiln compile
   * --weights float16`), sorted by offset and disjoint; load widens them (weights.ts).
   */
  readonly halves?: readonly HalfRun[];
  /** Multiply-accumulates of one run, for GFLOP/s (absent when unknown). */
  readonly macs?: number;
  /** A profiling build's kernel calls, in run order (`kiln compile --profile`; profile.ts times them). */
  readonly profile?: readonly ProfiledCall[];
  /**
   * Present when the code section holds native code (a shared object from `--target native`)
   * rather than a WebAssembly module: what a host needs to run it. Only kiln/runtime/native loads these.
   */
  readonly native?: NativeCode;
  /**
   * The kernels `entry` calls, in order: the function index each runs as (identical kernels share
   * one) and the ops fused into it, so a trap in the module can be reported by kernel. Optional:
   * artifacts written before it lack it.
   */
  readonly kernels?: readonly KernelInfo[];
}

/** One kernel call of the entry: the module export that runs it, its arguments, and what it computes. */
export interface ProfiledCall {
  readonly export: string;
  readonly addresses: readonly number[];
  /** The graph ops the kernel holds, first the anchor op, then what fused into it. */
  readonly ops: readonly string[];
  /** Name of the anchor node, for the reader. */
  readonly node: string;
  /** Multiply-accumulates of one call (0 where an op has none). */
  readonly macs: number;
}

export interface NativeCode {
  /** The OS and architecture it was built for, as Node's process.platform and process.arch name them. */
  readonly os: string;
  readonly arch: string;
  /** The CPU it was compiled for (`--cpu`), and the CPU flags (as /proc/cpuinfo names them) it needs. */
  readonly cpu: string;
  readonly cpuFeatures: readonly string[];
}

export interface KernelInfo {
  readonly name: string;
  /** Index in the module's function index space. */
  readonly function: number;
  readonly ops: readonly string[];
}

const bad = (field: string, want: string, got?: unknown) => new KilnRuntimeError('E_FORMAT',
  `artifact manifest field '${field}' must be ${want}${got === undefined ? ' (missing)' : `, got ${JSON.stringify(got)}`}; the artifact is corrupt or from an incompatible kiln`);

type Json = Record<string, unknown>;

function object(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(field, 'an object', v);
  return v as Json;
}
function string(o: Json, key: string, field: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !v) throw bad(field, 'a nonempty string', v);
  return v;
}
function natural(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(field, 'a nonnegative integer', v);
  return v;
}
function array(o: Json, key: string, field: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw bad(field, 'an array', v);
  return v;
}

function extent(v: unknown, field: string, memoryBytes: number): Extent {
  const o = object(v, field);
  const e = { offset: natural(o.offset, `${field}.offset`), bytes: natural(o.bytes, `${field}.bytes`) };
  if (e.offset + e.bytes > memoryBytes) throw bad(field, `within memory.bytes (${memoryBytes})`, e);
  return e;
}

function slots(o: Json, key: 'inputs' | 'outputs', memoryBytes: number): TensorSlot[] {
  const names = new Set<string>();
  return array(o, key, key).map((v, i) => {
    const field = `${key}[${i}]`;
    const s = object(v, field);
    const name = string(s, 'name', `${field}.name`);
    if (names.has(name)) throw bad(`${field}.name`, 'unique', name);
    names.add(name);
    if (!isDType(s.dtype)) throw bad(`${field}.dtype`, 'a dtype the runtime knows', s.dtype);
    const shape = array(s, 'shape', `${field}.shape`).map((d, j) => natural(d, `${field}.shape[${j}]`));
    const offset = natural(s.offset, `${field}.offset`);
    const width = elementBytes(s.dtype);
    if (offset % width !== 0) throw bad(`${field}.offset`, `a multiple of ${width} (the ${s.dtype} size)`, offset);
    if (offset + numel(shape) * width > memoryBytes) throw bad(field, `within memory.bytes (${memoryBytes})`, { offset, shape });
    if (s.dynamic === undefined) return { name, dtype: s.dtype, shape, offset };
    if (key === 'inputs') throw bad(`${field}.dynamic`, 'absent on inputs', s.dynamic);
    const dynamic = array(s, 'dynamic', `${field}.dynamic`).map((d, j) => {
      const where = `${field}.dynamic[${j}]`, e = object(d, where);
      const axis = natural(e.axis, `${where}.axis`), countOffset = natural(e.countOffset, `${where}.countOffset`);
      if (axis >= shape.length) throw bad(`${where}.axis`, `an axis of the rank-${shape.length} shape`, axis);
      if (countOffset % 4 !== 0 || countOffset + 4 > memoryBytes) throw bad(`${where}.countOffset`, `an i32 offset within memory.bytes (${memoryBytes})`, countOffset);
      return { axis, countOffset };
    });
    return { name, dtype: s.dtype, shape, offset, dynamic };
  });
}

function halfRuns(table: unknown[], weights: Extent): HalfRun[] {
  let end = weights.offset;
  return table.map((v, i) => {
    const field = `halves[${i}]`, o = object(v, field);
    const run = { offset: natural(o.offset, `${field}.offset`), count: natural(o.count, `${field}.count`) };
    if (run.offset % 4 !== 0 || run.offset < end || run.offset + 4 * run.count > weights.offset + weights.bytes) {
      throw bad(field, `a float32 run inside memory.weights, 4-byte aligned, after the previous run (from ${end})`, run);
    }
    end = run.offset + 4 * run.count;
    return run;
  });
}

function profiledCalls(table: unknown[], memoryBytes: number): ProfiledCall[] {
  return table.map((v, i) => {
    const field = `profile[${i}]`, o = object(v, field);
    const addresses = array(o, 'addresses', `${field}.addresses`).map((a, j) => natural(a, `${field}.addresses[${j}]`));
    const bad_ = addresses.findIndex((a) => a > memoryBytes);
    if (bad_ >= 0) throw bad(`${field}.addresses[${bad_}]`, `within memory.bytes (${memoryBytes})`, addresses[bad_]);
    const ops = array(o, 'ops', `${field}.ops`).map((op, j) => { if (typeof op !== 'string') throw bad(`${field}.ops[${j}]`, 'a string', op); return op; });
    return { export: string(o, 'export', `${field}.export`), addresses, ops, node: typeof o.node === 'string' ? o.node : '', macs: natural(o.macs, `${field}.macs`) };
  });
}

function stringTable(table: unknown[]): string[] {
  const at = table.findIndex((s) => typeof s !== 'string');
  if (at >= 0) throw bad(`strings[${at}]`, 'a string', table[at]);
  if (new Set(table).size !== table.length) throw bad('strings', 'distinct strings', table);
  return table as string[];
}

function threadsField(v: unknown, memoryBytes: number): { sync: number } {
  const sync = natural(object(v, 'threads').sync, 'threads.sync');
  if (sync % SYNC_ALIGN !== 0 || sync + SYNC_BYTES > memoryBytes) {
    throw bad('threads.sync', `a multiple of ${SYNC_ALIGN} with ${SYNC_BYTES} bytes after it within memory.bytes (${memoryBytes})`, sync);
  }
  return { sync };
}

function kernelList(list: unknown[]): KernelInfo[] {
  return list.map((v, i) => {
    const field = `kernels[${i}]`, k = object(v, field);
    const ops = array(k, 'ops', `${field}.ops`).map((op, j) => {
      if (typeof op !== 'string') throw bad(`${field}.ops[${j}]`, 'a string', op);
      return op;
    });
    return { name: string(k, 'name', `${field}.name`), function: natural(k.function, `${field}.function`), ops };
  });
}

export function validateManifest(json: unknown): Manifest {
  const o = object(json, 'manifest');
  const features = array(o, 'features', 'features').map((f, i) => {
    if (!(FEATURES as readonly unknown[]).includes(f)) throw bad(`features[${i}]`, `one of ${FEATURES.join(', ')}`, f);
    return f as Feature;
  });
  const m = object(o.memory, 'memory');
  const bytes = natural(m.bytes, 'memory.bytes');
  const pages = natural(m.pages, 'memory.pages');
  if (pages * PAGE_BYTES < bytes || pages > 65536) throw bad('memory.pages', `enough 64 KiB pages for ${bytes} bytes, at most 65536`, pages);
  const weights = extent(m.weights, 'memory.weights', bytes);
  return {
    kiln: string(o, 'kiln', 'kiln'),
    entry: string(o, 'entry', 'entry'),
    features,
    memory: { bytes, pages, weights, arena: extent(m.arena, 'memory.arena', bytes) },
    inputs: slots(o, 'inputs', bytes),
    outputs: slots(o, 'outputs', bytes),
    ...(o.strings === undefined ? {} : { strings: stringTable(array(o, 'strings', 'strings')) }),
    ...(o.threads === undefined ? {} : { threads: threadsField(o.threads, bytes) }),
    ...(o.macs === undefined ? {} : { macs: natural(o.macs, 'macs') }),
    ...(o.halves === undefined ? {} : { halves: halfRuns(array(o, 'halves', 'halves'), weights) }),
    ...(o.profile === undefined ? {} : { profile: profiledCalls(array(o, 'profile', 'profile'), bytes) }),
    ...(o.native === undefined ? {} : { native: nativeCode(object(o.native, 'native')) }),
    ...(o.kernels === undefined ? {} : { kernels: kernelList(array(o, 'kernels', 'kernels')) }),
  };
}

function nativeCode(n: Json): NativeCode {
  const cpuFeatures = array(n, 'cpuFeatures', 'native.cpuFeatures').map((f, i) => {
    if (typeof f !== 'string' || !f) throw bad(`native.cpuFeatures[${i}]`, 'a nonempty string', f);
    return f;
  });
  return { os: string(n, 'os', 'native.os'), arch: string(n, 'arch', 'native.arch'), cpu: string(n, 'cpu', 'native.cpu'), cpuFeatures };
}
