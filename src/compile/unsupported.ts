// The error a compile ends with when some nodes cannot become kernels: every such op at once,
// with why and where, and the way out (the reference executor runs every canonical op).
import { UnsupportedError } from '../errors.js';

export class CompileUnsupportedError extends UnsupportedError {
  /** Op -> the nodes that failed and the first reason given. */
  constructor(readonly ops: ReadonlyMap<string, { readonly nodes: readonly string[]; readonly reason: string }>) {
    const parts = [...ops].map(([op, { nodes, reason }]) =>
      `${op} (${nodes.length} node${nodes.length > 1 ? 's' : ''}, e.g. '${nodes[0]}': ${reason.replace(/\.$/, '')})`);
    super(`cannot compile ${ops.size > 1 ? 'these ops' : 'this op'} yet: ${parts.join('; ')}; run it with --engine reference`);
  }
}
