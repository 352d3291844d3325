// The compiled engine under the conformance cases: each data set's input shapes fixed, the
// model compiled to a .kiln artifact, loaded by the runtime, and compared as the reference path is.
import { fromRuntimeTensor, toFeed } from '../../src/artifact/feeds.js';
import { compile } from '../../src/compile/compile.js';
import { ShapeError } from '../../src/errors.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { freezeInputs, withInputShapes } from '../../src/frontend/load.js';
import { load, type Tensor as RuntimeTensor } from '../../src/runtime/index.js';
import { sameBits } from '../util/same-bits.js';
import { classifyError, compareTensors, loadCaseModel, loadDataSets, oneLine, tensorDataSets, toleranceFor, type Case, type CaseResult, type TensorDataSet } from './runner.js';

/** A limit of compilation by design rather than a bug: shapes that depend on input values. */
const isCompileLimit = (e: unknown): boolean => isValueDependent(e);

/**
 * Inputs that may be frozen when output shapes depend on input values: parameters, i.e. scalars
 * and short vectors (shapes, axes, sizes, Resize scales, Range limits, OneHot depth). A frozen
 * input becomes a constant of the data set's value, as a user freezes such inputs to prepare a
 * model for compilation; tensors of rank 2 and up are data and never frozen.
 */
const MAX_PARAMETER_ELEMENTS = 8;
function freezable(t: Tensor): boolean {
  return t.dtype !== 'string' && t.shape.length <= 1 && t.size <= MAX_PARAMETER_ELEMENTS;
}

/** `g` with the named inputs replaced by constants holding `set`'s values for them (kiln's --freeze). */
export function freezeSet(g: Graph, set: TensorDataSet, frozen: ReadonlySet<string>): Graph {
  if (!frozen.size) return g;
  return freezeInputs(g, Object.fromEntries(set.inputs.map((t, i) => [g.inputs[i], t] as const).filter(([n]) => frozen.has(n))));
}

export interface CompiledCaseOptions {
  /** Graph opt level (default the compiler's). */
  readonly optLevel?: number;
  /** Thread counts to run each artifact at (default [1]); every count after the first must give its outputs bit for bit. */
  readonly threads?: readonly number[];
  /** The compiler's parallelMinWork: 0 splits every stage that can be, to exercise the threaded code. */
  readonly parallelMinWork?: number;
}

/**
 * Compiles and runs every data set of a case; returns why it failed, or undefined when all
 * outputs agree. The `frozen` inputs become constants of each data set's values first.
 */
export async function checkCompiledCase(g: Graph, sets: readonly TensorDataSet[], frozen: ReadonlySet<string> = new Set(),
  opts: CompiledCaseOptions = {}): Promise<string | undefined> {
  for (const set of sets) {
    if (set.inputs.length > g.inputs.length) {
      return `${set.name} has ${set.inputs.length} inputs but the graph takes ${g.inputs.length}`;
    }
    const fed = set.inputs.map((t, i) => [g.inputs[i], t] as const).filter(([n]) => !frozen.has(n));
    const prepared = freezeSet(g, set, frozen);
    const { bytes } = await compile(withInputShapes(prepared, Object.fromEntries(fed.map(([n, t]) => [n, t.shape]))),
      { optLevel: opts.optLevel, parallelMinWork: opts.parallelMinWork });
    if (set.outputs.length !== g.outputs.length) {
      return `${set.name} has ${set.outputs.length} outputs but the graph gives ${g.outputs.length}`;
    }
    let first: Record<string, RuntimeTensor> | undefined;
    for (const threads of opts.threads ?? [1]) {
      const session = await load(bytes, { threads });
      try {
        const got = await session.run(Object.fromEntries(fed.map(([n, t]) => [n, toFeed(t)])));
        for (let k = 0; k < g.outputs.length; k++) {
          const name = g.outputs[k];
          const expected = set.outputs[k];
          const diff = first ? sameBits(got[name], first[name]) : compareTensors(fromRuntimeTensor(got[name]), expected, toleranceFor(expected.dtype));
          if (diff) return `output ${k} '${name}'${first ? ` on ${threads} threads` : ''}: ${diff}`;
        }
        first ??= got;
      } finally {
        await session.dispose();
      }
    }
  }
  return undefined;
}

/** Why a model cannot compile as it is, when its output shapes depend on input values. */
const isValueDependent = (e: unknown) => e instanceof ShapeError && /depends on input values/.test(e.message);

/** True when `g` with `frozen` inputs compiles for `set` without a value-dependent shape. */
async function shapesSettle(g: Graph, set: TensorDataSet, frozen: ReadonlySet<string>): Promise<boolean> {
  const fed = set.inputs.map((t, i) => [g.inputs[i], t] as const).filter(([n]) => !frozen.has(n));
  try {
    await compile(withInputShapes(freezeSet(g, set, frozen), Object.fromEntries(fed.map(([n, t]) => [n, t.shape]))));
    return true;
  } catch (e) {
    if (isValueDependent(e)) return false;
    return true;  // another error: the check itself reports it
  }
}

/**
 * The fewest freezable inputs whose values settle every output shape: all of them first, then
 * each one left live again if the shapes still settle without it. Undefined when freezing all
 * of them does not help.
 */
export async function shapeDecidingInputs(g: Graph, set: TensorDataSet): Promise<Set<string> | undefined> {
  const candidates = set.inputs.map((t, i) => [g.inputs[i], t] as const).filter(([, t]) => freezable(t)).map(([n]) => n);
  const frozen = new Set(candidates);
  if (!frozen.size || !(await shapesSettle(g, set, frozen))) return undefined;
  for (const name of candidates) {
    frozen.delete(name);
    if (!(await shapesSettle(g, set, frozen))) frozen.add(name);
  }
  return frozen;
}

/**
 * Imports, compiles, runs and compares one case, classifying any error. Never throws. A case
 * whose shapes depend on some inputs' values is retried with those frozen; its result says which.
 */
export async function runCompiledCase(c: Case, opts: CompiledCaseOptions = {}): Promise<CaseResult> {
  const start = performance.now();
  const done = (status: CaseResult['status'], reason?: string): CaseResult => ({ name: c.name, status, reason, ms: performance.now() - start });
  let note: string | undefined;
  try {
    const g = loadCaseModel(c), sets = tensorDataSets(loadDataSets(c.dir, g));
    const diff = await checkCompiledCase(g, sets, new Set(), opts).catch(async (e: unknown) => {
      const frozen = isValueDependent(e) && sets.length ? await shapeDecidingInputs(g, sets[0]) : undefined;
      if (!frozen) throw e;
      note = frozenNote(frozen);
      return checkCompiledCase(g, sets, frozen, opts);
    });
    return diff ? done('fail', oneLine(note ? `${diff} (${note})` : diff)) : done('pass', note);
  } catch (e) {
    const r = classifyError(e);
    return isCompileLimit(e) ? done('unsupported', r.reason) : done(r.status, note ? `${r.reason} (${note})` : r.reason);
  }
}

/** The note a result carries when it needed inputs frozen; the conformance test counts these. */
export const FROZEN = 'frozen to constants';
const frozenNote = (names: ReadonlySet<string>) => `input${names.size > 1 ? 's' : ''} ${[...names].map((n) => `'${n}'`).join(', ')} ${FROZEN}`;
