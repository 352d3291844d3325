// The loop IR: the one low-level IR between a fused group of graph nodes and machine code.
// Kernels are loop nests over flat buffers; expressions are immutable trees; vectors are
// explicit (ramp/broadcast/lanes) so code generators never have to guess.

/**
 * Scalar element types held in memory; narrow integers widen to i32 when loaded, f16 (IEEE half,
 * no arithmetic of its own) to f32, rounded to nearest-even when stored.
 */
export type ElemType = 'f32' | 'f64' | 'i32' | 'i64' | 'u32' | 'u64' | 'i8' | 'u8' | 'i16' | 'u16' | 'f16';
/**
 * Types values have in registers (narrow types compute as i32). u32 and u64 share i32 and i64's
 * bits but divide, compare, shift right, take min/max and convert as unsigned numbers.
 */
export type ScalarType = 'f32' | 'f64' | 'i32' | 'i64' | 'u32' | 'u64';

export interface VType {
  readonly scalar: ScalarType;
  /** 1 for scalars; 4 for f32x4/i32x4, 2 for f64x2/i64x2 (128-bit SIMD). */
  readonly lanes: number;
}

/** The register type a loaded element of `e` has. */
export function computeType(e: ElemType): ScalarType {
  if (e === 'f16') return 'f32';
  return e === 'f32' || e === 'f64' || e === 'i64' || e === 'u32' || e === 'u64' ? e : 'i32';
}

/** True for the 64-bit scalar types (two per 128-bit vector). */
export const is64Bit = (s: ScalarType): boolean => s === 'f64' || s === 'i64' || s === 'u64';

export type BinOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'mod'       // div/mod on ints: truncating (C semantics)
  | 'floordiv' | 'floormod'                     // index arithmetic: rounds toward -inf
  | 'min' | 'max'
  | 'and' | 'or' | 'xor' | 'shl' | 'shr'        // shr: arithmetic on signed ints
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';    // result i32 0/1, per lane too (targets may use masks inside)
export type UnOp = 'neg' | 'abs' | 'sqrt' | 'floor' | 'ceil' | 'trunc' | 'nearest' | 'not';

/**
 * Math functions with no single machine instruction (exp, log, tanh, erf, pow, sin, ...).
 * A target supplies each as a function of its module; the names are the contract.
 */
export type Intrinsic = 'exp' | 'log' | 'tanh' | 'erf' | 'pow' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos'
  | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh' | 'sigmoid' | 'fma' | 'round_half_even';

/** A kernel parameter: a flat array in linear memory, addressed in elements. */
export interface Buffer {
  readonly name: string;
  readonly elem: ElemType;
  /** Elements the kernel may touch (for the verifier and bounds reasoning). */
  readonly size: number;
}

export type Expr =
  | { readonly k: 'const'; readonly type: VType; readonly value: number }
  | { readonly k: 'var'; readonly type: VType; readonly name: string }
  | { readonly k: 'bin'; readonly type: VType; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'un'; readonly type: VType; readonly op: UnOp; readonly a: Expr }
  | { readonly k: 'call'; readonly type: VType; readonly fn: Intrinsic; readonly args: readonly Expr[] }
  | { readonly k: 'select'; readonly type: VType; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'cast'; readonly type: VType; readonly a: Expr }
  /** Element `index` of `buf` (scalar index: one element; `lanes` > 1 with a ramp index: a vector). */
  | { readonly k: 'load'; readonly type: VType; readonly buf: Buffer; readonly index: Expr }
  /** base, base+stride, ... (lanes values): vector indices. */
  | { readonly k: 'ramp'; readonly type: VType; readonly base: Expr; readonly stride: number }
  | { readonly k: 'broadcast'; readonly type: VType; readonly value: Expr }
  /** Lane `lane` of a vector, or a horizontal reduction of all lanes (reduce: 'add'|'max'|'min'). */
  | { readonly k: 'lane'; readonly type: VType; readonly a: Expr; readonly lane: number | 'add' | 'max' | 'min' };

export type LoopKind = 'serial' | 'vectorized' | 'unrolled' | 'parallel';

export type Stmt =
  /** for (v = min; v < min + extent; v++) body; loop variables are i32. */
  | { readonly k: 'for'; readonly v: string; readonly min: Expr; readonly extent: Expr; readonly kind: LoopKind; readonly body: Stmt }
  /** Binds v to value (evaluated once) inside body. */
  | { readonly k: 'let'; readonly v: string; readonly value: Expr; readonly body: Stmt }
  /** A mutable scalar or vector register (accumulators): declared, then assigned with 'set'. */
  | { readonly k: 'local'; readonly v: string; readonly type: VType; readonly init: Expr; readonly body: Stmt }
  | { readonly k: 'set'; readonly v: string; readonly value: Expr }
  | { readonly k: 'store'; readonly buf: Buffer; readonly index: Expr; readonly value: Expr }
  | { readonly k: 'if'; readonly cond: Expr; readonly then: Stmt; readonly else?: Stmt }
  | { readonly k: 'seq'; readonly body: readonly Stmt[] }
  /** Scratch memory private to this kernel (e.g. a packed panel), `size` elements of `elem`. */
  | { readonly k: 'alloc'; readonly buf: Buffer; readonly body: Stmt };

/** One generated function: buffers in, buffers out, a loop nest. */
export interface Kernel {
  readonly name: string;
  /** Inputs first, then outputs, in the order the caller passes base addresses. */
  readonly params: readonly Buffer[];
  readonly body: Stmt;
}

// --- constructors: the only way passes build nodes, so types stay consistent ---

export const scalar = (s: ScalarType): VType => ({ scalar: s, lanes: 1 });
export const vec = (s: ScalarType, lanes: number): VType => ({ scalar: s, lanes });
export const I32 = scalar('i32');
export const F32 = scalar('f32');

export const cnst = (value: number, type: VType = I32): Expr => ({ k: 'const', type, value });
export const fconst = (value: number): Expr => cnst(value, F32);
export const v = (name: string, type: VType = I32): Expr => ({ k: 'var', type, name });

const COMPARE = new Set<BinOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
export function bin(op: BinOp, a: Expr, b: Expr): Expr {
  if (a.type.scalar !== b.type.scalar || a.type.lanes !== b.type.lanes) {
    throw new TypeError(`loop IR: ${op} of ${fmtType(a.type)} and ${fmtType(b.type)}`);
  }
  const type = COMPARE.has(op) ? vec('i32', a.type.lanes) : a.type;
  return { k: 'bin', type, op, a, b };
}
export const add = (a: Expr, b: Expr) => bin('add', a, b);
export const sub = (a: Expr, b: Expr) => bin('sub', a, b);
export const mul = (a: Expr, b: Expr) => bin('mul', a, b);
export const un = (op: UnOp, a: Expr): Expr => ({ k: 'un', type: a.type, op, a });
export const call = (fn: Intrinsic, ...args: Expr[]): Expr => ({ k: 'call', type: args[0].type, fn, args });
export const select = (cond: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', type: a.type, cond, a, b });
export const cast = (a: Expr, to: ScalarType): Expr => ({ k: 'cast', type: vec(to, a.type.lanes), a });
export const load = (buf: Buffer, index: Expr): Expr =>
  ({ k: 'load', type: vec(computeType(buf.elem), index.type.lanes), buf, index });
export const ramp = (base: Expr, stride: number, lanes: number): Expr =>
  ({ k: 'ramp', type: vec(base.type.scalar, lanes), base, stride });
export const broadcast = (value: Expr, lanes: number): Expr =>
  ({ k: 'broadcast', type: vec(value.type.scalar, lanes), value });

export const loop = (vName: string, extent: number | Expr, body: Stmt, kind: LoopKind = 'serial', min: number | Expr = 0): Stmt =>
  ({ k: 'for', v: vName, min: typeof min === 'number' ? cnst(min) : min, extent: typeof extent === 'number' ? cnst(extent) : extent, kind, body });
export const store = (buf: Buffer, index: Expr, value: Expr): Stmt => ({ k: 'store', buf, index, value });
export const seq = (...body: Stmt[]): Stmt => ({ k: 'seq', body });

export function fmtType(t: VType): string {
  return t.lanes === 1 ? t.scalar : `${t.scalar}x${t.lanes}`;
}
