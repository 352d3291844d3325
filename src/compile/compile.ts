// The compile pipeline: a graph with static shapes -> folded graph (constants, cancelling transposes,
// batch-norm into convs) -> one kernel per node, scheduled and legalized for the target ->
// static memory plan -> the target's code (a WebAssembly module, ...) -> a .kiln artifact the runtime loads.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { manifestLayout, tensorBytes, weightsImage } from '../artifact/layout.js';
import { halveWeights, type WeightEncoding } from '../artifact/half-weights.js';
import { graphMacs, profiledCalls } from '../artifact/profiled-calls.js';
import { writeArtifact } from '../artifact/write.js';
import { ShapeError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { exampleShape, fmtShape, isStatic } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { printKernel } from '../loop/print.js';
import { checkOptLevel, DEFAULT_OPT_LEVEL, optimizeGraph } from '../passes/pipeline.js';
import type { Feature } from '../runtime/manifest.js';
import { SYNC_ALIGN, SYNC_BYTES } from '../runtime/sync.js';
import { alignUp } from '../passes/memory-plan.js';
import type { TargetName } from '../target/target.js';
import type { NativeBuildReport } from '../target/c/target.js';
import { targetFor } from '../target/targets.js';
import { checkMemorySize, checkValueSizes } from './budget.js';
import { boundDynamicOutputs, type DynamicOutput } from './dynamic-outputs.js';
import { fuseGraph, singletonGroups, type KernelGroup } from './fuse.js';
import { lowerGraph } from './kernels.js';
import { planKernels } from './plan.js';
import { refuseControlFlow } from './unsupported.js';
import { stringsToHandles, type StringHandles } from './string-handles.js';

export type CompileTarget = TargetName;
export { COMPILE_TARGETS } from '../target/targets.js';

export interface CompileOptions {
  /** Default 'wasm-simd'. */
  readonly target?: CompileTarget;
  /** Use relaxed-SIMD instructions (fused multiply-add); the artifact then needs a host with them. */
  readonly relaxedSimd?: boolean;
  /** native, c: the CPU to compile for (default the host's; see src/target/c/facts.ts). */
  readonly cpu?: string;
  /** c: the name of the model's entry function (default kiln_run). */
  readonly entry?: string;
  /** Fuse elementwise ops into the kernels that produce their inputs (default: at opt level 2 and up). */
  readonly fuse?: boolean;
  /** KILN_DEBUG level, printed to stderr: 1 stage timings, 2 also the folded graph, 3 also each kernel's loop IR and the module as .wat. */
  readonly debugLevel?: number;
  /** Graph optimisation level 0-3 (src/passes/pipeline.ts); default 3. */
  readonly optLevel?: number;
  /**
   * Work (loop iterations) below which a stage stays on one thread; default PARALLEL_MIN_WORK
   * (src/schedule/parallel.ts). 0 splits every stage that can be split (tests of the threaded code).
   */
  readonly parallelMinWork?: number;
  /** How float32 weights are stored: 'float16' halves them in the file (widened at load); default 'float32'. */
  readonly weights?: WeightEncoding;
  /** A profiling build: the module exports every kernel and the manifest lists the calls (`kiln profile`). */
  readonly profile?: boolean;
}

export interface CompileReport {
  /** Nodes left after the graph passes. */
  readonly nodes: number;
  /** Kernel groups fusion made of them. */
  readonly groups: number;
  /** Kernel calls the entry makes (one per group, but none for views and one per node of a group that could not fuse). */
  readonly kernels: number;
  /** Distinct functions after identical kernels are merged. */
  readonly uniqueKernels: number;
  readonly compileMs: number;
  readonly artifactBytes: number;
  readonly wasmBytes: number;
  readonly weightsBytes: number;
  readonly arenaBytes: number;
  /** What the arena would take with no reuse between intermediates. */
  readonly intermediateBytes: number;
  readonly vectorizeFallbacks: number;
  readonly features: readonly Feature[];
  /** Milliseconds per stage. */
  readonly stages: Readonly<Record<string, number>>;
  /** native: whether the shared object came from the build cache (no C compile). */
  readonly nativeCached?: boolean;
}

export interface CompileResult {
  /** The .kiln artifact. */
  readonly bytes: Uint8Array;
  readonly report: CompileReport;
}

const ENTRY = 'run';

let version: string | undefined;
function kilnVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

type Stage = <T>(name: string, fn: () => T) => T;

export interface PreparedGraph {
  readonly graph: Graph;
  /** Outputs whose length the data decides, compiled for their bound (dynamic-outputs.ts). */
  readonly dynamic: readonly DynamicOutput[];
  readonly groups: readonly KernelGroup[];
  /** String constants' table and the string inputs and outputs (string-handles.ts). */
  readonly strings: StringHandles;
}

/**
 * The graph as the compiler lowers it — folded, every value static — and its kernel groups (fused
 * unless opts.fuse is false). `kiln inspect --kernels` lists these groups.
 */
export function prepareGraph(graph: Graph, opts: Pick<CompileOptions, 'fuse' | 'optLevel' | 'debugLevel'> = {},
  stage: Stage = (_, fn) => fn()): PreparedGraph {
  checkStaticInputs(graph);
  checkValueSizes(graph);
  const level = checkOptLevel(opts.optLevel ?? DEFAULT_OPT_LEVEL);
  const optimized = stage('optimize', () => optimizeGraph(graph, { optLevel: level, debugLevel: opts.debugLevel }).graph);
  refuseControlFlow(optimized);
  // a graph folded to constants still compiles: its outputs are read from the weights (or its inputs) and run does nothing
  const { graph: bounded, dynamic } = checkStaticValues(optimized);
  checkValueSizes(bounded);
  const strings = stringsToHandles(bounded);
  const g = strings.graph;
  // fusion merges ops, like the level-2 passes
  const fuse = opts.fuse ?? level >= 2;
  return { graph: g, dynamic, strings, groups: stage('fuse', () => (fuse ? fuseGraph(g) : singletonGroups(g))) };
}

/** Compiles `graph` (every input dim fixed) into a .kiln artifact. */
export async function compile(graph: Graph, opts: CompileOptions = {}): Promise<CompileResult> {
  const nativeReport: NativeBuildReport = {};
  const target = targetFor(opts.target ?? 'wasm-simd', { relaxedSimd: opts.relaxedSimd, cpu: opts.cpu, nativeReport, entry: opts.entry });
  const level = opts.debugLevel ?? 0;
  const trace = (at: number, text: string) => { if (level >= at) process.stderr.write(`kiln: debug: ${text}\n`); };
  const stages: Record<string, number> = {};
  const t0 = performance.now();
  const stage = <T>(name: string, fn: () => T): T => {
    const start = performance.now();
    const result = fn();
    stages[name] = performance.now() - start;
    trace(1, `compile: ${name}: ${stages[name].toFixed(1)} ms`);
    return result;
  };

  const { graph: g, groups, dynamic, strings } = prepareGraph(graph, { ...opts, debugLevel: level }, stage);
  trace(1, `compile: fusion: ${g.nodes.length} nodes in ${groups.length} kernel groups`);
  trace(2, `kernel groups:\n${groups.map((k) => `  ${k.name}: ${k.nodes.map((n) => n.op).join(' + ')}`).join('\n')}`);
  const lowered = stage('lower', () => lowerGraph(g, { target, trace, refused: strings.refused, parallelMinWork: opts.parallelMinWork }, groups));
  const { plan, calls } = stage('memory plan', () => planKernels(g, lowered, target.alignment));
  // the threads' sync block follows everything the plan placed (a target without threads leaves it unused)
  const sync = alignUp(plan.totalBytes, SYNC_ALIGN);
  const memoryBytes = sync + SYNC_BYTES;
  checkMemorySize(memoryBytes);
  const code = stage('codegen', () => target.emit({
    calls, plan, inputs: g.inputs, outputs: g.outputs, memoryBytes, sync, exportKernels: opts.profile ?? false,
  }));
  const features = [...code.features];
  const constants = new Map<string, Tensor>([...g.constants, ...lowered.packed]);
  const image = weightsImage(plan, constants, (_, t) => tensorBytes(t));
  const { section: weights, halves } = opts.weights === 'float16' ? halveWeights(plan, constants, image) : { section: image, halves: [] };
  const macs = graphMacs(g);
  const bytes = stage('artifact', () => writeArtifact({
    manifest: {
      kiln: kilnVersion(), entry: ENTRY, features, ...manifestLayout(g, plan, dynamic, strings.values, memoryBytes),
      ...(code.threads ? { threads: code.threads } : {}),
      ...(strings.values.size ? { strings: strings.strings } : {}),
      ...(halves.length ? { halves } : {}),
      ...(macs ? { macs } : {}),
      ...(opts.profile ? { profile: profiledCalls(g, calls) } : {}),
      ...(code.native ? { native: code.native } : {}),
      ...(code.kernelFunctions ? { kernels: calls.map(({ group, kernel }) => ({ name: kernel.name, function: code.kernelFunctions!.get(kernel.name)!, ops: group.nodes.map((n) => n.op) })) } : {}),
    },
    wasm: code.code, weights,
  }));
  if (level >= 3) {
    for (const { kernel } of lowered.steps) trace(3, printKernel(kernel));
    trace(3, `module:\n${await code.text()}`);
  }
  return {
    bytes,
    report: {
      nodes: g.nodes.length,
      groups: groups.length,
      kernels: calls.length,
      uniqueKernels: code.uniqueKernels,
      compileMs: performance.now() - t0,
      artifactBytes: bytes.length,
      wasmBytes: code.code.length,
      weightsBytes: weights.length,
      arenaBytes: plan.arena.bytes,
      intermediateBytes: plan.intermediateBytes,
      vectorizeFallbacks: lowered.vectorizeFallbacks,
      features,
      stages,
      ...(nativeReport.cached !== undefined ? { nativeCached: nativeReport.cached } : {}),
    },
  };
}

function checkStaticInputs(g: Graph): void {
  for (const name of g.inputs) {
    const { shape } = g.values.get(name)!;
    if (!isStatic(shape)) {
      throw new ShapeError(`input '${name}' has shape ${fmtShape(shape)}; compiled models need every dim fixed: pass --shape ${name}=${exampleShape(shape).join(',')} (with your sizes)`);
    }
  }
}

/**
 * Shapes that depend on input values (NonZero, data-driven Reshape) stay symbolic even with fixed
 * inputs: model outputs of ops that bound them compile for the bound (see dynamic-outputs.ts);
 * any other is a ShapeError.
 */
function checkStaticValues(g: Graph): { graph: Graph; dynamic: readonly DynamicOutput[] } {
  return boundDynamicOutputs(g);
}
