// The one interface every benchmarked engine implements, Kiln and peers alike, so the harness
// times them all the same way: prepare once, then run(feeds) with outputs read back into JS.
import type { DType, NumericData } from '../src/ir/dtype.js';

/** A tensor in plain JS memory: what feeds are made of and what run() must read back into. */
export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: NumericData | BigInt64Array | BigUint64Array;
}

export type HostFeeds = Readonly<Record<string, HostTensor>>;
/** Outputs by the engine's own name for them (TF.js may append ':0'; the comparison strips it). */
export type HostOutputs = ReadonlyMap<string, HostTensor>;

/** What prepare() learned; the compiled Kiln engine fills in the compile facts. */
export interface PrepareInfo {
  /** Version of the package behind the engine, for the results file. */
  readonly version?: string;
  /** Threads the engine reports it actually uses, when it can say (else the configured count stands). */
  readonly threads?: number;
  readonly compileMs?: number;
  readonly artifactBytes?: number;
  /** Kernel calls of the compiled model without and with operator fusion. */
  readonly kernels?: { readonly unfused: number; readonly fused: number };
  readonly note?: string;
}

export interface Engine {
  readonly name: string;
  /** Loads (or compiles) the model with these exact input shapes. Throws UnsupportedError when the engine does not exist yet. */
  prepare(modelPath: string, inputShapes: Readonly<Record<string, readonly number[]>>): Promise<PrepareInfo>;
  /** One inference, including turning the feeds into the engine's tensors and reading every output back. */
  run(feeds: HostFeeds): Promise<HostOutputs>;
  dispose(): Promise<void>;
}
