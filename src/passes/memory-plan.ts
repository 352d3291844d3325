// Static memory plan: every tensor a compiled model touches gets a fixed byte address in one
// linear memory, so generated code addresses constants and nothing is allocated at run time.
//
// Layout: [weights][inputs and outputs][arena]. Weights are copied in once at load; inputs and
// outputs each own a slot (the caller writes inputs before a run and reads outputs after it);
// intermediates share the arena by lifetime.
//
// Arena algorithm: greedy by size (Pisarchyk & Lee 2020, the "GREEDY_BY_SIZE" offset strategy
// of TFLite's GPU delegate and one of TVM USMP's planners). Blocks are placed largest first,
// each into the smallest gap left between already-placed blocks whose lifetimes overlap it, or
// above them all. TVM's graph planner instead reuses whole freed blocks in execution order
// (best fit by size); with the two-orders-of-magnitude size spread of CNN activations that
// strands memory whenever a big block is freed and a small one takes it, while placing the big
// blocks first lets the small ones fill the holes around them. Both are O(n^2) for n values,
// nothing next to compile time.
import { GraphError, ShapeError, UnsupportedError } from '../errors.js';
import { byteWidth, type DType } from '../ir/dtype.js';
import type { Graph, Node } from '../ir/graph.js';
import { fmtShape, isStatic, numel } from '../ir/shape.js';
import { opDef } from '../ops/index.js';
import { isElementwiseKind, resolveAttrs } from '../ops/op.js';

/** The boundary placements start on unless the target names its own (one 128-bit vector). */
export const MEMORY_ALIGNMENT = 16;

/** One unit of execution: a node, or a fused group of nodes the caller lowers to one kernel. */
export interface PlanStep {
  readonly name: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /**
   * Each output element is computed from the same-index elements of the inputs (elementwise
   * ops, reshapes), so an output may take over the storage of an input that dies here.
   */
  readonly elementwise?: boolean;
  /**
   * The step's one write is its first read under another shape (Reshape, Squeeze, ...): the
   * plan gives both the same storage when it can (the write is not a graph output), and the
   * caller then runs nothing for the step.
   */
  readonly view?: boolean;
}

export interface PlanValue {
  readonly dtype: DType;
  readonly bytes: number;
}

export interface PlanRequest {
  /** Type and byte size of every value the steps, inputs, outputs and constants name. */
  readonly values: ReadonlyMap<string, PlanValue>;
  /** In execution order. */
  readonly steps: readonly PlanStep[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly constants: ReadonlySet<string>;
}

export interface PlanOptions {
  /** Let elementwise steps write into a dying input of equal size and dtype (default true). */
  readonly inPlace?: boolean;
  /** First usable address (memory below it belongs to the code generator); default 0. */
  readonly base?: number;
  /** Byte boundary every placement starts on: the target's (src/target/target.ts); default MEMORY_ALIGNMENT. */
  readonly alignment?: number;
}

export type Region = 'weights' | 'io' | 'arena';

export interface Placement {
  readonly region: Region;
  /** Absolute byte address, a multiple of the plan's alignment. */
  readonly offset: number;
  /** Unpadded size. */
  readonly bytes: number;
  readonly dtype: DType;
  /** Steps during which the value holds data: written at firstStep, last read at lastStep. */
  readonly firstStep: number;
  readonly lastStep: number;
  /** The input whose storage this value took over (in place) at its first step. */
  readonly inPlaceOf?: string;
  /** The value this view shares storage with: its step computes nothing. */
  readonly viewOf?: string;
}

export interface Extent {
  readonly offset: number;
  readonly bytes: number;
}

export interface MemoryPlan {
  readonly placements: ReadonlyMap<string, Placement>;
  readonly weights: Extent;
  readonly io: Extent;
  readonly arena: Extent;
  /** End of the last region: the memory the model needs. */
  readonly totalBytes: number;
  /** Sum of all arena values' padded sizes: what the arena would take with no reuse. */
  readonly intermediateBytes: number;
  /** Most padded bytes live at one step: no arena can be smaller. */
  readonly peakLiveBytes: number;
}

export function alignUp(n: number, to = MEMORY_ALIGNMENT): number {
  return Math.ceil(n / to) * to;
}

/** Plans memory for `req`; throws GraphError when a step reads a value nothing defines. */
export function planMemory(req: PlanRequest, opts: PlanOptions = {}): MemoryPlan {
  const info = (name: string): PlanValue => {
    const v = req.values.get(name);
    if (!v) throw new GraphError(`memory plan: value '${name}' has no type; run shape inference first`);
    return v;
  };
  const lastStep = Math.max(req.steps.length - 1, 0);
  const whole = (name: string, region: Region, offset: number): Placement =>
    ({ region, offset, bytes: info(name).bytes, dtype: info(name).dtype, firstStep: 0, lastStep });
  const placements = new Map<string, Placement>();
  const align = (n: number) => alignUp(n, opts.alignment ?? MEMORY_ALIGNMENT);

  // weights, in order of first use so a kernel's constants sit together
  const usedConstants = new Set<string>();
  for (const s of req.steps) for (const r of s.reads) if (req.constants.has(r)) usedConstants.add(r);
  for (const o of req.outputs) if (req.constants.has(o)) usedConstants.add(o);
  const base = align(opts.base ?? 0);
  const weights = stack(base, [...usedConstants], (n) => info(n).bytes, align);
  for (const [n, off] of weights.offsets) placements.set(n, whole(n, 'weights', off));

  const ioNames = [...new Set([...req.inputs, ...req.outputs])].filter((n) => !req.constants.has(n));
  const io = stack(weights.end, ioNames, (n) => info(n).bytes, align);
  for (const [n, off] of io.offsets) placements.set(n, whole(n, 'io', off));

  const views = viewSources(req, info);
  for (const [view, source] of views) {
    const p = placements.get(source);
    if (p) placements.set(view, { ...p, bytes: info(view).bytes, dtype: info(view).dtype, viewOf: source });
  }
  const lifetimes = arenaLifetimes(req, placements);
  const blocks = inPlaceBlocks(req, lifetimes, views, info, opts.inPlace ?? true, align);
  const arenaSize = placeBlocks(blocks);
  const arenaBase = io.end;
  for (const b of blocks) {
    for (const name of b.members) {
      const life = lifetimes.get(name)!;
      placements.set(name, {
        region: 'arena', offset: arenaBase + b.offset, bytes: info(name).bytes, dtype: info(name).dtype,
        firstStep: life.first, lastStep: life.last, ...(life.inPlaceOf ? { inPlaceOf: life.inPlaceOf } : {}),
        ...(life.viewOf ? { viewOf: life.viewOf } : {}),
      });
    }
  }
  let intermediateBytes = 0;
  for (const [name, life] of lifetimes) if (!life.viewOf) intermediateBytes += align(info(name).bytes);
  return {
    placements,
    weights: { offset: base, bytes: weights.end - base },
    io: { offset: weights.end, bytes: io.end - weights.end },
    arena: { offset: arenaBase, bytes: arenaSize },
    totalBytes: arenaBase + arenaSize,
    intermediateBytes,
    peakLiveBytes: peakLive(blocks, req.steps.length),
  };
}

/** Steps, values and constants of a graph whose shapes are static, one step per node. */
export function graphPlanRequest(g: Graph): PlanRequest {
  const values = new Map<string, PlanValue>();
  for (const [name, v] of g.values) {
    if (!isStatic(v.shape)) continue; // reported below if a step needs it
    if (v.dtype === 'string') continue;
    values.set(name, { dtype: v.dtype, bytes: numel(v.shape) * byteWidth(v.dtype) });
  }
  const steps = g.nodes.map((n): PlanStep => ({
    name: n.name,
    reads: n.inputs.filter((i) => i !== ''),
    writes: n.outputs.filter((o) => o !== ''),
    elementwise: isElementwise(g, n),
    view: isView(g, n),
  }));
  for (const name of [...g.inputs, ...g.outputs, ...steps.flatMap((s) => [...s.reads, ...s.writes])]) {
    if (values.has(name)) continue;
    const v = g.values.get(name);
    if (!v) throw new GraphError(`memory plan: value '${name}' has no type; run shape inference first`);
    if (v.dtype === 'string') throw new UnsupportedError(`memory plan: value '${name}' holds strings, which compiled code cannot; keep string ops outside the model`);
    throw new ShapeError(`memory plan: value '${name}' has shape ${fmtShape(v.shape)}; compile with every input dim fixed (--shape)`);
  }
  return { values, steps, inputs: g.inputs, outputs: g.outputs, constants: new Set(g.constants.keys()) };
}

/** Steps whose output element i is computed from input element i, or that only reinterpret a buffer. */
function isElementwise(g: Graph, n: Node): boolean {
  const kind = opDef(n.op)?.fusion;
  return isElementwiseKind(kind) || isView(g, n);
}

/** Steps whose output is the input's storage read under another shape (the op says when). */
function isView(g: Graph, n: Node): boolean {
  const def = opDef(n.op);
  if (!def?.view) return false;
  return def.view({ attrs: resolveAttrs(def.attrs, n.attrs), inputs: n.inputs.map((v) => (v ? g.values.get(v) : undefined)) });
}

/** View -> the value whose storage it shares, for each view step the plan can honour. */
function viewSources(req: PlanRequest, info: (n: string) => PlanValue): Map<string, string> {
  const outputs = new Set(req.outputs);
  const views = new Map<string, string>();
  for (const s of req.steps) {
    const [source] = s.reads, [view] = s.writes;
    if (!s.view || source === undefined || view === undefined || s.writes.length !== 1) continue;
    // a graph output owns an io slot of its own, which its source cannot also occupy in general
    if (outputs.has(view) || info(view).bytes !== info(source).bytes) continue;
    views.set(view, source);
  }
  return views;
}

/** Consecutive aligned slots from `start`. */
function stack(start: number, names: readonly string[], bytes: (n: string) => number, align: (n: number) => number) {
  const offsets = new Map<string, number>();
  let end = start;
  for (const n of names) { offsets.set(n, end); end = align(end + bytes(n)); }
  return { offsets, end };
}

interface Lifetime { first: number; last: number; inPlaceOf?: string; viewOf?: string }

/** Lifetimes of the values that go to the arena: everything written that is not an io slot. */
function arenaLifetimes(req: PlanRequest, placed: ReadonlyMap<string, Placement>): Map<string, Lifetime> {
  const life = new Map<string, Lifetime>();
  const inputs = new Set(req.inputs);
  const written = new Set<string>();
  req.steps.forEach((s, i) => {
    for (const r of s.reads) {
      if (placed.has(r) || req.constants.has(r) || inputs.has(r)) continue;
      const l = life.get(r);
      if (!l) throw new GraphError(`memory plan: step '${s.name}' reads '${r}', which no earlier step writes and is neither an input nor a constant`);
      l.last = i;
    }
    for (const w of s.writes) {
      if (written.has(w) || inputs.has(w) || req.constants.has(w)) {
        throw new GraphError(`memory plan: step '${s.name}' writes '${w}', which is already defined`);
      }
      written.add(w);
      if (!placed.has(w)) life.set(w, { first: i, last: i });
    }
  });
  for (const o of req.outputs) {
    if (!written.has(o) && !inputs.has(o) && !req.constants.has(o)) throw new GraphError(`memory plan: output '${o}' is never written`);
  }
  return life;
}

/** A set of values sharing one storage block (an in-place chain), placed as one. */
interface Block {
  readonly members: string[];
  first: number;
  last: number;
  readonly size: number;
  offset: number;
}

/**
 * Groups values into blocks: a view joins its source's block, and an elementwise step's output
 * chains onto an input whose block (the input and every view of it) dies there.
 */
function inPlaceBlocks(req: PlanRequest, life: Map<string, Lifetime>, views: ReadonlyMap<string, string>,
  info: (n: string) => PlanValue, inPlace: boolean, align: (n: number) => number): Block[] {
  const blockOf = new Map<string, Block>();
  const join = (b: Block, w: string) => {
    b.members.push(w);
    b.last = Math.max(b.last, life.get(w)!.last);
    blockOf.set(w, b);
  };
  req.steps.forEach((s, i) => {
    const taken = new Set<string>();
    for (const w of s.writes) {
      if (!life.has(w)) continue;
      const source = views.get(w);
      if (source !== undefined && blockOf.has(source)) {
        join(blockOf.get(source)!, w);
        life.get(w)!.viewOf = source;
        continue;
      }
      const wi = info(w);
      const donor = !inPlace || !s.elementwise ? undefined : s.reads.find((r) => {
        const b = blockOf.get(r);
        return b && b.last === i && !taken.has(r) && info(r).dtype === wi.dtype && info(r).bytes === wi.bytes;
      });
      if (donor) {
        taken.add(donor);
        join(blockOf.get(donor)!, w);
        life.get(w)!.inPlaceOf = donor;
      } else {
        const l = life.get(w)!;
        blockOf.set(w, { members: [w], first: l.first, last: l.last, size: align(wi.bytes), offset: 0 });
      }
    }
  });
  return [...new Set(blockOf.values())];
}

/**
 * Tie-breaks for greedy by size. Equal-size blocks alternating between two slots (a chain of
 * same-shape steps) may end on the slot a longer in-place block after them needs, and only
 * the other direction sees it (mobilenet_v2: 14.5 MB forward, the 9.8 MB optimum backward).
 * Both are cheap, so both are tried and the smaller arena wins.
 */
const ORDERS: readonly ((a: Block, b: Block) => number)[] = [
  (a, b) => b.size - a.size || a.first - b.first,
  (a, b) => b.size - a.size || b.last - a.last,
];

/** Assigns each block's offset with the best of ORDERS; returns the arena size. */
function placeBlocks(blocks: Block[]): number {
  let best: { size: number; offsets: number[] } | undefined;
  for (const order of ORDERS) {
    const size = placeInOrder([...blocks].sort((a, b) => order(a, b) || (a.members[0] < b.members[0] ? -1 : 1)));
    if (!best || size < best.size) best = { size, offsets: blocks.map((b) => b.offset) };
  }
  blocks.forEach((b, i) => { b.offset = best!.offsets[i]; });
  return best!.size;
}

/** Places each block into the smallest gap among placed blocks live with it, else on top. */
function placeInOrder(order: readonly Block[]): number {
  const placed: Block[] = [];
  let arena = 0;
  for (const blk of order) {
    const overlapping = placed.filter((p) => p.first <= blk.last && blk.first <= p.last)
      .sort((a, b) => a.offset - b.offset);
    let best: number | undefined;
    let bestGap = Infinity;
    let top = 0;
    for (const p of overlapping) {
      const gap = p.offset - top;
      if (gap >= blk.size && gap < bestGap) { best = top; bestGap = gap; }
      top = Math.max(top, p.offset + p.size);
    }
    blk.offset = best ?? top;
    arena = Math.max(arena, blk.offset + blk.size);
    placed.push(blk);
  }
  return arena;
}

function peakLive(blocks: readonly Block[], steps: number): number {
  const delta = new Array<number>(steps + 1).fill(0);
  for (const b of blocks) { delta[b.first] += b.size; delta[b.last + 1] -= b.size; }
  let live = 0, peak = 0;
  for (const d of delta) { live += d; peak = Math.max(peak, live); }
  return peak;
}
