// Loop-IR expressions as C expressions. Scalars map to C operators where C means the same thing and
// to the prelude's helpers where it does not (prelude.ts); vectors are GCC/Clang `vector_size`
// types: float add/sub/mul/div and bitwise ops use the vector operators, every other vector
// operation a small lane-by-lane helper made on demand from the scalar form.
import type { BinOp, ElemType, Intrinsic, ScalarType, UnOp, VType } from '../../loop/ir.js';
import { fmtType } from '../../loop/ir.js';
import { C_SCALAR } from './prelude.js';

const isFloat = (t: ScalarType) => t === 'f32' || t === 'f64';
const isUnsigned = (t: ScalarType) => t === 'u32' || t === 'u64';
const bitsOf = (t: ScalarType) => (t === 'f64' || t === 'i64' || t === 'u64' ? 64 : 32);

/** C type of each memory element type. */
export const C_ELEM: Readonly<Record<ElemType, string>> = {
  f32: 'float', f64: 'double', i32: 'int32_t', i64: 'int64_t', u32: 'uint32_t', u64: 'uint64_t',
  i8: 'int8_t', u8: 'uint8_t', i16: 'int16_t', u16: 'uint16_t', f16: 'uint16_t',
};

/** A C literal of `value` as scalar type t. */
export function literal(value: number, t: ScalarType): string {
  if (isFloat(t)) {
    if (Number.isNaN(value)) return t === 'f32' ? '((float)NAN)' : '((double)NAN)';
    if (!Number.isFinite(value)) return `(${value < 0 ? '-' : ''}${t === 'f32' ? '(float)INFINITY' : '(double)INFINITY'})`;
    const text = Object.is(value, -0) ? '-0.0' : value.toPrecision(17);
    const withPoint = /[.e]/.test(text) ? text : `${text}.0`;
    return t === 'f32' ? `((float)${withPoint})` : `(${withPoint})`;
  }
  const n = BigInt(Math.trunc(value));
  switch (t) {
    case 'i32': return n === -(2n ** 31n) ? 'INT32_MIN' : `((int32_t)${n})`;
    case 'u32': return `((uint32_t)${BigInt.asUintN(32, n)}u)`;
    case 'i64': return n === -(2n ** 63n) ? 'INT64_MIN' : `((int64_t)${n}LL)`;
    default: return `((uint64_t)${BigInt.asUintN(64, n)}ULL)`;
  }
}

/** The scalar C for `op` on operands a, b of type t (C strings, evaluated once each). */
export function scalarBin(op: BinOp, t: ScalarType, a: string, b: string): string {
  const c = C_SCALAR[t];
  switch (op) {
    case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge':
    case 'min': case 'max': return `kiln_${op}_${t}(${a}, ${b})`;
  }
  if (isFloat(t)) {
    switch (op) {
      case 'add': return `(${a} + ${b})`;
      case 'sub': return `(${a} - ${b})`;
      case 'mul': return `(${a} * ${b})`;
      case 'div': return `(${a} / ${b})`;
      case 'mod': return `fmod${t === 'f32' ? 'f' : ''}(${a}, ${b})`;
      case 'floordiv': case 'floormod': return `kiln_${op}_${t}(${a}, ${b})`;
      default: throw new TypeError(`C target: '${op}' on ${t}`);
    }
  }
  switch (op) {
    case 'and': return `((${c})(${a} & ${b}))`;
    case 'or': return `((${c})(${a} | ${b}))`;
    case 'xor': return `((${c})(${a} ^ ${b}))`;
  }
  if (isUnsigned(t)) {
    switch (op) {
      case 'add': return `((${c})(${a} + ${b}))`;
      case 'sub': return `((${c})(${a} - ${b}))`;
      case 'mul': return `((${c})(${a} * ${b}))`;
      case 'div': case 'floordiv': return `kiln_div_${t}(${a}, ${b})`;
      case 'mod': case 'floormod': return `kiln_mod_${t}(${a}, ${b})`;
      default: return `kiln_${op}_${t}(${a}, ${b})`;
    }
  }
  return `kiln_${op}_${t}(${a}, ${b})`;
}

export function scalarUn(op: UnOp, t: ScalarType, a: string): string {
  const m = t === 'f32' ? 'f' : '';
  if (op === 'not') return `((${C_SCALAR[t]})(${a} == 0))`;
  if (isFloat(t)) {
    switch (op) {
      case 'neg': return `(-${a})`;
      case 'abs': return `fabs${m}(${a})`;
      case 'nearest': return `rint${m}(${a})`;
      default: return `${op}${m}(${a})`;
    }
  }
  if (isUnsigned(t)) return op === 'neg' ? `((${C_SCALAR[t]})(0u - ${a}))` : a;
  return `kiln_${op}_${t}(${a})`;
}

/** Intrinsics compute in double and round once, as the loop IR's semantics define them. */
export function scalarCall(fn: Intrinsic, t: ScalarType, args: readonly string[]): string {
  const d = args.map((a) => `(double)${a}`);
  const round = (x: string) => (t === 'f32' ? `((float)${x})` : `(${x})`);
  switch (fn) {
    case 'sigmoid': return `kiln_sigmoid_${t}(${args[0]})`;
    case 'fma': return round(`${d[0]} * ${d[1]} + ${d[2]}`);
    case 'round_half_even': return round(`rint(${d[0]})`);
    default: return round(`${fn}(${d.join(', ')})`);
  }
}

export function scalarCast(from: ScalarType, to: ScalarType, a: string): string {
  if (from === to) return a;
  if (isFloat(from) && !isFloat(to)) return `kiln_${from}_to_${to}(${a})`;
  return `((${C_SCALAR[to]})${a})`;
}

/** Vector types and lane helpers one C file needs, each defined once before the kernels. */
export class CDefinitions {
  private readonly types = new Map<string, string>();
  private readonly helpers = new Map<string, string>();

  /** The C name of type t (a scalar C type, or a vector typedef defined on first use). */
  type(t: VType): string {
    if (t.lanes === 1) return C_SCALAR[t.scalar];
    const name = `kiln_${fmtType(t)}`;
    if (!this.types.has(name)) {
      const bytes = (bitsOf(t.scalar) / 8) * t.lanes;
      this.types.set(name, `typedef ${C_SCALAR[t.scalar]} ${name} __attribute__((vector_size(${bytes})));`);
    }
    return name;
  }

  /**
   * A call of the helper `name` defined by `define` (its C text given the helper's name) on first use.
   */
  helper(name: string, define: () => string): string {
    if (!this.helpers.has(name)) this.helpers.set(name, define());
    return name;
  }

  /** A helper computing result lane i from the args' lane i with `lane` (the scalar form). */
  laneWise(key: string, result: VType, args: readonly VType[], lane: (a: readonly string[]) => string): string {
    const name = `kiln_v_${key}_${fmtType(result)}${args.map((t) => `_${fmtType(t)}`).join('')}`.replace(/[^A-Za-z0-9_]/g, '_');
    return this.helper(name, () => {
      const params = args.map((t, i) => `${this.type(t)} a${i}`).join(', ');
      const laneArgs = args.map((t, i) => (t.lanes === 1 ? `a${i}` : `a${i}[i]`));
      return `static inline ${this.type(result)} ${name}(${params}) {\n  ${this.type(result)} r;\n`
        + `  for (int i = 0; i < ${result.lanes}; i++) r[i] = ${lane(laneArgs)};\n  return r;\n}`;
    });
  }

  /** Each definition guarded by a macro of its name: models sharing a translation unit define each once. */
  text(): string {
    const guarded = ([name, def]: [string, string]) => `#ifndef KILN_DEF_${name}\n#define KILN_DEF_${name}\n${def}\n#endif`;
    return [...this.types, ...this.helpers].map(guarded).join('\n');
  }
}
