// Typed errors: every failure a user can cause has a class with a short code and a
// one-line message that names the problem and what to do. The CLI prints only that line.

export type ErrorCode =
  | 'E_FORMAT'      // a model or data file is truncated, corrupt or not what it claims to be
  | 'E_IO'          // a file is missing or unreadable
  | 'E_UNSUPPORTED' // an op, dtype or attribute Kiln does not implement
  | 'E_SHAPE'       // shapes that contradict each other or the model
  | 'E_INPUT'       // bad user input: feeds, CLI arguments
  | 'E_GRAPH'       // a malformed graph (verifier)
  | 'E_SCHEDULE'    // a schedule step that is illegal for the computation it transforms
  | 'E_TOOLCHAIN'   // the C compiler the native and c targets need is missing or fails
  | 'E_INTERNAL';   // a bug in Kiln

export class KilnError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(oneLine(message));
    this.name = new.target.name;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A message stays one line whatever names a file put in it: control characters (a node name with
 * a newline) are shown escaped.
 */
export function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class FormatError extends KilnError {
  constructor(message: string) { super('E_FORMAT', message); }
}
export class IoError extends KilnError {
  constructor(message: string) { super('E_IO', message); }
}
export class UnsupportedError extends KilnError {
  constructor(message: string) { super('E_UNSUPPORTED', message); }
}
export class ShapeError extends KilnError {
  constructor(message: string) { super('E_SHAPE', message); }
}
export class InputError extends KilnError {
  constructor(message: string) { super('E_INPUT', message); }
}
export class GraphError extends KilnError {
  constructor(message: string) { super('E_GRAPH', message); }
}

/** Unsupported ops collected over a whole model, so the user sees every one at once. */
export class UnsupportedOpsError extends UnsupportedError {
  constructor(readonly format: string, readonly ops: ReadonlyMap<string, readonly string[]>) {
    const parts = [...ops].map(([op, nodes]) =>
      `${op} (${nodes.length} node${nodes.length > 1 ? 's' : ''}, e.g. '${nodes[0]}')`);
    // an entry that names a flag to fix it is the user's to act on, not a gap to report
    const fixable = [...ops.keys()].every((op) => /--[a-z]/.test(op));
    super(`unsupported ${format} op${ops.size > 1 ? 's' : ''}: ${parts.join(', ')}` +
      (fixable ? '' : '; Kiln cannot import this model yet — please report the op types above'));
  }
}

/** Prefix a KilnError with where it happened, keeping its class and code. */
export function withContext(err: unknown, where: string): unknown {
  if (err instanceof KilnError && !err.message.startsWith(where)) {
    err.message = oneLine(`${where}: ${err.message}`);
  }
  return err;
}
