// Lowering: compute stages + a schedule -> one loop-IR kernel. Each materialised stage becomes a
// loop nest shaped by its steps; a reduction keeps its accumulators in locals, one per element of
// the register tile (the spatial axes the schedule places inside the reduction).
import {
  bin, cnst, computeType, loop, seq, store, v, vec, ramp, type Buffer, type Expr, type Kernel, type ScalarType, type Stmt, type VType,
} from '../loop/ir.js';
import { simplifyExpr } from '../loop/simplify-expr.js';
import type { TargetFacts } from '../target/target.js';
import { DEFAULT_FACTS } from '../target/wasm/facts.js';
import { buildNest, type AxisSpec, type LoopNest, type NestAxis } from '../schedule/nest.js';
import { PARALLEL_MIN_WORK, parallelTemplate } from '../schedule/parallel.js';
import { IllegalScheduleError, vectorize, type Schedule, type Step } from '../schedule/schedule.js';
import { bindShared, hoistAddressBases, wrapLets } from './cse.js';
import { reductionSteps, rowSteps } from './stage-steps.js';
import { NotAffineError, loadsOf, substitute, varsOf } from './expr.js';
import {
  isReduction, producerOf, rowMajor, type ComputeTensor, type Placeholder, type ReduceKind, type Reduction, type Region,
} from './te.js';

/** How lowering shapes every stage beyond its schedule. */
export interface KernelOptions {
  /** The target's vector lanes and register budget (default: wasm-simd's). */
  readonly target?: TargetFacts;
  /** Work below which a stage stays on one thread (src/schedule/parallel.ts); default PARALLEL_MIN_WORK. */
  readonly parallelMinWork?: number;
}

export interface KernelSpec extends KernelOptions {
  readonly name: string;
  /** The kernel's parameters before its outputs, in call order. */
  readonly inputs: readonly Placeholder[];
  readonly outputs: readonly ComputeTensor[];
  readonly schedule?: Schedule;
}

export function lowerKernel(spec: KernelSpec): Kernel {
  const stages = stagesOf(spec);
  const steps = spec.schedule ?? [];
  const target = spec.target ?? DEFAULT_FACTS;
  const names = new Set(stages.map((t) => t.name));
  for (const step of steps) {
    if (step.s !== 'pack' && step.stage !== undefined && !names.has(step.stage)) {
      throw new IllegalScheduleError(step, `no stage ${step.stage} in kernel ${spec.name} (stages: ${[...names].join(', ')})`);
    }
  }
  const main = spec.outputs[spec.outputs.length - 1].name;
  const minWork = spec.parallelMinWork ?? PARALLEL_MIN_WORK;
  const nests = stages.map((t) => {
    const own = steps.filter((s) => s.s !== 'pack' && (s.stage ?? main) === t.name);
    if (own.length) return lowerStage(t, own, target, minWork);
    return spec.outputs.includes(t) || isReduction(t.fn(t.axes.map((n) => v(n)))) ? lowerUnscheduled(t, target, minWork) : lowerStage(t, scratchSteps(t, target), target, minWork);
  });
  let body = nests.length === 1 ? nests[0] : seq(...nests);
  for (const t of stages) {
    if (!spec.outputs.includes(t)) body = { k: 'alloc', buf: t.buffer, body };
  }
  return { name: spec.name, params: [...spec.inputs.map((p) => p.buffer), ...spec.outputs.map((t) => t.buffer)], body };
}

/** The materialised computes the outputs need, producers first; checks every other read is a parameter. */
function stagesOf(spec: KernelSpec): ComputeTensor[] {
  const order: ComputeTensor[] = [];
  const visiting = new Set<ComputeTensor>();
  const visit = (t: ComputeTensor) => {
    if (order.includes(t)) return;
    if (visiting.has(t)) throw new RangeError(`kernel ${spec.name}: stage ${t.name} depends on itself`);
    visiting.add(t);
    for (const buf of readsOf(t)) {
      const producer = producerOf(buf);
      if (producer) visit(producer);
      else if (!spec.inputs.some((p) => p.buffer === buf)) {
        throw new RangeError(`kernel ${spec.name}: stage ${t.name} reads ${buf.name}, which is not an input of the kernel`);
      }
    }
    order.push(t);
  };
  spec.outputs.forEach(visit);
  return order;
}

function readsOf(t: ComputeTensor): Buffer[] {
  const body = t.fn(t.axes.map((n) => v(n)));
  if (!isReduction(body)) return loadsOf(body);
  const value = body.body(body.axes.map((a) => v(a.name)));
  return loadsOf(body.epilogue(value), loadsOf(value));
}


function identity(kind: ReduceKind, s: ScalarType): number {
  const float = s === 'f32' || s === 'f64';
  switch (kind) {
    case 'sum': return 0;
    case 'prod': return 1;
    case 'max': return float ? -Infinity : s === 'i32' ? -(2 ** 31) : s === 'u32' || s === 'u64' ? 0 : Number.MIN_SAFE_INTEGER;
    case 'min': return float ? Infinity : s === 'i32' ? 2 ** 31 - 1 : s === 'u32' || s === 'u64' ? -1 /* wraps to the largest */ : Number.MAX_SAFE_INTEGER;
  }
}

const COMBINE = { sum: 'add', prod: 'mul', max: 'max', min: 'min' } as const;

const wrapLoops = (axes: readonly NestAxis[], body: Stmt): Stmt =>
  axes.reduceRight((inner, a) => loop(a.varName, a.extent, inner, a.kind), body);

function guarded(conds: readonly Expr[], body: Stmt): Stmt {
  if (conds.length === 0) return body;
  const cond = conds.reduce((a, b) => bin('and', a, b));
  return { k: 'if', cond, then: body };
}

/**
 * An unscheduled scratch stage (a conv's column copy) copies rows: its innermost axis is vectorised
 * when it holds a vector. Region stages choose their own (see lowerRegion); reductions take reductionSteps.
 */
function scratchSteps(t: ComputeTensor, target: TargetFacts): Step[] {
  const last = t.axes.length - 1;
  if (t.region || last < 0 || t.shape[last] < target.lanes(computeType(t.elem))) return [];
  return [vectorize(t.axes[last])];
}

/** Steps read off the stage's access pattern (stage-steps.ts); scalar where they do not apply. */
function lowerUnscheduled(t: ComputeTensor, target: TargetFacts, minWork: number): Stmt {
  const body = t.fn(t.axes.map((n) => v(n)));
  const steps = t.region ? [] : isReduction(body) ? reductionSteps(t, body, target) : rowSteps(t, body, target);
  try {
    return lowerStage(t, steps, target, minWork);
  } catch (e) {
    if (!(e instanceof IllegalScheduleError) || !steps.length) throw e;
    return lowerStage(t, [], target, minWork);
  }
}

function lowerStage(t: ComputeTensor, steps: readonly Step[], target: TargetFacts, minWork: number): Stmt {
  return t.region ? lowerRegion(t, t.region, steps, target, minWork) : lowerBox(t, t.shape, [], steps, target, minWork);
}

/**
 * A tensor defined on a box: one vector loop fills the buffer, then the box's nest writes its part.
 * Unscheduled, the box's innermost axis is vectorised (the pads of convs and pools are copies).
 */
function lowerRegion(t: ComputeTensor, region: Region, steps: readonly Step[], target: TargetFacts, minWork: number): Stmt {
  const name = `${t.name}_fill`.replace(/[^A-Za-z0-9_]/g, '_');
  const s = vec(computeType(t.elem), 1);
  const fill = loop(name, t.buffer.size, store(t.buffer, v(name), cnst(region.fill, s)), 'vectorized');
  const last = t.axes.length - 1;
  const own = steps.length || region.shape[last] < target.lanes(s.scalar) ? steps : [vectorize(t.axes[last])];
  return seq(fill, lowerBox(t, region.shape, region.begin, own, target, minWork));
}

/** The nest over `extents` (the whole tensor, or a box of it at `begin`). */
function lowerBox(t: ComputeTensor, extents: readonly number[], begin: readonly number[], steps: readonly Step[], target: TargetFacts,
  minWork: number): Stmt {
  const spatial = t.axes.map((name, d) => ({ name, extent: extents[d] }));
  const probe = t.fn(t.axes.map((n) => v(n)));
  const nest = withParallelSplit(t.name, spatial, isReduction(probe) ? probe.axes : [], steps, minWork);
  const idx = t.axes.map((n) => nest.values.get(n)!);
  const firstReduce = nest.order.findIndex((a) => a.reduce);
  const outer = firstReduce < 0 ? nest.order : nest.order.slice(0, firstReduce);
  const inner = firstReduce < 0 ? [] : nest.order.slice(firstReduce);
  checkOuterVectorize(t, outer, inner.length > 0);
  const tile = inner.filter((a) => !a.reduce);
  const [outerGuards, reduceGuards] = splitGuards(t, nest, tile, inner.filter((a) => a.reduce));
  const flat = rowMajor(begin.length ? idx.map((e, d) => (begin[d] ? bin('add', e, cnst(begin[d])) : e)) : idx, t.shape);
  // built again over the loop variables, so the epilogue's reads (bias, residual) follow the tile
  const body = t.fn(idx);
  const element = isReduction(body)
    ? lowerReduction(t, body, nest, flat, tile, inner.filter((a) => a.reduce), reduceGuards, target)
    : storeShared(t, flat, body);
  return wrapLoops(outer, guarded(outerGuards, element));
}

/**
 * The stage's nest with its parallel split: the steps' own `parallel` if they have one, else the
 * parallel template's default for the nest they shape.
 */
function withParallelSplit(stage: string, spatial: readonly AxisSpec[], reduce: readonly AxisSpec[], steps: readonly Step[],
  minWork: number): LoopNest {
  const nest = buildNest(stage, spatial, reduce, steps);
  if (steps.some((s) => s.s === 'parallel')) return nest;
  const firstReduce = nest.order.findIndex((a) => a.reduce);
  const outer = firstReduce < 0 ? nest.order : nest.order.slice(0, firstReduce);
  const problem = { outer, work: nest.order.reduce((n, a) => n * a.extent, 1), minWork };
  const split = parallelTemplate.schedule(problem, parallelTemplate.defaults(problem));
  return split.length ? buildNest(stage, spatial, reduce, [...steps, ...split]) : nest;
}

/** One element's store, each value it uses more than once bound first. */
function storeShared(t: ComputeTensor, flat: Expr, value: Expr): Stmt {
  const { lets, exprs } = bindShared([value], `${t.name}_s`.replace(/[^A-Za-z0-9_]/g, '_'));
  return wrapLets(lets, store(t.buffer, flat, exprs[0]));
}

/** A vectorised loop outside a register tile must be the innermost spatial loop (the vectorize pass widens its body). */
function checkOuterVectorize(t: ComputeTensor, outer: readonly NestAxis[], hasReduction: boolean): void {
  outer.forEach((a, i) => {
    if (a.kind === 'vectorized' && i !== outer.length - 1) {
      const where = hasReduction ? 'outside the reduction' : 'of the nest';
      throw new IllegalScheduleError(vectorize(a.name, t.name), `only the innermost spatial loop ${where} may be vectorised`);
    }
  });
}

/** Guards of ragged tails: those on outer loops wrap the element, those on reduction loops wrap each update. */
function splitGuards(t: ComputeTensor, nest: LoopNest, tile: readonly NestAxis[], reduce: readonly NestAxis[]): [Expr[], Expr[]] {
  const tileVars = new Set(tile.map((a) => a.varName));
  const vectorVars = new Set(nest.order.filter((a) => a.kind === 'vectorized').map((a) => a.varName));
  const reduceVars = new Set(reduce.map((a) => a.varName));
  const outerGuards: Expr[] = [], reduceGuards: Expr[] = [];
  for (const g of nest.guards) {
    const vars = [...varsOf(g)];
    const bad = vars.find((x) => tileVars.has(x) || vectorVars.has(x));
    if (bad) {
      const axis = nest.order.find((a) => a.varName === bad)!;
      throw new IllegalScheduleError(`${axis.kind === 'vectorized' ? 'vectorize' : 'unroll'}(${axis.name}) on ${t.name}`,
        'a split with a ragged tail cannot feed a vector or register-tile axis; pick a factor that divides the extent');
    }
    (vars.some((x) => reduceVars.has(x)) ? reduceGuards : outerGuards).push(g);
  }
  return [outerGuards, reduceGuards];
}

/** One accumulator per element of the register tile: the tile's variables as constants (unrolled) or ramps (vectorised). */
interface Accumulator {
  readonly name: string;
  readonly type: VType;
  readonly at: ReadonlyMap<string, Expr>;
}

function tileAccumulators(t: ComputeTensor, tile: readonly NestAxis[], s: ScalarType, target: TargetFacts): Accumulator[] {
  const lanes = target.lanes(s);
  tile.forEach((a, i) => {
    const fail = (why: string) => { throw new IllegalScheduleError(`register tile ${a.name} of ${t.name}`, why); };
    if (a.kind !== 'unrolled' && a.kind !== 'vectorized') fail('a spatial axis inside the reduction must be unrolled or vectorised (its accumulators live in registers)');
    if (a.kind === 'vectorized' && i !== tile.length - 1) fail('the vectorised axis must be the innermost of the register tile');
    if (a.kind === 'vectorized' && a.extent % lanes !== 0) fail(`a vectorised tile axis needs an extent that is a multiple of ${lanes} lanes`);
  });
  let combos: Map<string, Expr>[] = [new Map()];
  // a target without vectors (one lane) holds a vectorised tile axis as scalars, like an unrolled one
  for (const a of tile) {
    const vectorized = a.kind === 'vectorized' && lanes > 1;
    const count = vectorized ? a.extent / lanes : a.extent;
    combos = combos.flatMap((m) => Array.from({ length: count }, (_, k) =>
      new Map([...m, [a.varName, vectorized ? ramp(cnst(k * lanes), 1, lanes) : cnst(k)]])));
  }
  if (combos.length > target.accumulators) {
    throw new IllegalScheduleError(`register tile of ${t.name}`, `${combos.length} accumulators exceed the target's ${target.accumulators}`);
  }
  const type = tile.some((a) => a.kind === 'vectorized') ? vec(s, lanes) : vec(s, 1);
  return combos.map((at, j) => ({ name: `${t.name}_acc${j}`.replace(/[^A-Za-z0-9_]/g, '_'), type, at }));
}

/**
 * A vectorised reduction axis keeps one scalar accumulator that the vectorize pass widens into lane
 * partials, summed across lanes after the loop: it must be the innermost loop, with no register
 * tile, and its combine one the pass carries (not prod).
 */
function checkVectorReduction(t: ComputeTensor, r: Reduction, nest: LoopNest, tile: readonly NestAxis[]): void {
  const at = nest.order.findIndex((a) => a.reduce && a.kind === 'vectorized');
  if (at < 0) return;
  const why = at !== nest.order.length - 1 ? 'a vectorised reduction axis must be the innermost loop'
    : tile.length ? 'a vectorised reduction axis cannot hold a register tile (vectorise a spatial axis inside the reduction instead)'
      : r.kind === 'prod' ? 'a product reduction cannot be vectorised along its axis' : undefined;
  if (why) throw new IllegalScheduleError(vectorize(nest.order[at].name, t.name), why);
}

function lowerReduction(t: ComputeTensor, r: Reduction, nest: LoopNest, flat: Expr,
  tile: readonly NestAxis[], reduceAxes: readonly NestAxis[], reduceGuards: readonly Expr[], target: TargetFacts): Stmt {
  const value = r.body(r.axes.map((a) => nest.values.get(a.name)!));
  const s = value.type.scalar;
  checkVectorReduction(t, r, nest, tile);
  const accs = tileAccumulators(t, tile, s, target);
  const specialise = (e: Expr, acc: Accumulator): Expr => {
    try {
      return substitute(e, new Map([...acc.at, [acc.name, v(acc.name, acc.type)]]));
    } catch (err) {
      if (!(err instanceof NotAffineError)) throw err;
      const axis = tile.find((a) => a.kind === 'vectorized')!;
      throw new IllegalScheduleError(vectorize(axis.name, t.name), err.message);
    }
  };
  const scalarAcc = (acc: Accumulator) => v(acc.name, vec(s, 1));
  // a register tile's updates share each row's broadcast scalar and each column's vector, loaded once per step
  const shared = bindShared(accs.map((acc) => specialise(bin(COMBINE[r.kind], scalarAcc(acc), value), acc)), `${accs[0].name}_ld`);
  // address bases outside the reduction loops; 'Base' sorts before the loops' lowercase axis names
  const inner = new Set([...reduceAxes.map((a) => a.varName), ...accs.map((a) => a.name), ...shared.lets.map(([n]) => n)]);
  const ranges = new Map(nest.order.map((a) => [a.varName, [0, a.extent - 1] as const]));
  const hoisted = hoistAddressBases([...shared.lets.map(([, e]) => e), ...shared.exprs], (n) => inner.has(n),
    `${t.name}_Base`.replace(/[^A-Za-z0-9_]/g, '_'), (e) => simplifyExpr(e, ranges));
  const lets = shared.lets.map(([n], j) => [n, hoisted.exprs[j]] as const);
  const values = hoisted.exprs.slice(shared.lets.length);
  const updates = seq(...accs.map((acc, j): Stmt => ({ k: 'set', v: acc.name, value: values[j] })));
  const reduceLoops = wrapLets(hoisted.lets, wrapLoops(reduceAxes, guarded(reduceGuards, wrapLets(lets, updates))));
  const results = bindShared(accs.map((acc) => specialise(r.epilogue(scalarAcc(acc)), acc)), `${t.name}_e`.replace(/[^A-Za-z0-9_]/g, '_'));
  const stores = wrapLets(results.lets, seq(...accs.map((acc, j) => store(t.buffer, specialise(flat, acc), results.exprs[j]))));
  return accs.reduceRight((body: Stmt, acc): Stmt =>
    ({ k: 'local', v: acc.name, type: acc.type, init: cnst(identity(r.kind, s), acc.type), body }), seq(reduceLoops, stores));
}
