// ONNX If, Loop, Scan and SequenceMap -> canonical ops whose subgraphs take the outer values they
// read as their last inputs (the node passes them in), and the sequence and optional ops.
import { GraphBuilder, type Graph, type ValueInfo } from '../../ir/graph.js';
import { normAxis } from '../../ir/shape.js';
import { dtypeAttribute } from './attrs.js';
import type { ConvertContext, SubgraphImport } from './context.js';

type Converter = (ctx: ConvertContext) => void;

const INT64_SCALAR: ValueInfo = { dtype: 'int64', shape: [] };
const BOOL_SCALAR: ValueInfo = { dtype: 'bool', shape: [] };

/** `sub` taking the captured values in the order `captured` (adding those it does not read). */
function takingCaptures(ctx: ConvertContext, sub: SubgraphImport, captured: readonly string[]): Graph {
  const g = sub.graph;
  const formal = g.inputs.slice(0, g.inputs.length - sub.captured.length);
  const values = new Map(g.values);
  for (const v of captured) {
    if (values.has(v) && !sub.captured.includes(v)) ctx.unsupported(`a branch defines '${v}', which the other reads from outside`);
    if (!values.has(v)) values.set(v, ctx.typeOf(v)!);
  }
  return { ...g, inputs: [...formal, ...captured], values };
}

const ifOp: Converter = (ctx) => {
  const then = ctx.subgraph('then_branch'), other = ctx.subgraph('else_branch');
  const captured = [...new Set([...then.captured, ...other.captured])];
  ctx.emit('If', [ctx.input(0), ...captured], {
    then_branch: takingCaptures(ctx, then, captured), else_branch: takingCaptures(ctx, other, captured),
  });
};

const loop: Converter = (ctx) => {
  const carried = ctx.node.inputs.slice(2);
  const body = ctx.subgraph('body', [INT64_SCALAR, BOOL_SCALAR, ...carried.map((v) => ctx.typeOf(v))]);
  const inputs = [ctx.input(0), ctx.input(1), ...carried, ...body.captured];
  // the two leading inputs may both be omitted: only trailing '' are dropped by emit, so keep them
  ctx.emit('Loop', inputs, { body: body.graph, captures: body.captured.length });
};

/** Scan from opset 9: states, then `num_scan_inputs` tensors sliced along their scan axes. */
const scan9: Converter = (ctx) => {
  const m = ctx.int('num_scan_inputs', 0);
  const ins = ctx.node.inputs, n = ins.length - m;
  const axes = ctx.ints('scan_input_axes') ?? [];
  const formal = ins.map((v, i) => {
    const t = ctx.typeOf(v);
    if (!t || i < n) return t;
    const a = normAxis(axes[i - n] ?? 0, t.shape.length, 'scan input axis');
    return { ...t, shape: t.shape.filter((_, k) => k !== a) };
  });
  const body = ctx.subgraph('body', formal);
  ctx.emit('Scan', [...ins, ...body.captured], {
    ...ctx.attrsFor('Scan', { drop: ['body'] }), body: body.graph, captures: body.captured.length,
  });
};

/**
 * Scan in opset 8 scans a batch: input 0 is optional sequence lengths, every state and scanned
 * tensor leads with the batch axis, and the scan axis is 1. It becomes a Loop over the batch whose
 * body picks one batch entry of each and runs the opset-9 Scan on them; the Loop stacks the
 * results back along the batch axis.
 */
const scan8: Converter = (ctx) => {
  if (ctx.input(0)) ctx.unsupported('sequence_lens (scans of unequal lengths)');
  const m = ctx.int('num_scan_inputs', 0);
  const ins = ctx.node.inputs.slice(1), n = ins.length - m;
  const formal = ins.map((v, i) => {
    const t = ctx.typeOf(v);
    return t && { ...t, shape: t.shape.slice(i < n ? 1 : 2) };
  });
  const body = ctx.subgraph('body', formal);
  const b = new GraphBuilder(`${ctx.node.name}/batch_entry`, ctx.b.meta);
  const iter = b.addInput(b.fresh('batch_index'), INT64_SCALAR);
  const cond = b.addInput(b.fresh('cond'), BOOL_SCALAR);
  const outer = [...ins, ...body.captured];
  const inner = outer.map((v) => b.addInput(b.fresh(v), ctx.typeOf(v)!));
  const entries = inner.slice(0, ins.length).map((v) => b.add1('Gather', [v, iter], { axis: 0 }));
  const directions = ctx.ints('directions');
  const outs = b.addNode('Scan', [...entries, ...inner.slice(ins.length)], {
    body: body.graph, num_scan_inputs: m, captures: body.captured.length,
    ...(directions ? { scan_input_directions: directions } : {}),
  }, { outputs: ctx.node.outputs.length });
  b.setOutputs([b.add1('Identity', [cond]), ...outs]);
  const batch = ctx.helper('Gather', [ctx.helper('Shape', [ins[0]]), ctx.int64Const('batch_axis', [0], true)], { axis: 0 });
  ctx.emit('Loop', [batch, '', ...outer], { body: b.build(), captures: outer.length });
};

const sequenceMap: Converter = (ctx) => {
  const formal = ctx.node.inputs.map((v) => {
    const t = ctx.typeOf(v);
    return t?.containers?.[0] === 'sequence' ? { dtype: t.dtype, shape: t.shape } : t;
  });
  const body = ctx.subgraph('body', formal);
  ctx.emit('SequenceMap', [...ctx.node.inputs, ...body.captured], { body: body.graph, captures: body.captured.length });
};

/** Optional's `type` attribute (a TypeProto) as the canonical dtype and sequence flag. */
const optional: Converter = (ctx) => {
  const type = ctx.node.types.get('type');
  const seq = type?.sequenceType?.elemType;
  const tensor = (seq ?? type)?.tensorType;
  if (type && !tensor) ctx.unsupported('an optional of something other than a tensor or a sequence of tensors');
  ctx.emit('Optional', ctx.node.inputs, tensor
    ? { dtype: dtypeAttribute(tensor.elemType, "attribute 'type'"), sequence: seq ? 1 : 0 } : {});
};

const sameOp: Converter = (ctx) => { ctx.emit(ctx.node.opType, ctx.node.inputs, ctx.attrsFor(ctx.node.opType)); };

export const CONTROL_FLOW_CONVERTERS: Readonly<Record<string, Converter>> = {
  If: ifOp,
  Loop: loop,
  Scan: (ctx) => (ctx.opset < 9 ? scan8(ctx) : scan9(ctx)),
  SequenceMap: sequenceMap,
  Optional: optional,
  SequenceEmpty: (ctx) => { ctx.emit('SequenceEmpty', [], ctx.attrsFor('SequenceEmpty', { dtypes: ['dtype'] })); },
  ...Object.fromEntries(['SequenceConstruct', 'SequenceInsert', 'SequenceAt', 'SequenceErase', 'SequenceLength',
    'SplitToSequence', 'ConcatFromSequence', 'OptionalHasElement', 'OptionalGetElement'].map((op) => [op, sameOp])),
};
