// Loop IR as readable C-like text: what KILN_DEBUG=3 shows and what tests compare against.
// Types appear where a value is born (params, let, local, casts, vector constants).
import type { BinOp, Buffer, Expr, Kernel, ScalarType, Stmt, VType } from './ir.js';
import { fmtType } from './ir.js';

const INFIX: Partial<Record<BinOp, readonly [string, number]>> = {
  mul: ['*', 10], div: ['/', 10], mod: ['%', 10],
  add: ['+', 9], sub: ['-', 9],
  shl: ['<<', 8], shr: ['>>', 8],
  lt: ['<', 7], le: ['<=', 7], gt: ['>', 7], ge: ['>=', 7],
  eq: ['==', 6], ne: ['!=', 6],
  and: ['&', 5], xor: ['^', 4], or: ['|', 3],
};
const TERNARY = 1, PREFIX = 11, ATOM = 12;

function fmtNumber(x: number, t: ScalarType): string {
  if (t === 'i32') return String(x);
  if (t === 'i64') return `${x}L`;
  if (t === 'u32') return `${x}u`;
  if (t === 'u64') return `${x}uL`;
  const s = Number.isNaN(x) ? 'nan' : !Number.isFinite(x) ? (x > 0 ? 'inf' : '-inf')
    : Object.is(x, -0) ? '-0.0' : Number.isInteger(x) && Math.abs(x) < 1e21 ? `${x}.0` : String(x);
  return t === 'f32' ? `${s}f` : s;
}

/** Text of `e` and its precedence, so parents add only the parentheses C would need. */
function expr(e: Expr): [string, number] {
  switch (e.k) {
    case 'const': {
      const s = fmtNumber(e.value, e.type.scalar);
      return e.type.lanes === 1 ? [s, s.startsWith('-') ? PREFIX : ATOM] : [`${fmtType(e.type)}(${s})`, ATOM];
    }
    case 'var': return [e.name, ATOM];
    case 'bin': {
      const infix = INFIX[e.op];
      if (!infix) return [`${e.op}(${printExpr(e.a)}, ${printExpr(e.b)})`, ATOM];
      const [sym, p] = infix;
      return [`${operand(e.a, p)} ${sym} ${operand(e.b, p + 1)}`, p];
    }
    case 'un':
      if (e.op === 'neg') return [`-${noDecrement(operand(e.a, PREFIX))}`, PREFIX];
      if (e.op === 'not') return [`!${operand(e.a, PREFIX)}`, PREFIX];
      return [`${e.op}(${printExpr(e.a)})`, ATOM];
    case 'call': return [`${e.fn}(${e.args.map(printExpr).join(', ')})`, ATOM];
    case 'select':
      return [`${operand(e.cond, TERNARY + 1)} ? ${operand(e.a, TERNARY + 1)} : ${operand(e.b, TERNARY)}`, TERNARY];
    case 'cast': return [`(${fmtType(e.type)})${operand(e.a, PREFIX)}`, PREFIX];
    case 'load': return [`${e.buf.name}[${printExpr(e.index)}]`, ATOM];
    case 'ramp': return [`ramp(${printExpr(e.base)}, ${e.stride}, ${e.type.lanes})`, ATOM];
    case 'broadcast': return [`broadcast(${printExpr(e.value)}, ${e.type.lanes})`, ATOM];
    case 'lane':
      return typeof e.lane === 'number' ? [`${operand(e.a, ATOM)}.lane[${e.lane}]`, ATOM] : [`reduce_${e.lane}(${printExpr(e.a)})`, ATOM];
  }
}

/** `- -x` must not print as `--x`, which C and JavaScript read as a decrement. */
const noDecrement = (s: string) => (s.startsWith('-') ? `(${s})` : s);

function operand(e: Expr, min: number): string {
  const [s, p] = expr(e);
  return p < min ? `(${s})` : s;
}

export function printExpr(e: Expr): string {
  return expr(e)[0];
}

const decl = (t: VType, name: string) => `${fmtType(t)} ${name}`;
const bufDecl = (b: Buffer) => `${b.elem} ${b.name}[${b.size}]`;

function stmt(s: Stmt, pad: string, out: string[]): void {
  switch (s.k) {
    case 'for': {
      const kind = s.kind === 'serial' ? '' : `${s.kind} `;
      const min = printExpr(s.min);
      const end = s.min.k === 'const' && s.min.value === 0 ? printExpr(s.extent)
        : `${operand(s.min, INFIX.add![1])} + ${operand(s.extent, INFIX.add![1] + 1)}`;
      out.push(`${pad}${kind}for (i32 ${s.v} = ${min}; ${s.v} < ${end}; ${s.v}++) {`);
      stmt(s.body, pad + '  ', out);
      out.push(`${pad}}`);
      return;
    }
    case 'let':
      out.push(`${pad}const ${decl(s.value.type, s.v)} = ${printExpr(s.value)};`);
      return stmt(s.body, pad, out);
    case 'local':
      out.push(`${pad}${decl(s.type, s.v)} = ${printExpr(s.init)};`);
      return stmt(s.body, pad, out);
    case 'set': out.push(`${pad}${s.v} = ${printExpr(s.value)};`); return;
    case 'store': out.push(`${pad}${s.buf.name}[${printExpr(s.index)}] = ${printExpr(s.value)};`); return;
    case 'if':
      out.push(`${pad}if (${printExpr(s.cond)}) {`);
      stmt(s.then, pad + '  ', out);
      if (s.else) {
        out.push(`${pad}} else {`);
        stmt(s.else, pad + '  ', out);
      }
      out.push(`${pad}}`);
      return;
    case 'seq': for (const b of s.body) stmt(b, pad, out); return;
    case 'alloc':
      out.push(`${pad}alloc ${bufDecl(s.buf)};`);
      return stmt(s.body, pad, out);
  }
}

/** `s` as indented lines (each ends with a newline); nested lets and locals read as declarations. */
export function printStmt(s: Stmt, indent = ''): string {
  const out: string[] = [];
  stmt(s, indent, out);
  return out.map((l) => `${l}\n`).join('');
}

export function printKernel(k: Kernel): string {
  return `kernel ${k.name}(${k.params.map(bufDecl).join(', ')}) {\n${printStmt(k.body, '  ')}}\n`;
}
