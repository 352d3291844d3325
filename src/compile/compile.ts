// The compile pipeline: a graph with static shapes -> folded graph (constants, cancelling transposes,
// batch-norm into convs) -> one kernel per node ->
// static memory plan -> one WebAssembly module -> a .kiln artifact the runtime loads.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { manifestLayout, tensorBytes, weightsImage } from '../artifact/layout.js';
import { writeArtifact } from '../artifact/write.js';
import { InputError, ShapeError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { fmtShape, isStatic } from '../ir/shape.js';
import type { Tensor } from '../ir/tensor.js';
import { printKernel } from '../loop/print.js';
import { checkOptLevel, DEFAULT_OPT_LEVEL, optimizeGraph } from '../passes/pipeline.js';
import type { Feature } from '../runtime/manifest.js';
import { PAGE_BYTES } from '../runtime/manifest.js';
import { buildModule } from '../target/wasm/codegen.js';
import { toWat } from '../target/wasm/wat.js';
import { checkMemorySize, checkValueSizes } from './budget.js';
import { boundDynamicOutputs, type DynamicOutput } from './dynamic-outputs.js';
import { fuseGraph, singletonGroups, type KernelGroup } from './fuse.js';
import { lowerGraph } from './kernels.js';
import { planKernels } from './plan.js';
import { stringsToHandles, type StringHandles } from './string-handles.js';

export type CompileTarget = 'wasm-simd' | 'wasm';
export const COMPILE_TARGETS: readonly CompileTarget[] = ['wasm-simd', 'wasm'];

export interface CompileOptions {
  /** Default 'wasm-simd'. */
  readonly target?: CompileTarget;
  /** Use relaxed-SIMD instructions (fused multiply-add); the artifact then needs a host with them. */
  readonly relaxedSimd?: boolean;
  /** Fuse elementwise ops into the kernels that produce their inputs (default: at opt level 2 and up). */
  readonly fuse?: boolean;
  /** KILN_DEBUG level, printed to stderr: 1 stage timings, 2 also the folded graph, 3 also each kernel's loop IR and the module as .wat. */
  readonly debugLevel?: number;
  /** Graph optimisation level 0-3 (src/passes/pipeline.ts); default 3. */
  readonly optLevel?: number;
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
  const target = opts.target ?? 'wasm-simd';
  if (!COMPILE_TARGETS.includes(target)) throw new InputError(`unknown target '${target}'; use one of ${COMPILE_TARGETS.join(', ')}`);
  const simd = target === 'wasm-simd';
  if (opts.relaxedSimd && !simd) throw new InputError('relaxed SIMD needs the wasm-simd target; drop --relaxed-simd or use --target wasm-simd');
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
  const lowered = stage('lower', () => lowerGraph(g, { simd, trace, refused: strings.refused }, groups));
  const { plan, calls } = stage('memory plan', () => planKernels(g, lowered));
  checkMemorySize(plan.totalBytes);
  const pages = Math.max(1, Math.ceil(plan.totalBytes / PAGE_BYTES));
  const module = stage('codegen', () => buildModule(calls, { target: { simd, relaxedSimd: opts.relaxedSimd ?? false }, memory: { min: pages, max: pages } }));
  const features: Feature[] = [...(simd ? ['simd' as const] : []), ...(opts.relaxedSimd ? ['relaxed-simd' as const] : [])];
  const constants = new Map<string, Tensor>([...g.constants, ...lowered.packed]);
  const weights = weightsImage(plan, constants, (_, t) => tensorBytes(t));
  const bytes = stage('artifact', () => writeArtifact({
    manifest: {
      kiln: kilnVersion(), entry: ENTRY, features, ...manifestLayout(g, plan, dynamic, strings.values),
      ...(strings.values.size ? { strings: strings.strings } : {}),
      kernels: calls.map(({ group, kernel }) => ({ name: kernel.name, function: module.kernelIndex.get(kernel.name)!, ops: group.nodes.map((n) => n.op) })),
    },
    wasm: module.bytes, weights,
  }));
  if (level >= 3) {
    for (const { kernel } of lowered.steps) trace(3, printKernel(kernel));
    trace(3, `module:\n${await toWat(module.bytes)}`);
  }
  return {
    bytes,
    report: {
      nodes: g.nodes.length,
      groups: groups.length,
      kernels: calls.length,
      uniqueKernels: new Set(module.kernelIndex.values()).size,
      compileMs: performance.now() - t0,
      artifactBytes: bytes.length,
      wasmBytes: module.bytes.length,
      weightsBytes: weights.length,
      arenaBytes: plan.arena.bytes,
      intermediateBytes: plan.intermediateBytes,
      vectorizeFallbacks: lowered.vectorizeFallbacks,
      features,
      stages,
    },
  };
}

function checkStaticInputs(g: Graph): void {
  for (const name of g.inputs) {
    const { shape } = g.values.get(name)!;
    if (!isStatic(shape)) {
      throw new ShapeError(`input '${name}' has shape ${fmtShape(shape)}; compiled models need every dim fixed: pass --shape ${name}=${shape.map((d) => (typeof d === 'number' ? d : 1)).join(',')} (with your sizes)`);
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
