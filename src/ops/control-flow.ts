// If, Loop and Scan: ops that run subgraphs. Each subgraph is closed: the outer values it reads
// are the node's last `captures` inputs (all inputs after the condition for If), bound in order to
// the subgraph's last inputs, so passes see them as ordinary reads. The reference kernels run the
// subgraphs through the executor (EvaluateContext.runGraph); compiled code keeps them out for now.
import { GraphError, ShapeError, UnsupportedError } from '../errors.js';
import type { Graph, ValueInfo } from '../ir/graph.js';
import { normAxis, type Dim } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { expectTensor, fmtType, type RunValue } from '../ir/value.js';
import { attr, defineOp, type InferContext } from './op.js';
import { sliceAlong, stackAlong } from './sequence-tensors.js';

const INT64_SCALAR: ValueInfo = { dtype: 'int64', shape: [] };
const BOOL_SCALAR: ValueInfo = { dtype: 'bool', shape: [] };

function typeSubgraph(ctx: InferContext<unknown>, g: Graph, inputs: readonly ValueInfo[]): readonly ValueInfo[] {
  if (!ctx.subgraph) throw new GraphError(`${ctx.node.op} '${ctx.node.name}' needs shape inference to type its subgraph`);
  if (inputs.length !== g.inputs.length) {
    throw new GraphError(`subgraph '${g.name}' takes ${g.inputs.length} inputs, ${ctx.node.op} binds ${inputs.length}`);
  }
  return ctx.subgraph(g, inputs);
}

/** A scalar condition's truth (a one-element bool or numeric tensor). */
export function truth(v: RunValue | undefined, what: string): boolean {
  const t = expectTensor(v, what);
  if (t.size !== 1) throw new ShapeError(`${what} must hold one element, got shape [${t.shape.join(',')}]`);
  return t.data[0] !== 0;
}

/** One type for the values two paths give (If's branches, a loop's first and later iterations). */
export function joinTypes(a: ValueInfo, b: ValueInfo, symbol: (hint: string) => Dim, what: string): ValueInfo {
  const kinds = (t: ValueInfo) => (t.containers ?? []).join('<');
  const held = (t: ValueInfo): ValueInfo => ({ ...t, containers: t.containers!.slice(1) });
  // a loop may carry an optional in and what it holds out (ONNX's loop16_seq_none): the held type wins
  if (a.containers?.[0] === 'optional' && kinds(held(a)) === kinds(b)) return joinTypes(held(a), b, symbol, what);
  if (b.containers?.[0] === 'optional' && kinds(held(b)) === kinds(a)) return joinTypes(a, held(b), symbol, what);
  if (a.dtype !== b.dtype || kinds(a) !== kinds(b)) {
    throw new ShapeError(`${what} is ${fmtType(a)} on one path and ${fmtType(b)} on the other`);
  }
  if (a.anyShape) return b;
  if (b.anyShape) return a;
  if (a.shape.length !== b.shape.length) {
    // a sequence may hold tensors of different ranks
    if (a.containers?.length) return { ...a, shape: [], anyShape: true };
    throw new UnsupportedError(`${what} has rank ${a.shape.length} on one path and ${b.shape.length} on the other; Kiln needs one rank`);
  }
  const shape = a.shape.map((d, i) => (d === b.shape[i] ? d : symbol(`${what}_dim${i}`)));
  return { ...a, shape };
}

const sameTypes = (a: readonly ValueInfo[], b: readonly ValueInfo[]) => a.every((t, i) =>
  !t.anyShape === !b[i].anyShape && fmtType(t) === fmtType(b[i]) && t.shape.length === b[i].shape.length && t.shape.every((d, k) => d === b[i].shape[k]));

/** The number of loop-carried values (Loop) or states (Scan), from the inputs and the captures attribute. */
function carriedCount(inputs: number, leading: number, captures: number, op: string): number {
  const n = inputs - leading - captures;
  if (n < 0) throw new GraphError(`${op} has ${inputs} inputs, fewer than ${leading} + ${captures} captured`);
  return n;
}

/** Types of stacked outputs: each element's type with a new axis of `length` at `axis`. */
function stacked(elems: readonly ValueInfo[], length: Dim, axes: readonly number[] = []): ValueInfo[] {
  return elems.map((e, k) => {
    if (e.containers?.length) throw new UnsupportedError(`scan output ${k} is a ${e.containers[0]}; only tensors stack`);
    const a = normAxis(axes[k] ?? 0, e.shape.length + 1, 'scan output axis');
    return { dtype: e.dtype, shape: [...e.shape.slice(0, a), length, ...e.shape.slice(a)] };
  });
}

/** The static element shape a stacked output of no iterations takes (unknown dims count 0). */
function emptyElement(g: Graph, output: string): { dtype: Tensor['dtype']; shape: number[] } {
  const info = g.values.get(output);
  if (!info) throw new GraphError(`subgraph '${g.name}' output '${output}' has no type`);
  return { dtype: info.dtype, shape: info.shape.map((d) => (typeof d === 'number' ? d : 0)) };
}

export const controlFlowOps = {
  If: defineOp({
    attrs: { then_branch: attr.required('graph'), else_branch: attr.required('graph') },
    inputs: [1, Infinity],
    outputs: [1, Infinity],
    fusion: 'opaque',
    infer: (ctx) => {
      const captured = ctx.inputs.slice(1).map((t, i) => {
        if (!t) throw new GraphError(`If input ${i + 1} is omitted; every captured value must be given`);
        return t;
      });
      const then = typeSubgraph(ctx, ctx.attrs.then_branch, captured), other = typeSubgraph(ctx, ctx.attrs.else_branch, captured);
      if (then.length !== other.length) throw new GraphError(`If branches give ${then.length} and ${other.length} outputs`);
      return then.map((t, i) => {
        if (!t.containers?.length && t.shape.length !== other[i].shape.length) {
          throw new UnsupportedError(`its branches give output ${i} ranks ${t.shape.length} and ${other[i].shape.length}, and its condition is not known ` +
            'at import; fix the input dims it tests with --shape, or the inputs it reads with --freeze');
        }
        return joinTypes(t, other[i], ctx.symbol, `If output ${i}`);
      });
    },
    inline: ({ attrs, inputs, constant }) => {
      const cond = constant(0);
      if (!cond) return undefined;
      return { graph: truth(cond, 'If condition') ? attrs.then_branch : attrs.else_branch, inputs: Array.from({ length: inputs - 1 }, (_, i) => i + 1) };
    },
    evaluate: ({ attrs, inputs, runGraph }) => {
      const branch = truth(inputs[0], 'If condition') ? attrs.then_branch : attrs.else_branch;
      return runGraph(branch, inputs.slice(1) as RunValue[]);
    },
  }),

  // inputs: trip count M ('' = none), condition ('' = true), carried values, captured values
  Loop: defineOp({
    attrs: { body: attr.required('graph'), captures: attr.int(0) },
    inputs: [2, Infinity],
    omittable: [0, 1],
    outputs: [0, Infinity],
    fusion: 'opaque',
    infer: (ctx) => {
      const { body, captures } = ctx.attrs;
      const n = carriedCount(ctx.inputs.length, 2, captures, 'Loop');
      const given = ctx.inputs.slice(2).map((t, i) => {
        if (!t) throw new GraphError(`Loop input ${i + 2} is omitted; carried and captured values must be given`);
        return t;
      });
      let carried = given.slice(0, n);
      const caps = given.slice(n);
      // the carried types every iteration agrees with: dims that change become symbolic (a few rounds settle it)
      let out: readonly ValueInfo[] = [];
      for (let round = 0; round < 4; round++) {
        out = typeSubgraph(ctx, body, [INT64_SCALAR, BOOL_SCALAR, ...carried, ...caps]);
        if (out.length < 1 + n) throw new GraphError(`Loop body gives ${out.length} outputs, needs the condition and ${n} carried values`);
        const joined = carried.map((t, i) => joinTypes(t, out[1 + i], ctx.symbol, `Loop carried value ${i}`));
        if (sameTypes(joined, carried)) break;
        carried = joined;
      }
      return [...carried, ...stacked(out.slice(1 + n), ctx.symbol('loop_iterations'))];
    },
    evaluate: ({ node, attrs, inputs, runGraph }) => {
      const { body, captures } = attrs;
      const n = carriedCount(inputs.length, 2, captures, 'Loop');
      const trips = inputs[0] === undefined ? Infinity : Number(expectTensor(inputs[0], 'Loop trip count').data[0]);
      let go = inputs[1] === undefined ? true : truth(inputs[1], 'Loop condition');
      let carried = inputs.slice(2, 2 + n) as RunValue[];
      const caps = inputs.slice(2 + n) as RunValue[];
      const scans: Tensor[][] = [];
      for (let i = 0; i < trips && go; i++) {
        const out = runGraph(body, [Tensor.scalar('int64', i), Tensor.scalar('bool', go ? 1 : 0), ...carried, ...caps]);
        go = truth(out[0], 'Loop body condition');
        carried = out.slice(1, 1 + n);
        out.slice(1 + n).forEach((v, k) => (scans[k] ??= []).push(expectTensor(v, `Loop scan output ${k}`)));
      }
      const k = node.outputs.length - n;
      const stacks = Array.from({ length: k }, (_, j) => stackAlong(scans[j] ?? [], 0, emptyElement(body, body.outputs[1 + n + j])));
      return [...carried, ...stacks];
    },
  }),

  // ONNX Scan from opset 9: inputs are states, `num_scan_inputs` scanned tensors, captured values
  Scan: defineOp({
    attrs: {
      body: attr.required('graph'), num_scan_inputs: attr.required('int'), captures: attr.int(0),
      scan_input_directions: attr.ints(), scan_output_directions: attr.ints(),
      scan_input_axes: attr.ints(), scan_output_axes: attr.ints(),
    },
    inputs: [1, Infinity],
    outputs: [1, Infinity],
    fusion: 'opaque',
    infer: (ctx) => {
      const { body, num_scan_inputs: m, captures, scan_input_axes: inAxes = [], scan_output_axes: outAxes = [] } = ctx.attrs;
      const n = carriedCount(ctx.inputs.length, m, captures, 'Scan');
      const given = ctx.inputs.map((t, i) => {
        if (!t) throw new GraphError(`Scan input ${i} is omitted`);
        return t;
      });
      const scanned = given.slice(n, n + m).map((t, j) => {
        const a = normAxis(inAxes[j] ?? 0, t.shape.length, 'scan input axis');
        return { ...t, shape: t.shape.filter((_, i) => i !== a) };
      });
      const first = given[n], length = first ? first.shape[normAxis(inAxes[0] ?? 0, first.shape.length)] : 0;
      const out = typeSubgraph(ctx, body, [...given.slice(0, n), ...scanned, ...given.slice(n + m)]);
      return [...out.slice(0, n), ...stacked(out.slice(n), length, outAxes)];
    },
    evaluate: ({ attrs, inputs, runGraph }) => {
      const { body, num_scan_inputs: m, captures } = attrs;
      const n = carriedCount(inputs.length, m, captures, 'Scan');
      const xs = inputs.slice(n, n + m).map((v, j) => expectTensor(v, `Scan input ${n + j}`));
      const axes = xs.map((x, j) => normAxis(attrs.scan_input_axes?.[j] ?? 0, x.rank, 'scan input axis'));
      const lengths = new Set(xs.map((x, j) => x.shape[axes[j]]));
      if (lengths.size > 1) throw new ShapeError(`Scan inputs have lengths ${[...lengths].join(', ')} along their scan axes`);
      const steps = xs.length ? xs[0].shape[axes[0]] : 0;
      let states = inputs.slice(0, n) as RunValue[];
      const caps = inputs.slice(n + m) as RunValue[];
      const scans: Tensor[][] = [];
      for (let t = 0; t < steps; t++) {
        const slices = xs.map((x, j) => sliceAlong(x, axes[j], attrs.scan_input_directions?.[j] ? steps - 1 - t : t));
        const out = runGraph(body, [...states, ...slices, ...caps]);
        states = out.slice(0, n);
        out.slice(n).forEach((v, k) => (scans[k] ??= []).push(expectTensor(v, `Scan output ${n + k}`)));
      }
      const k = body.outputs.length - n;
      const stacks = Array.from({ length: k }, (_, j) => {
        const items = scans[j] ?? [];
        const ordered = attrs.scan_output_directions?.[j] ? [...items].reverse() : items;
        return stackAlong(ordered, attrs.scan_output_axes?.[j] ?? 0, emptyElement(body, body.outputs[n + j]));
      });
      return [...states, ...stacks];
    },
  }),
} as const;
