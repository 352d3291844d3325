// Import-time evaluation of small integer vectors (shapes, sizes) one element at a time: an
// element is known when it follows from static dims, even where others (a symbolic batch) are not.
import { isFloat } from '../../ir/dtype.js';
import type { Graph, Node } from '../../ir/graph.js';

/** Elements of a 0-D or 1-D value, undefined where not known at import time. */
export type Elements = readonly (number | undefined)[];

/** Longest vector evaluated: shape arithmetic is short, and anything longer is data. */
const MAX_LENGTH = 16;

/**
 * The elements of `value` in the (shape-inferred) graph `g`, following Shape, slicing, packing
 * and integer arithmetic back to static dims and constants; undefined when its length is unknown.
 */
export function knownElements(g: Graph, value: string): Elements | undefined {
  const producer = new Map<string, Node>();
  for (const n of g.nodes) n.outputs.forEach((o) => producer.set(o, n));
  const memo = new Map<string, Elements | undefined>();
  const unknown = (v: string): Elements | undefined => {
    const s = g.values.get(v)?.shape;
    if (!s || s.length > 1) return undefined;
    const n = s.length === 0 ? 1 : s[0];
    return typeof n === 'number' && n <= MAX_LENGTH ? new Array<undefined>(n).fill(undefined) : undefined;
  };
  const ints = (v: string | undefined): number[] | undefined => {
    const t = v ? g.constants.get(v) : undefined;
    return t && t.rank <= 1 ? t.toArray() : undefined;
  };
  const visit = (v: string): Elements | undefined => {
    if (memo.has(v)) return memo.get(v);
    const t = g.constants.get(v);
    const n = producer.get(v);
    let r: Elements | undefined;
    if (t) r = t.rank <= 1 && t.size <= MAX_LENGTH ? t.toArray() : undefined;
    else if (n) r = evaluate(n) ?? unknown(v);
    memo.set(v, r);
    return r;
  };
  const evaluate = (n: Node): Elements | undefined => {
    const a = n.inputs[0] ? visit(n.inputs[0]) : undefined;
    switch (n.op) {
      case 'Shape': {
        const s = g.values.get(n.inputs[0])?.shape;
        if (!s) return undefined;
        const start = Number(n.attrs.start ?? 0), end = n.attrs.end === undefined ? s.length : Number(n.attrs.end);
        const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + s.length : i, 0), s.length);
        return s.slice(clamp(start), clamp(end)).map((d) => (typeof d === 'number' ? d : undefined));
      }
      case 'Cast': case 'Identity': case 'Squeeze': case 'Unsqueeze': case 'Reshape': {
        const out = g.values.get(n.outputs[0])?.shape;
        return out && out.length <= 1 ? a : undefined;
      }
      case 'Concat': {
        const parts = n.inputs.map(visit);
        return parts.every((p) => p) ? parts.flatMap((p) => [...p!]) : undefined;
      }
      case 'Gather': {
        const idx = ints(n.inputs[1]);
        if (!a || !idx || Number(n.attrs.axis ?? 0) !== 0) return undefined;
        return idx.map((i) => a[i < 0 ? i + a.length : i]);
      }
      case 'Slice': return a && sliceElements(a, ints(n.inputs[1]), ints(n.inputs[2]), ints(n.inputs[3]), ints(n.inputs[4]));
      case 'Add': case 'Sub': case 'Mul': case 'Div': {
        const b = visit(n.inputs[1]);
        if (!a || !b) return undefined;
        const float = isFloat(g.values.get(n.outputs[0])?.dtype ?? 'int64');
        return elementwise(a, b, (x, y) => arithmetic(n.op, x, y, float));
      }
      default: return undefined;
    }
  };
  return visit(value);
}

function arithmetic(op: string, x: number, y: number, float: boolean): number | undefined {
  switch (op) {
    case 'Add': return x + y;
    case 'Sub': return x - y;
    case 'Mul': return x * y;
    default: return y === 0 ? undefined : float ? x / y : Math.trunc(x / y);
  }
}

/** Broadcasts a length-1 side against the other, as shape arithmetic on vectors and scalars does. */
function elementwise(a: Elements, b: Elements, f: (x: number, y: number) => number | undefined): Elements | undefined {
  const n = Math.max(a.length, b.length);
  if ((a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1)) return undefined;
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length === 1 ? 0 : i], y = b[b.length === 1 ? 0 : i];
    return x === undefined || y === undefined ? undefined : f(x, y);
  });
}

/** A 1-D Slice with constant bounds, with the canonical Slice's clamping. */
function sliceElements(a: Elements, starts?: number[], ends?: number[], axes?: number[], steps?: number[]): Elements | undefined {
  if (!starts || !ends || starts.length !== 1 || (axes && axes[0] !== 0 && axes[0] !== -1)) return undefined;
  const step = steps?.[0] ?? 1;
  const n = a.length;
  const norm = (i: number) => (i < 0 ? i + n : i);
  const out: (number | undefined)[] = [];
  if (step > 0) {
    const from = Math.min(Math.max(norm(starts[0]), 0), n), to = Math.min(Math.max(norm(ends[0]), 0), n);
    for (let i = from; i < to; i += step) out.push(a[i]);
  } else if (step < 0) {
    const from = Math.min(Math.max(norm(starts[0]), -1), n - 1), to = Math.min(Math.max(norm(ends[0]), -1), n - 1);
    for (let i = from; i > to; i += step) out.push(a[i]);
  } else return undefined;
  return out;
}
