// Test harness for compute definitions: lower a node with a schedule, run the kernel in the loop-IR
// interpreter and compare with the op's reference kernel on the same random inputs.
import assert from 'node:assert/strict';
import type { DType } from '../../src/ir/dtype.js';
import type { Attrs, Node } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { rng, randomTensor } from '../../src/io/random.js';
import { interpretKernel, type TypedArray } from '../../src/loop/interpret.js';
import type { Kernel } from '../../src/loop/ir.js';
import { simplifyKernel } from '../../src/loop/simplify.js';
import { unrollLoops } from '../../src/loop/unroll.js';
import { verifyKernel } from '../../src/loop/verify.js';
import { lowerNode, type NodeValue } from '../../src/lower/op.js';
import { opDef } from '../../src/ops/index.js';
import { resolveAttrs } from '../../src/ops/op.js';
import type { Schedule } from '../../src/schedule/schedule.js';
import type { TargetFacts } from '../../src/target/target.js';

export interface InputSpec {
  readonly shape: readonly number[];
  readonly dtype?: DType;
  /** Fixed values (indices, shapes); random otherwise. */
  readonly values?: readonly number[];
  /** Passed to the compute as a compile-time constant. */
  readonly constant?: boolean;
  /** Range of random floats; default [-2, 2). */
  readonly range?: readonly [number, number];
}

function toArray(t: Tensor): TypedArray {
  if (t.dtype === 'int64') return BigInt64Array.from(t.toArray(), (x) => BigInt(x));
  if (t.dtype === 'bool') return new Uint8Array(t.numbers);
  return t.numbers as TypedArray;
}

function fromArray(a: TypedArray): number[] {
  return Array.from(a as ArrayLike<number | bigint>, Number);
}

export interface CheckResult {
  readonly kernel: Kernel;
  readonly got: readonly number[][];
  /** Fresh buffers for `k`'s params as the check ran it: the inputs, then zeroed outputs. */
  readonly buffers: (k: Kernel) => TypedArray[];
}

/**
 * Lowers `op` for `specs` under `schedule` (default when omitted) and asserts the interpreter matches
 * run() on `outputs` outputs; `transform` (a loop pass) is applied to the kernel that is run.
 * `target` gives the facts lowering asks (default wasm-simd's).
 */
export function checkOp(op: string, attrs: Attrs, specs: readonly (InputSpec | undefined)[], schedule?: Schedule,
  { seed = 1, tol = 1e-5, outputs: outputCount = 1, transform = (k: Kernel) => k, target = undefined as TargetFacts | undefined } = {}): CheckResult {
  const def = opDef(op)!;
  const next = rng(seed);
  const tensors = specs.map((s) => s && (s.values
    ? Tensor.from(s.dtype ?? 'float32', s.shape, s.values)
    : randomTensor(s.dtype ?? 'float32', s.shape, next, ...(s.range ?? [-2, 2]))));
  const names = specs.map((s, i) => (s ? `x${i}` : ''));
  const node: Node = { name: 'n', op, inputs: names, outputs: Array.from({ length: outputCount }, (_, i) => (i === 0 ? 'y' : `y${i}`)), attrs };
  const resolved = resolveAttrs(def.attrs, attrs);
  const infos = def.infer({
    node, attrs: resolved, inputs: tensors.map((t) => t && { dtype: t.dtype, shape: t.shape }),
    constant: (i) => (specs[i]?.constant ? tensors[i] : undefined),
    symbol: () => { throw new Error('symbolic dims in a lowering test'); },
  });
  const want = def.run!({ node, attrs: resolved, inputs: tensors });
  const inputs: (NodeValue | undefined)[] = tensors.map((t, i) => t && {
    name: names[i], info: { dtype: t.dtype, shape: t.shape }, constant: specs[i]?.constant ? t : undefined,
  });
  // ops with optional outputs (MaxPool's Indices) produce only what node.outputs names
  const outputs = infos.slice(0, want.length).map((info, i) => ({ name: i === 0 ? 'y' : `y${i}`, info }));
  const { kernel, packed } = lowerNode(op, attrs, inputs, outputs, schedule, { target });
  const byName = new Map<string, TypedArray>();
  tensors.forEach((t, i) => { if (t) byName.set(names[i], toArray(packed.get(names[i]) ?? t)); });
  verifyKernel(kernel);
  const buffers = (k: Kernel) => {
    const outArrays = want.map((t) => toArray(Tensor.zeros(t.dtype, t.shape)));
    return k.params.map((p) => byName.get(p.name)?.slice() as TypedArray ?? outArrays[outputs.findIndex((o) => o.name === p.name)]);
  };
  const run = (k: Kernel) => {
    const arrays = buffers(k);
    interpretKernel(k, arrays);
    return outputs.slice(0, want.length).map((o) => fromArray(arrays[k.params.findIndex((p) => p.name === o.name)]));
  };
  const got = run(transform(kernel));
  // the simplifier and unrolling must not change what the lowered kernel computes
  const simplified = simplifyKernel(transform(kernel));
  assert.deepEqual(run({ ...simplified, body: unrollLoops(simplified.body) }), got, `${op}: simplified kernel differs`);
  want.forEach((w, i) => {
    const ref = w.toArray();
    assert.equal(got[i].length, ref.length);
    for (let j = 0; j < ref.length; j++) {
      const a = got[i][j], b = ref[j];
      if (Number.isNaN(b)) { assert.ok(Number.isNaN(a), `${op} output ${i}[${j}]: got ${a}, want NaN`); continue; }
      assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${op} output ${i}[${j}]: got ${a}, want ${b}`);
    }
  });
  return { kernel, got, buffers };
}
