// The error a compile ends with when some nodes cannot become kernels: every such op at once,
// with why and where, and the way out (the reference executor runs every canonical op).
import { ShapeError, UnsupportedError } from '../errors.js';
import { isTensorType, subgraphsOf, type Graph } from '../ir/graph.js';
import { opDef } from '../ops/index.js';

export class CompileUnsupportedError extends UnsupportedError {
  /** Op -> the nodes that failed and the first reason given. */
  constructor(readonly ops: ReadonlyMap<string, { readonly nodes: readonly string[]; readonly reason: string }>) {
    const parts = [...ops].map(([op, { nodes, reason }]) =>
      `${op} (${nodes.length} node${nodes.length > 1 ? 's' : ''}, e.g. '${nodes[0]}': ${reason.replace(/\.$/, '')})`);
    super(`cannot compile ${ops.size > 1 ? 'these ops' : 'this op'} yet: ${parts.join('; ')}; run it with --engine reference`);
  }
}

/**
 * Compiled code holds no subgraphs or sequences yet: an If whose condition did not fold (it depends
 * on input values: freezing them folds the branch away), any other op with subgraphs, or a value
 * that is a sequence or an optional. The reference executor runs them all.
 */
export function refuseControlFlow(g: Graph): void {
  const ops = new Map<string, { nodes: string[]; reason: string }>();
  const refuse = (op: string, node: string, reason: string) => {
    const f = ops.get(op) ?? { nodes: [], reason };
    f.nodes.push(node);
    ops.set(op, f);
  };
  for (const n of g.nodes) {
    if (opDef(n.op)?.inline) {
      throw new ShapeError(`${n.op} '${n.name}' takes a branch that depends on input values; compile with the inputs that decide its condition fixed (--freeze NAME=FILE.npy), or run it with --engine reference`);
    }
    if (subgraphsOf(n).length) refuse(n.op, n.name, 'subgraphs compile only as an If whose condition is a constant');
    else if (![...n.inputs, ...n.outputs].every((v) => !v || isTensorType(g.values.get(v)))) refuse(n.op, n.name, 'sequences and optionals run on the reference engine only');
  }
  if (ops.size) throw new CompileUnsupportedError(ops);
}
