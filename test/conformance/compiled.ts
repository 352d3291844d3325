// The compiled engine under the conformance cases: each data set's input shapes fixed, the
// model compiled to a .kiln artifact, loaded by the runtime, and compared as the reference path is.
import { tensorBytes } from '../../src/artifact/layout.js';
import { compile } from '../../src/compile/compile.js';
import { InputError, ShapeError } from '../../src/errors.js';
import { float16BitsToNumber } from '../../src/ir/dtype.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { withInputShapes } from '../../src/frontend/load.js';
import { load, type Tensor as RuntimeTensor } from '../../src/runtime/index.js';
import { arrayClass, type DType as RuntimeDType, type TypedArray } from '../../src/runtime/dtypes.js';
import { classifyError, compareTensors, loadCaseModel, loadDataSets, oneLine, toleranceFor, type Case, type CaseResult, type DataSet } from './runner.js';

/** A reference tensor as the runtime's typed array of its dtype (int64 as BigInt64Array, float16 as bits). */
export function toRuntimeArray(t: Tensor): TypedArray {
  const bytes = tensorBytes(t);
  return new (arrayClass(t.dtype as RuntimeDType))(bytes.buffer, bytes.byteOffset, t.size);
}

/** A runtime output as a reference tensor, so compareTensors judges both engines alike. */
export function fromRuntime(t: RuntimeTensor): Tensor {
  const values = t.dtype === 'float16' ? Array.from(t.data as Uint16Array, float16BitsToNumber) : Array.from(t.data as ArrayLike<number | bigint>, Number);
  return Tensor.from(t.dtype, t.shape, values);
}

/**
 * Limits of compilation by design rather than bugs: shapes that depend on input values, and
 * graphs that fold to constants entirely (nothing left to compile).
 */
function isCompileLimit(e: unknown): boolean {
  return isValueDependent(e) || (e instanceof InputError && /computes nothing from its inputs/.test(e.message));
}

/**
 * Compiles and runs every data set of a case; returns why it failed, or undefined when all
 * outputs agree. With `freeze`, the int64 inputs (shapes, axes, sizes, indices) become constants
 * of the data set's values first, as a model whose output shapes depend on them must be
 * prepared for compilation. `optLevel` is the graph opt level (default the compiler's).
 */
export async function checkCompiledCase(g: Graph, sets: readonly DataSet[], freeze = false, optLevel?: number): Promise<string | undefined> {
  for (const set of sets) {
    if (set.inputs.length > g.inputs.length) {
      return `${set.name} has ${set.inputs.length} inputs but the graph takes ${g.inputs.length}`;
    }
    const given = set.inputs.map((t, i) => [g.inputs[i], t] as const);
    const frozen = given.filter(([, t]) => freeze && t.dtype === 'int64');
    const fed = given.filter(([, t]) => !freeze || t.dtype !== 'int64');
    const prepared: Graph = frozen.length
      ? { ...g, inputs: g.inputs.filter((n) => !frozen.some(([f]) => f === n)), constants: new Map([...g.constants, ...frozen]) }
      : g;
    const { bytes } = await compile(withInputShapes(prepared, Object.fromEntries(fed.map(([n, t]) => [n, t.shape]))), { optLevel });
    const session = await load(bytes);
    const got = await session.run(Object.fromEntries(fed.map(([n, t]) => [n, toRuntimeArray(t)])));
    if (set.outputs.length !== g.outputs.length) {
      return `${set.name} has ${set.outputs.length} outputs but the graph gives ${g.outputs.length}`;
    }
    for (let k = 0; k < g.outputs.length; k++) {
      const expected = set.outputs[k];
      const diff = compareTensors(fromRuntime(got[g.outputs[k]]), expected, toleranceFor(expected.dtype));
      if (diff) return `output ${k} '${g.outputs[k]}': ${diff}`;
    }
  }
  return undefined;
}

/** Why a model cannot compile as it is, when its output shapes depend on input values. */
const isValueDependent = (e: unknown) => e instanceof ShapeError && /depends on input values/.test(e.message);

/**
 * Imports, compiles, runs and compares one case, classifying any error. Never throws. A case
 * whose shapes depend on its int64 inputs is retried with them frozen; its pass then says so.
 */
export async function runCompiledCase(c: Case, optLevel?: number): Promise<CaseResult> {
  const start = performance.now();
  const done = (status: CaseResult['status'], reason?: string): CaseResult => ({ name: c.name, status, reason, ms: performance.now() - start });
  let frozen = false;
  try {
    const g = loadCaseModel(c), sets = loadDataSets(c.dir);
    const diff = await checkCompiledCase(g, sets, false, optLevel).catch(async (e: unknown) => {
      if (!isValueDependent(e) || !sets.some((s) => s.inputs.some((t) => t.dtype === 'int64'))) throw e;
      frozen = true;
      return checkCompiledCase(g, sets, true, optLevel);
    });
    return diff ? done('fail', oneLine(frozen ? `${diff} (${FROZEN})` : diff)) : done('pass', frozen ? FROZEN : undefined);
  } catch (e) {
    const r = classifyError(e);
    return isCompileLimit(e) ? done('unsupported', r.reason) : done(r.status, frozen ? `${r.reason} (${FROZEN})` : r.reason);
  }
}

/** The reason a pass carries when it needed its int64 inputs frozen. */
export const FROZEN = 'int64 inputs frozen to constants';
