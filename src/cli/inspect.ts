// `kiln inspect`: what a model is — format, signature, op histogram, parameter count and
// multiply-accumulates, and the layout conversions graph optimisation leaves — as text or JSON;
// with --kernels, the fused kernels it compiles to.
import type { KernelGroup } from '../compile/fuse.js';
import type { Graph } from '../ir/graph.js';
import { isFloat } from '../ir/dtype.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import { opDef } from '../ops/index.js';
import { KilnError } from '../errors.js';
import { countMacs } from '../compile/macs.js';
import { layoutConversions } from '../passes/layout-report.js';
import { optimizeGraph } from '../passes/pipeline.js';

export interface TensorSignature {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly Dim[];
}

export interface ModelSummary {
  readonly file: string;
  readonly format: string;
  readonly producer: string | null;
  readonly opset: number | null;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly nodes: number;
  /** Canonical op name -> node count, most frequent first. */
  readonly ops: Readonly<Record<string, number>>;
  /** Elements of the floating-point constants (weights). */
  readonly parameters: number;
  /** Multiply-accumulates of one run; null when some op that does dense arithmetic has symbolic shapes. */
  readonly macs: number | null;
  /** Data-moving transposes left after optimisation at the default level, by the ops they sit between; null when it fails. */
  readonly layoutConversions: { readonly count: number; readonly between: Readonly<Record<string, number>> } | null;
}

export { countMacs } from '../compile/macs.js';

export function summarize(g: Graph, file: string): ModelSummary {
  const signature = (name: string): TensorSignature => {
    const info = g.values.get(name);
    return { name, dtype: info?.dtype ?? 'unknown', shape: info?.shape ?? [] };
  };
  const counts = new Map<string, number>();
  for (const n of g.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  let parameters = 0;
  for (const t of g.constants.values()) if (isFloat(t.dtype)) parameters += t.size;
  return {
    file, format: g.meta.format, producer: g.meta.producer ?? null, opset: g.meta.opset ?? null,
    inputs: g.inputs.map(signature), outputs: g.outputs.map(signature), nodes: g.nodes.length,
    ops: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    parameters, macs: countMacs(g), layoutConversions: layoutLeft(g),
  };
}

function layoutLeft(g: Graph): ModelSummary['layoutConversions'] {
  try {
    const { count, between } = layoutConversions(optimizeGraph(g).graph);
    return { count, between };
  } catch (e) {
    // inspect describes models compilation may still reject; compile reports why
    if (e instanceof KilnError && e.code !== 'E_INTERNAL') return null;
    throw e;
  }
}

/** 1234567 -> '1.23 M' (with the exact count beside it in the text report). */
function metric(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  const [scale, unit] = units.find(([s]) => n >= s) ?? [1, ''];
  return unit ? `${(n / scale).toFixed(2)} ${unit}` : String(n);
}

export function formatSummary(s: ModelSummary): string {
  const origin = [s.producer && `producer ${s.producer}`, s.opset !== null && `opset ${s.opset}`].filter(Boolean).join(', ');
  const sig = (t: TensorSignature) => `  ${t.name}  ${t.dtype} ${fmtShape(t.shape)}`;
  const width = Math.max(...Object.keys(s.ops).map((k) => k.length), 1);
  return [
    `model       ${s.file}`,
    `format      ${s.format}${origin ? ` (${origin})` : ''}`,
    `inputs      ${s.inputs.length}`, ...s.inputs.map(sig),
    `outputs     ${s.outputs.length}`, ...s.outputs.map(sig),
    `nodes       ${s.nodes}`,
    ...Object.entries(s.ops).map(([op, n]) => `  ${op.padEnd(width)}  ${n}`),
    `parameters  ${metric(s.parameters)} (${s.parameters} float weights)`,
    `layout      ${s.layoutConversions === null ? 'unknown (the graph does not optimise as it is)'
      : `${s.layoutConversions.count} transposes left after optimisation${s.layoutConversions.count ? ` (${Object.entries(s.layoutConversions.between).map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`}`,
    `MACs        ${s.macs === null ? 'unknown (symbolic input dims: give --shape NAME=D0,D1,...)' : `${metric(s.macs)} (${s.macs})`}`,
  ].join('\n');
}

/** One kernel of the compiled model: a fused group as `kiln inspect --kernels` lists it. */
export interface KernelSummary {
  /** The group's ops in execution order, root first. */
  readonly ops: readonly string[];
  readonly nodes: readonly string[];
  /** The layout the kernel computes in: channels-first for windowed ops, else the output's own row-major order. */
  readonly layout: string;
  readonly inputShape: readonly Dim[];
  readonly outputShape: readonly Dim[];
  readonly macs: number;
}

const CHANNELS_FIRST: Readonly<Record<number, string>> = { 3: 'NCW', 4: 'NCHW', 5: 'NCDHW' };

export function summarizeKernels(g: Graph, groups: readonly KernelGroup[]): KernelSummary[] {
  return groups.map((group) => {
    const root = group.nodes[0];
    const input = g.values.get(root.inputs[0] ?? '')?.shape ?? [];
    const output = g.values.get(group.outputs[0])?.shape ?? [];
    // windowed ops (conv, pooling) are the layout-sensitive ones; Kiln runs them channels-first
    const windowed = 'kernel_shape' in (opDef(root.op)?.attrs ?? {});
    return {
      ops: group.nodes.map((n) => n.op), nodes: group.nodes.map((n) => n.name),
      layout: windowed ? CHANNELS_FIRST[input.length] ?? `rank ${input.length}` : 'row-major',
      inputShape: input, outputShape: output, macs: countMacs({ ...g, nodes: group.nodes }) ?? 0,
    };
  });
}

export function formatKernels(kernels: readonly KernelSummary[], nodes: number): string {
  const rows = kernels.map((k, i) => [
    String(i), k.ops.join('+'), k.layout, `${fmtShape(k.inputShape)} -> ${fmtShape(k.outputShape)}`, k.macs ? metric(k.macs) : '-', k.nodes[0],
  ]);
  const header = ['#', 'ops', 'layout', 'shape', 'MACs', 'root node'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ');
  return [`${kernels.length} kernels for ${nodes} nodes`, line(header), ...rows.map(line)].join('\n');
}
