// The graph optimisation pipeline: named passes, each enabled from an opt level on, run in table
// order, each followed by the verifier; KILN_DEBUG=1 prints every pass's time, 2 the graph after it.
import { performance } from 'node:perf_hooks';
import { InputError, KilnError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { isStatic, sameShape } from '../ir/shape.js';
import { verifyGraph } from '../ir/verify.js';
import { opDef } from '../ops/index.js';
import { cancelTransposes } from './cancel-transposes.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dce.js';
import { expandOps } from './expand.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { foldConstants } from './fold-constants.js';
import { foldPad } from './fold-pad.js';
import { foldScaleShift } from './fold-scale-shift.js';
import { inferShapes } from './infer-shapes.js';
import { inlineSubgraphs } from './inline-subgraphs.js';
import { simplify } from './simplify.js';

export type OptLevel = 0 | 1 | 2 | 3;
export const OPT_LEVELS: readonly OptLevel[] = [0, 1, 2, 3];
export const DEFAULT_OPT_LEVEL: OptLevel = 3;

export interface Pass {
  readonly name: string;
  /** The lowest opt level that runs it. */
  readonly minLevel: OptLevel;
  run(g: Graph): Graph;
}

/**
 * Level 0 runs only what compilation needs: constant folding, because kernels take shapes, axes
 * and pads as compile-time constants (a Reshape fed by Shape->Gather->Concat lowers only once
 * that chain is a constant), and dead-code elimination of what folding leaves unread.
 * Subgraphs that constants decide (an If on a frozen input) are inlined first, so the ops of the
 * branch taken are expanded and folded like any others.
 * 1 adds the rewrites that only remove work (simplify, CSE), 2 those that merge one op into
 * another (batch-norm, scale/shift and padding into convolutions), 3 layout planning.
 */
export const PASSES: readonly Pass[] = [
  { name: 'inline-subgraphs', minLevel: 0, run: inlineSubgraphs },
  { name: 'expand', minLevel: 0, run: expandOps },
  { name: 'fold-constants', minLevel: 0, run: foldConstants },
  { name: 'simplify', minLevel: 1, run: simplify },
  { name: 'cse', minLevel: 1, run: eliminateCommonSubexpressions },
  { name: 'fold-constants', minLevel: 1, run: foldConstants },
  { name: 'fold-batchnorm', minLevel: 2, run: foldBatchNorm },
  { name: 'fold-scale-shift', minLevel: 2, run: foldScaleShift },
  { name: 'fold-pad', minLevel: 2, run: foldPad },
  { name: 'cancel-transposes', minLevel: 3, run: cancelTransposes },
  // with the transposes gone, an NHWC scale, shift or pad may now sit right after its convolution
  { name: 'fold-batchnorm', minLevel: 3, run: foldBatchNorm },
  { name: 'fold-scale-shift', minLevel: 3, run: foldScaleShift },
  { name: 'fold-pad', minLevel: 3, run: foldPad },
  // transposes that met and cancelled can leave reshape chains, duplicates and folded constants behind
  { name: 'simplify', minLevel: 3, run: simplify },
  { name: 'cse', minLevel: 3, run: eliminateCommonSubexpressions },
  { name: 'fold-constants', minLevel: 3, run: foldConstants },
  { name: 'dce', minLevel: 0, run: eliminateDeadCode },
];

export interface OptimizeOptions {
  /** Default 3. */
  readonly optLevel?: number;
  /** KILN_DEBUG level: 1 prints each pass's time, 2 also the graph after it (on stderr). */
  readonly debugLevel?: number;
  /**
   * After every pass, also re-infer every type and require the pass to have kept them (the
   * structural verifier runs regardless). Tests turn it on; it costs a shape inference per pass.
   */
  readonly verify?: boolean;
  /** The pass table; default PASSES. */
  readonly passes?: readonly Pass[];
  /** Where debug lines go; default stderr. */
  readonly log?: (line: string) => void;
}

export interface PassTiming {
  readonly pass: string;
  readonly ms: number;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
}

export function checkOptLevel(level: number): OptLevel {
  const found = OPT_LEVELS.find((l) => l === level);
  if (found === undefined) throw new InputError(`opt level must be one of ${OPT_LEVELS.join(', ')}, got ${level}`);
  return found;
}

export function optimizeGraph(g: Graph, opts: OptimizeOptions = {}): { graph: Graph; timings: readonly PassTiming[] } {
  const level = checkOptLevel(opts.optLevel ?? DEFAULT_OPT_LEVEL);
  const debug = opts.debugLevel ?? 0;
  const log = opts.log ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  const timings: PassTiming[] = [];
  let graph = g;
  for (const pass of opts.passes ?? PASSES) {
    if (pass.minLevel > level) continue;
    const start = performance.now();
    const next = pass.run(graph);
    const ms = performance.now() - start;
    checkPass(pass.name, graph, next, opts.verify ?? false);
    timings.push({ pass: pass.name, ms, nodesBefore: graph.nodes.length, nodesAfter: next.nodes.length });
    if (debug >= 1) log(`kiln: debug: pass ${pass.name}: ${ms.toFixed(1)} ms, ${graph.nodes.length} -> ${next.nodes.length} nodes`);
    if (debug >= 2) log(`kiln: debug: graph after ${pass.name}:\n${printGraph(next)}`);
    graph = next;
  }
  return { graph, timings };
}

/** A pass that breaks the graph is a Kiln bug: say which pass, before code is generated from it. */
function checkPass(name: string, before: Graph, after: Graph, retype: boolean): void {
  const fail = (why: string) => { throw new KilnError('E_INTERNAL', `graph pass '${name}' left an invalid graph: ${why}`); };
  try {
    verifyGraph(after, opDef);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (after.inputs.join('\n') !== before.inputs.join('\n') || after.outputs.join('\n') !== before.outputs.join('\n')) {
    fail('the graph inputs or outputs changed');
  }
  for (const o of after.outputs) {
    const was = before.values.get(o)!, now = after.values.get(o)!;
    if (was.dtype !== now.dtype || !sameShape(was.shape, now.shape)) fail(`output '${o}' changed type`);
  }
  if (!retype) return;
  let inferred: Graph;
  try {
    inferred = inferShapes(after);
  } catch (e) {
    return fail(`shape inference fails on it: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const [v, info] of after.values) {
    const again = inferred.values.get(v)!;
    // symbolic dims get fresh names from every inference: compare those by rank
    const shapesAgree = isStatic(info.shape) ? sameShape(again.shape, info.shape) : again.shape.length === info.shape.length;
    if (again.dtype !== info.dtype || !shapesAgree) fail(`value '${v}' is typed ${info.dtype}[${info.shape.join(',')}] but infers as ${again.dtype}[${again.shape.join(',')}]`);
  }
}
