// RotaryEmbedding (opset 23): each pair of a head's first rotary_embedding_dim features (halves, or
// neighbours when interleaved) rotated by the cos/sin of the token's position. Elementwise-gather-like.
import { ShapeError, UnsupportedError } from '../errors.js';
import type { ValueInfo } from '../ir/graph.js';
import { fmtShape } from '../ir/shape.js';
import { Tensor } from '../ir/tensor.js';
import { bin, cnst, select, type Expr } from '../loop/ir.js';
import { compute, type TeTensor } from '../lower/te.js';
import { dataIndex } from './movement-compute.js';
import type { ComputeContext, InferContext, RunContext } from './op.js';

interface RotaryAttrs { readonly interleaved: number; readonly num_heads: number | undefined; readonly rotary_embedding_dim: number }

interface RotaryDims { readonly heads: number; readonly headSize: number; readonly rotary: number }

function rotaryDims(name: string, attrs: RotaryAttrs, inputs: readonly (ValueInfo | undefined)[]): RotaryDims {
  const where = `RotaryEmbedding '${name}'`;
  const [x, cos, sin, pos] = inputs;
  if (!x || !cos || !sin) throw new ShapeError(`${where}: needs X, cos_cache and sin_cache`);
  const last = x.shape[x.shape.length - 1];
  if ((x.shape.length !== 3 && x.shape.length !== 4) || typeof last !== 'number') {
    throw new ShapeError(`${where}: X ${fmtShape(x.shape)} must be [batch, heads, seq, head_size] or [batch, seq, hidden] with a static last dim`);
  }
  if (!['float32', 'float16', 'float64'].includes(x.dtype)) throw new UnsupportedError(`${where}: X must be a float tensor, got ${x.dtype}`);
  let heads: number;
  if (x.shape.length === 3) {
    if (!attrs.num_heads || last % attrs.num_heads) throw new ShapeError(`${where}: 3-D X ${fmtShape(x.shape)} needs num_heads dividing its last dim`);
    heads = attrs.num_heads;
  } else {
    heads = typeof x.shape[1] === 'number' ? x.shape[1] : 0;
  }
  const headSize = x.shape.length === 3 ? last / heads : last;
  const rotary = attrs.rotary_embedding_dim || headSize;
  const half = cos.shape[cos.shape.length - 1];
  if (rotary % 2 || rotary > headSize || (typeof half === 'number' && half !== rotary / 2) || !sameShape(cos, sin)) {
    throw new ShapeError(`${where}: cos_cache ${fmtShape(cos.shape)} and sin_cache ${fmtShape(sin.shape)} must end in ${rotary / 2} (rotary_embedding_dim ${rotary} of head size ${headSize})`);
  }
  if (pos ? cos.shape.length !== 2 || pos.shape.length !== 2 : cos.shape.length !== 3) {
    throw new ShapeError(`${where}: caches ${fmtShape(cos.shape)} must be [max_position, ${rotary / 2}] with position_ids or [batch, seq, ${rotary / 2}] without`);
  }
  return { heads, headSize, rotary };
}

const sameShape = (a: ValueInfo, b: ValueInfo) => fmtShape(a.shape) === fmtShape(b.shape);

export function inferRotary({ node, attrs, inputs }: InferContext<RotaryAttrs>): ValueInfo[] {
  rotaryDims(node.name, attrs, inputs);
  return [inputs[0]!];
}

/** For feature d (< rotary) of a head: the cache column, the feature it pairs with, the sign of that one's sin term. */
function pairing(rotary: number, interleaved: boolean, d: number): { col: number; partner: number; sign: number } {
  const half = rotary / 2;
  if (interleaved) return { col: d >> 1, partner: d % 2 ? d - 1 : d + 1, sign: d % 2 ? 1 : -1 };
  return d < half ? { col: d, partner: d + half, sign: -1 } : { col: d - half, partner: d - half, sign: 1 };
}

export function runRotary({ node, attrs, inputs }: RunContext<RotaryAttrs>): Tensor[] {
  const [x, cos, sin, pos] = inputs as Tensor[];
  const { heads, headSize, rotary } = rotaryDims(node.name, attrs, inputs.map((t) => t && { dtype: t.dtype, shape: t.shape }));
  const packed = x.rank === 3, X = x.numbers, C = cos.numbers, Sn = sin.numbers, half = rotary / 2;
  const [B, S] = packed ? [x.shape[0], x.shape[1]] : [x.shape[0], x.shape[2]];
  const out = new Float64Array(x.size);
  for (let b = 0; b < B; b++) for (let h = 0; h < heads; h++) for (let s = 0; s < S; s++) {
    const base = packed ? (b * S + s) * heads * headSize + h * headSize : ((b * heads + h) * S + s) * headSize;
    const row = (pos ? pos.numbers[b * S + s] : b * S + s) * half;
    for (let d = 0; d < headSize; d++) {
      if (d >= rotary) { out[base + d] = X[base + d]; continue; }
      const { col, partner, sign } = pairing(rotary, attrs.interleaved !== 0, d);
      out[base + d] = C[row + col] * X[base + d] + sign * Sn[row + col] * X[base + partner];
    }
  }
  return [Tensor.from(x.dtype, x.shape, out)];
}

/** The same as index arithmetic: selects between the two branches of each pairing. */
export function rotaryCompute(ctx: ComputeContext<RotaryAttrs>): TeTensor[] {
  const [x, cos, sin, pos] = ctx.inputs as TeTensor[];
  const out = ctx.outputs[0];
  const { headSize, rotary } = rotaryDims('', ctx.attrs, ctx.inputTypes);
  const packed = x.shape.length === 3, half = rotary / 2, interleaved = ctx.attrs.interleaved !== 0;
  const c = (n: number) => cnst(n);
  return [compute(out.name, out.shape, (idx) => {
    const [b, s] = packed ? [idx[0], idx[1]] : [idx[0], idx[2]];
    const d = packed ? bin('mod', idx[2], c(headSize)) : idx[3];
    const head = packed ? bin('sub', idx[2], d) : undefined;
    const feature = (f: Expr) => (packed ? [idx[0], idx[1], bin('add', head!, f)] : [idx[0], idx[1], idx[2], f]);
    const first = interleaved ? bin('eq', bin('mod', d, c(2)), c(0)) : bin('lt', d, c(half));
    const rotated = bin('lt', d, c(rotary));
    // every index stays in range on both sides of each select: loads are not guarded
    const col = select(rotated, interleaved ? bin('div', d, c(2)) : select(first, d, bin('sub', d, c(half))), c(0));
    const partner = select(rotated, interleaved ? select(first, bin('add', d, c(1)), bin('sub', d, c(1)))
      : select(first, bin('add', d, c(half)), bin('sub', d, c(half))), d);
    const cacheAt = pos ? [dataIndex(pos.at([b, s]), cos.shape[0]), col] : [b, s, col];
    const xd = x.at(feature(d)), xp = x.at(feature(partner));
    const cv = cos.at(cacheAt), sv = sin.at(cacheAt);
    const sinTerm = bin('mul', sv, xp);
    const value = bin('add', bin('mul', cv, xd), select(first, bin('sub', cnst(0, sinTerm.type), sinTerm), sinTerm));
    return select(rotated, value, xd);
  }, { elem: out.elem })];
}
