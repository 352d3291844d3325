// TensorFlow graph (NodeDefs from a model.json or a GraphDef) -> canonical Graph: picks the
// inputs and outputs, walks the nodes the outputs need in dependency order, maps each through
// one op table, and reports every unsupported op of the model in a single error.
import { FormatError, InputError, UnsupportedError, UnsupportedOpsError, withContext } from '../../errors.js';
import type { DType } from '../../ir/dtype.js';
import { GraphBuilder, type Graph } from '../../ir/graph.js';
import type { Dim } from '../../ir/shape.js';
import type { Tensor } from '../../ir/tensor.js';
import { inferShapes } from '../../passes/infer-shapes.js';
import { NodeContext, TfGraphState, UnsupportedVariant } from './context.js';
import { convertMerge, convertSwitch, DeadOutputs } from './control-flow.js';
import { listOps } from './tensor-lists.js';
import { findFrames, loopDependencies, unrollFrame } from './while-loop.js';
import { dimsOf, parseRef, refName, TfNode, type TfNodeJson, type TfRef, type TfShapeJson } from './node.js';
import { arrayOps } from './ops-array.js';
import { mathOps, type Converter } from './ops-math.js';
import { nnOps } from './ops-nn.js';

/** Every TF op Kiln maps, by TF op name (Placeholder and Const are handled by the walk). */
export const TF_OPS = { ...mathOps, ...nnOps, ...arrayOps, ...listOps } satisfies Record<string, Converter>;
export type TfOpName = keyof typeof TF_OPS;

function converterOf(op: string): Converter | undefined {
  return Object.prototype.hasOwnProperty.call(TF_OPS, op) ? TF_OPS[op as TfOpName] : undefined;
}

export interface TfGraphSource {
  readonly format: 'tfjs-graph' | 'graphdef';
  /** The model file, for messages. */
  readonly source: string;
  readonly name: string;
  readonly producer?: string;
  readonly nodes: readonly TfNodeJson[];
  /** TF.js computes int64 as int32; a GraphDef keeps int64. */
  readonly int64As: DType;
  /** TF.js computes float64 as float32 too (its weights store doubles as float32). */
  readonly float64As?: DType;
  /** The value of a Const node (TF.js weights, or the node's own tensor attribute). */
  readonly constant: (node: TfNode) => Tensor;
  /** Inputs and outputs as TF refs ('x', 'x:0', 'x:1'); by default Placeholders and unconsumed nodes. */
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** Input shapes declared outside the Placeholders (a TF.js signature). */
  readonly inputShapes?: ReadonlyMap<string, TfShapeJson>;
  /** Library function names: a node whose op is one of them calls it. */
  readonly functions?: ReadonlySet<string>;
  /** What the user gives at import: shapes for inputs of unknown rank, values for frozen inputs. */
  readonly given?: TfImportOptions;
}

export interface TfImportOptions {
  /** Whole shapes of inputs: fix their symbolic dims, and give the shape of an input the model declares without a rank. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Inputs fixed to values: they become constants, so a tf.cond on them picks its branch at import. */
  readonly values?: Readonly<Record<string, Tensor>>;
}

const NOT_OUTPUTS = new Set(['Const', 'NoOp', 'Placeholder']);

export function convertTfGraph(src: TfGraphSource): Graph {
  const nodes = new Map<string, TfNode>();
  for (const json of src.nodes) {
    const n = new TfNode(json, src.int64As, src.float64As);
    if (nodes.has(n.name)) throw new FormatError(`${src.source}: two nodes are named '${n.name}'`);
    nodes.set(n.name, n);
  }
  const outputs = dedupe((src.outputs ?? sinks(nodes)).map(parseRef));
  if (!outputs.length) throw new FormatError(`${src.source}: the graph has no outputs`);
  const frames = findFrames(nodes);
  const order = dependencyOrder(nodes, outputs, src.source, (n) => loopDependencies(n, nodes, frames));

  const builder = new GraphBuilder(src.name, { format: src.format, producer: src.producer });
  const state = new TfGraphState(builder, src.int64As);
  const placeholders = order.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  const inputNames = [...new Set([...(src.inputs ?? []).map((r) => parseRef(r).node), ...placeholders])];
  const unknownRank = inputNames.filter((name) => !addInput(state, nodes.get(name), name, src));
  if (unknownRank.length) throw unknownRankError(src.source, unknownRank.map((n) => [n, nodes.get(n)!.attrs.type('dtype')]));
  for (const name of Object.keys(src.given?.values ?? {})) {
    if (!inputNames.includes(name)) {
      throw new InputError(`--freeze names '${name}', which is not an input of the model; its inputs are ${inputNames.map((n) => `'${n}'`).join(', ')}`);
    }
  }

  const unsupported = new Map<string, string[]>();
  const failed = new Set<string>();
  const report = (key: string, node: string) => unsupported.set(key, [...(unsupported.get(key) ?? []), node]);
  /** Converts one node (not a Placeholder, Const or loop frame node); false when it failed and was reported. */
  const convertNode = (node: TfNode, dead: DeadOutputs): boolean => {
    if (node.op !== 'Merge' && dead.reads(node)) {
      dead.killNode(node);
      return true;
    }
    const condOp = node.op === 'Switch' || node.op === 'Merge';
    const convert = condOp ? undefined : converterOf(node.op);
    // unknown op types are listed even downstream of other failures: the error names them all
    if (!condOp && !convert) report(src.functions?.has(node.op) ? `${node.op} (library function)` : node.op, node.name);
    if ((!condOp && !convert) || node.inputs.some((r) => failed.has(r.node))) {
      failed.add(node.name);
      return false;
    }
    try {
      if (node.op === 'Switch') convertSwitch(state, node, dead);
      else if (node.op === 'Merge') convertMerge(state, node, dead);
      else convert!(new NodeContext(state, node)).forEach((v, index) => state.bind({ node: node.name, index }, v));
      return true;
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw withContext(e, `${src.source}: ${node.where}`);
      const detail = condOp ? `${node.op} (tf.cond): ${e.message.replace(`${node.where}: `, '')}`
        : e instanceof UnsupportedVariant ? `${node.op} with ${e.detail}` : node.op;
      report(detail, node.name);
      failed.add(node.name);
      return false;
    }
  };

  const dead = new DeadOutputs();
  const unrolled = new Set<string>();
  for (const node of order) {
    if (node.op === 'Placeholder') continue;
    if (node.op === 'Const') {
      state.bindConstant({ node: node.name, index: 0 }, src.constant(node));
      continue;
    }
    const frame = frames.get(node.name);
    if (!frame) {
      convertNode(node, dead);
      continue;
    }
    if (unrolled.has(frame.name) || (node.op !== 'Exit' && node.op !== 'RefExit')) continue;
    unrolled.add(frame.name);
    const body = order.filter((n) => frame.members.has(n.name));
    if (body.some((n) => n.inputs.some((r) => failed.has(r.node)))) {
      body.forEach((n) => failed.add(n.name));
      continue;
    }
    try {
      if (!unrollFrame(frame, body, nodes, state, convertNode)) body.forEach((n) => failed.add(n.name));
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw withContext(e, `${src.source}: while loop '${frame.name}'`);
      report(`while loop: ${e.message}`, frame.name);
      body.forEach((n) => failed.add(n.name));
    }
  }
  if (unsupported.size) throw new UnsupportedOpsError('TensorFlow', unsupported);

  const deadOutput = outputs.find((r) => dead.has(r));
  if (deadOutput) throw new FormatError(`${src.source}: output '${refName(deadOutput)}' lies on a tf.cond branch not taken`);
  builder.setOutputs(outputs.map((ref) => outputValue(state, ref, nodes)));
  return inferShapes(builder.build());
}

function dedupe(refs: readonly TfRef[]): TfRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(refName(r)) && !!seen.add(refName(r)));
}

/** Nodes no other node reads (data or control), in file order. */
function sinks(nodes: ReadonlyMap<string, TfNode>): string[] {
  const read = new Set<string>();
  for (const n of nodes.values()) {
    n.inputs.forEach((r) => read.add(r.node));
    n.controlInputs.forEach((c) => read.add(c));
  }
  return [...nodes.values()].filter((n) => !read.has(n.name) && !NOT_OUTPUTS.has(n.op)).map((n) => n.name);
}

/** The nodes the outputs depend on through data edges, each after its inputs (iterative DFS). */
function dependencyOrder(nodes: ReadonlyMap<string, TfNode>, outputs: readonly TfRef[], source: string,
  inputsOf: (n: TfNode) => readonly TfRef[]): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const get = (name: string, from: string) => {
    const n = nodes.get(name);
    if (!n) throw new FormatError(`${source}: ${from} reads '${name}', which is not a node of the graph`);
    return n;
  };
  for (const out of outputs) {
    const stack: { node: TfNode; next: number }[] = [];
    const push = (n: TfNode) => {
      const s = state.get(n.name);
      if (s === 'done') return;
      if (s === 'open') throw new FormatError(`${source}: the graph has a cycle through '${n.name}' outside a while-loop frame`);
      state.set(n.name, 'open');
      stack.push({ node: n, next: 0 });
    };
    push(get(out.node, 'an output'));
    while (stack.length) {
      const top = stack[stack.length - 1];
      const inputs = inputsOf(top.node);
      if (top.next < inputs.length) {
        push(get(inputs[top.next++].node, top.node.where));
        continue;
      }
      stack.pop();
      state.set(top.node.name, 'done');
      order.push(top.node);
    }
  }
  return order;
}

/** Every input of unknown rank in one message, each with the flag that gives its shape or its value. */
function unknownRankError(source: string, inputs: readonly (readonly [string, string])[]): UnsupportedError {
  const list = inputs.map(([n, dtype]) => `'${n}' (${dtype})`).join(', ');
  return new UnsupportedError(`${source}: input${inputs.length > 1 ? 's' : ''} ${list} ${inputs.length > 1 ? 'have' : 'has'} an unknown rank; ` +
    `give each whole shape, ${inputs.map(([n]) => `--shape ${n}=D0,D1,...`).join(' ')} (--shape NAME= for a scalar), ` +
    `or fix an input whose value steers the model (a scalar ratio or flag) with --freeze NAME=FILE.npy; ` +
    `or re-export the model with a fixed input signature`);
}

/** Adds a graph input; false (nothing added) when its rank is unknown and no shape was given. */
function addInput(state: TfGraphState, node: TfNode | undefined, name: string, src: TfGraphSource): boolean {
  if (!node || node.op !== 'Placeholder') {
    throw new FormatError(`${src.source}: input '${name}' is not a Placeholder node of the graph`);
  }
  const dtype = node.attrs.type('dtype');
  const frozen = src.given?.values?.[name];
  if (frozen) {
    if (frozen.dtype !== dtype) throw new InputError(`--freeze ${name}: input '${name}' is ${dtype} but the value is ${frozen.dtype}`);
    state.bindConstant({ node: name, index: 0 }, frozen);
    return true;
  }
  const declared = node.attrs.shape('shape');
  const shapeJson = declared && !declared.unknownRank ? declared : src.inputShapes?.get(name) ?? declared;
  const symbol = (i: number): Dim => (i === 0 ? 'batch' : `${name}_d${i}`);
  const declaredDims = dimsOf(shapeJson, symbol);
  const given = src.given?.shapes?.[name];
  // a given shape that fits replaces the symbols now, so shape arithmetic folds during import;
  // one that does not is left for withInputShapes to reject with the model's shape in the message
  const fits = given && declaredDims && given.length === declaredDims.length && declaredDims.every((d, i) => typeof d !== 'number' || d === given[i]);
  const shape = !declaredDims || fits ? given : declaredDims;
  if (!shape) return false;
  state.builder.addInput(name, { dtype, shape: [...shape] });
  state.bind({ node: name, index: 0 }, name);
  return true;
}

/** The graph output for a TF ref, named like the ref (an Identity when the value is named otherwise). */
function outputValue(state: TfGraphState, ref: TfRef, nodes: ReadonlyMap<string, TfNode>): string {
  const where = `output '${refName(ref)}'`;
  if (!state.isBound(ref)) {
    const node = nodes.get(ref.node);
    throw new FormatError(node ? `${where}: node '${ref.node}' (${node.op}) has no output ${ref.index}` : `${where}: the model has no node '${ref.node}'`);
  }
  const value = state.value(ref, where);
  const name = refName(ref);
  if (value === name) return value;
  const b = state.builder;
  return b.addNode('Identity', [value], {}, { name, outputs: [b.fresh(name)] })[0];
}
