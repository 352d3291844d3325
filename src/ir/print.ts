// A readable text form of a graph, one line per node, subgraphs indented under their node: what
// KILN_DEBUG=2 prints.
import { isGraph, subgraphsOf, type AttrValue, type Graph } from './graph.js';
import { fmtShape } from './shape.js';
import { Tensor } from './tensor.js';
import { fmtType } from './value.js';

function fmtAttr(v: AttrValue): string {
  if (v instanceof Tensor) return `tensor<${v.dtype}${fmtShape(v.shape)}>`;
  if (isGraph(v)) return `graph ${v.name}`;
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : isGraph(x) ? `graph ${x.name}` : x)).join(',')}]`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function printGraph(g: Graph, opts: { maxConstants?: number } = {}): string {
  return graphLines(g, opts.maxConstants ?? 20, '').join('\n');
}

function graphLines(g: Graph, maxC: number, indent: string): string[] {
  const ty = (v: string) => {
    const i = g.values.get(v);
    return i ? fmtType(i) : '?';
  };
  const lines: string[] = [`graph ${g.name} (${g.meta.format}${g.meta.opset ? ` opset ${g.meta.opset}` : ''}) {`];
  for (const i of g.inputs) lines.push(`  input  %${i}: ${ty(i)}`);
  let c = 0;
  for (const [name, t] of g.constants) {
    if (c++ >= maxC) { lines.push(`  ... ${g.constants.size - maxC} more constants`); break; }
    const preview = t.size <= 8 && t.dtype !== 'string' ? ` = [${t.toArray().join(',')}]` : '';
    lines.push(`  const  %${name}: ${t.dtype}${fmtShape(t.shape)}${preview}`);
  }
  for (const n of g.nodes) {
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${fmtAttr(v)}`).join(', ');
    const outs = n.outputs.map((o) => `%${o}: ${ty(o)}`).join(', ');
    const ins = n.inputs.map((v) => (v ? `%${v}` : '_')).join(', ');
    lines.push(`  ${outs} = ${n.op}(${ins})${attrs ? ` {${attrs}}` : ''}  # ${n.name}`);
    for (const [attr, sub] of subgraphsOf(n)) {
      const [first, ...rest] = graphLines(sub, maxC, '    ');
      lines.push(`    ${attr}: ${first.trimStart()}`, ...rest);
    }
  }
  lines.push(`  return ${g.outputs.map((o) => `%${o}`).join(', ')}`, '}');
  return lines.map((l) => indent + l);
}
