// The ONNX backend conformance cases as a library: find cases, load a case's model and
// test data, run it on the reference executor, compare with tolerances, classify the result.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError, UnsupportedError, UnsupportedOpsError } from '../../src/errors.js';
import { isFloat } from '../../src/ir/dtype.js';
import type { Graph } from '../../src/ir/graph.js';
import { fmtShape } from '../../src/ir/shape.js';
import type { Tensor } from '../../src/ir/tensor.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { decodeValueProto } from '../../src/frontend/onnx/values.js';
import { Tensor as TensorClass } from '../../src/ir/tensor.js';
import { OptionalValue, TensorSequence, type RunValue } from '../../src/ir/value.js';
import { executeValues } from '../../src/reference/execute.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { opDef } from '../../src/ops/index.js';

export const SUITES = ['node', 'pytorch-operator', 'pytorch-converted', 'simple'] as const;

export interface Case {
  /** The case directory's name, e.g. test_conv_with_strides_padding; unique over all suites. */
  readonly name: string;
  readonly suite: string;
  readonly dir: string;
}

export type Status = 'pass' | 'fail' | 'unsupported';
/** reference: the plain-TS executor; compiled: compile() to a .kiln artifact run by the runtime. */
export type Engine = 'reference' | 'compiled';
export interface CaseResult {
  readonly name: string;
  readonly status: Status;
  /** One line: why it did not pass. */
  readonly reason?: string;
  readonly ms: number;
}

/** Every case under `root` (the onnx-backend-tests directory) whose name contains one of `filters`. */
export function listCases(root: string, filters: readonly string[] = []): Case[] {
  return SUITES.flatMap((suite) => {
    const dir = join(root, suite);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).sort()
      .filter((name) => existsSync(join(dir, name, 'model.onnx')))
      .filter((name) => !filters.length || filters.some((f) => name.includes(f)))
      .map((name) => ({ name, suite, dir: join(dir, name) }));
  });
}

export interface DataSet {
  readonly name: string;
  /** Tensors, or sequences and optionals where the model's inputs and outputs are those. */
  readonly inputs: readonly RunValue[];
  readonly outputs: readonly RunValue[];
}

/**
 * The case's test_data_set_N folders, each with input_K.pb / output_K.pb decoded in K order, as
 * the types of `g`'s K-th input and output say (TensorProto, SequenceProto, OptionalProto).
 */
export function loadDataSets(caseDir: string, g: Graph): DataSet[] {
  return readdirSync(caseDir).filter((d) => d.startsWith('test_data_set_')).sort().map((set) => {
    const dir = join(caseDir, set);
    const read = (prefix: string, names: readonly string[]) => readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
      .sort((a, b) => indexOf(a) - indexOf(b))
      .map((f, k) => decodeValueProto(readFileSync(join(dir, f)), g.values.get(names[k]) ?? { dtype: 'float32', shape: [] }, join(dir, f)));
    return { name: set, inputs: read('input_', g.inputs), outputs: read('output_', g.outputs) };
  });
}

/** Data sets of tensors only (the compiled engine's); UnsupportedError for sequences and optionals. */
export interface TensorDataSet {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
}
export function tensorDataSets(sets: readonly DataSet[]): TensorDataSet[] {
  const tensors = (vs: readonly RunValue[]) => vs.map((v) => {
    if (!(v instanceof TensorClass)) throw new UnsupportedError('compiled models take and give tensors only, not sequences or optionals');
    return v;
  });
  return sets.map((s) => ({ name: s.name, inputs: tensors(s.inputs), outputs: tensors(s.outputs) }));
}

/** compareTensors over any run-time values: sequences item by item, optionals by what they hold. */
export function compareValues(actual: RunValue, expected: RunValue): string | undefined {
  if (expected instanceof TensorClass) {
    return actual instanceof TensorClass ? compareTensors(actual, expected, toleranceFor(expected.dtype)) : 'a tensor was expected';
  }
  if (expected instanceof TensorSequence) {
    if (!(actual instanceof TensorSequence)) return 'a sequence was expected';
    if (actual.length !== expected.length) return `sequence of ${actual.length}, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const diff = compareValues(actual.items[i], expected.items[i]);
      if (diff) return `sequence item ${i}: ${diff}`;
    }
    return undefined;
  }
  if (!(actual instanceof OptionalValue)) return 'an optional was expected';
  if (!expected.value || !actual.value) return !expected.value === !actual.value ? undefined : `optional ${actual.value ? 'holds a value' : 'is empty'}, expected otherwise`;
  return compareValues(actual.value, expected.value);
}
const indexOf = (file: string) => Number(/_(\d+)\.pb$/.exec(file)?.[1] ?? -1);

export interface Tolerance { readonly rtol: number; readonly atol: number }

/** The usual backend-test tolerance for float32/float64 (what onnxruntime's runner uses). */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };
/**
 * float16 holds 11 significant bits: one unit in the last place is 2^-10 relative, so a kernel
 * that computes in float32 and rounds once may differ by an ulp or two from a reference that
 * rounded its intermediates.
 */
const FLOAT16_TOLERANCE: Tolerance = { rtol: 2 ** -9, atol: 1e-4 };

export function toleranceFor(dtype: Tensor['dtype']): Tolerance {
  return dtype === 'float16' ? FLOAT16_TOLERANCE : DEFAULT_TOLERANCE;
}

/**
 * Why `actual` differs from `expected`, or undefined when they agree: dtype and shape exact,
 * floats within |a-b| <= atol + rtol*|b| (NaN equals NaN, infinities must match), the rest exact.
 */
export function compareTensors(actual: Tensor, expected: Tensor, tol: Tolerance = DEFAULT_TOLERANCE): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (fmtShape(actual.shape) !== fmtShape(expected.shape)) {
    return `shape ${fmtShape(actual.shape)}, expected ${fmtShape(expected.shape)}`;
  }
  const float = isFloat(expected.dtype);
  let worst = -1, worstExcess = 0, bad = 0;
  for (let i = 0; i < expected.size; i++) {
    const a = actual.data[i], b = expected.data[i];
    let ok: boolean;
    let excess = 1;
    if (!float || typeof a !== 'number' || typeof b !== 'number') ok = a === b;
    else if (Number.isNaN(b) || !Number.isFinite(b)) ok = Object.is(a, b) || a === b;
    else {
      const err = Math.abs(a - b), allowed = tol.atol + tol.rtol * Math.abs(b);
      ok = err <= allowed;
      excess = Number.isNaN(err) ? Infinity : err / allowed;
    }
    if (!ok) {
      bad++;
      if (worst < 0 || excess > worstExcess) { worst = i; worstExcess = excess; }
    }
  }
  if (!bad) return undefined;
  const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  return `${bad}/${expected.size} values differ; worst at [${worst}]: got ${show(actual.data[worst])}, expected ${show(expected.data[worst])}`;
}

/** Imports and verifies a case's model (FormatError, UnsupportedOpsError, ... propagate). */
export function loadCaseModel(c: Case): Graph {
  const g = importOnnx(readFileSync(join(c.dir, 'model.onnx')), join(c.dir, 'model.onnx'));
  verifyGraph(g, opDef);
  return g;
}

/** Runs every data set of a case; returns why it failed, or undefined when all outputs agree. */
export function checkCase(g: Graph, sets: readonly DataSet[]): string | undefined {
  for (const set of sets) {
    if (set.inputs.length > g.inputs.length) {
      return `${set.name} has ${set.inputs.length} inputs but the graph takes ${g.inputs.length}`;
    }
    const feeds = Object.fromEntries(set.inputs.map((t, i) => [g.inputs[i], t]));
    const got = executeValues(g, feeds);
    if (set.outputs.length !== g.outputs.length) {
      return `${set.name} has ${set.outputs.length} outputs but the graph gives ${g.outputs.length}`;
    }
    for (let k = 0; k < g.outputs.length; k++) {
      const diff = compareValues(got.get(g.outputs[k])!, set.outputs[k]);
      if (diff) return `output ${k} '${g.outputs[k]}': ${diff}`;
    }
  }
  return undefined;
}

/** Imports, runs and compares one case, classifying any error. Never throws. */
export function runCase(c: Case): CaseResult {
  const start = performance.now();
  const done = (status: Status, reason?: string): CaseResult => ({ name: c.name, status, reason, ms: performance.now() - start });
  try {
    const g = loadCaseModel(c);
    const diff = checkCase(g, loadDataSets(c.dir, g));
    return diff ? done('fail', oneLine(diff)) : done('pass');
  } catch (e) {
    const { status, reason } = classifyError(e);
    return done(status, reason);
  }
}

/** Unsupported for the typed "not yet" errors, fail for any other; the reason on one line. */
export function classifyError(e: unknown): { status: Status; reason: string } {
  const r = (status: Status, reason: string) => ({ status, reason: oneLine(reason) });
  if (e instanceof UnsupportedOpsError) return r('unsupported', `ops ${[...e.ops.keys()].join(', ')}`);
  if (e instanceof UnsupportedError) return r('unsupported', e.message);
  if (e instanceof KilnError) return r('fail', `${e.code}: ${e.message}`);
  return r('fail', `crash: ${e instanceof Error ? `${e.name}: ${e.message} ${stackTop(e)}` : String(e)}`);
}

export function oneLine(s: string): string {
  // case directories in messages say nothing the case name does not
  const flat = s.replace(/\S*\/test_[\w.]+\/model\.onnx(: )?/g, '').replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/** Where a crash happened: the first stack frame in Kiln's own code. */
function stackTop(e: Error): string {
  const frame = e.stack?.split('\n').find((l) => l.includes('/dist/src/'));
  const m = frame && /dist\/(src\/[^)]+)/.exec(frame);
  return m ? `at ${m[1]}` : '';
}

/** The checked-in list of cases that do not pass yet: `name  # reason` per line. */
export function parseExpected(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const hash = line.indexOf('#');
    const name = (hash < 0 ? line : line.slice(0, hash)).trim();
    m.set(name, hash < 0 ? '' : line.slice(hash + 1).trim());
  }
  return m;
}

/** The checked-in list of cases that do not pass yet on `engine`, relative to the repo root. */
export function expectedListFile(engine: Engine): string {
  return engine === 'compiled' ? 'test/conformance/expected-compiled-unsupported.txt' : 'test/conformance/expected-unsupported.txt';
}

const expectedHeader = (engine: Engine) => [
  `# ONNX backend conformance cases that do not pass yet on the ${engine} engine, one per line: test_name  # reason`,
  `# After a kernel lands: node dist/test/conformance/run.js${engine === 'compiled' ? ' --engine compiled' : ''} --prune  (drops the cases that pass now)`,
];

/** The list for a whole run: every case that did not pass, with why. */
export function formatExpected(results: readonly CaseResult[], engine: Engine = 'reference'): string {
  const lines = results.filter((r) => r.status !== 'pass')
    .map((r) => `${r.name}  # ${r.status === 'fail' ? 'FAIL ' : ''}${r.reason ?? ''}`);
  return [...expectedHeader(engine), ...lines, ''].join('\n');
}

/** `listText` without the cases that passed in `results` (other lines kept as written). */
export function pruneExpected(listText: string, results: readonly CaseResult[]): string {
  const passed = new Set(results.filter((r) => r.status === 'pass').map((r) => r.name));
  return listText.split('\n').filter((line) => !passed.has(line.split('#')[0].trim())).join('\n');
}
