// A function body under construction: locals, structured control and typed instruction
// emitters that encode straight into bytes. Opcode numbers come only from opcodes.ts.
import { Bytes } from './bytes.js';
import {
  ATOMIC_FENCE, ATOMIC_MEM, ATOMIC_PREFIX, type AtomicOp, CORE_MEM, MISC_PREFIX, SIMD_CONST, SIMD_LANE, SIMD_MEM, SIMD_MEM_LANE, SIMD_PREFIX, SIMD_SHUFFLE,
  VALTYPE, plainOpcode, type LaneOp, type MemLaneOp, type MemOp, type PlainOp, type ValType,
} from './opcodes.js';

const CONTROL = { block: 0x02, loop: 0x03, if: 0x04, br: 0x0c, br_if: 0x0d, call: 0x10 } as const;
const VAR = { 'local.get': 0x20, 'local.set': 0x21, 'local.tee': 0x22, 'global.get': 0x23, 'global.set': 0x24 } as const;
const CONST = { i32: 0x41, i64: 0x42, f32: 0x43, f64: 0x44 } as const;
const MEMORY = { 'memory.size': 0x3f, 'memory.grow': 0x40 } as const;
const BULK = { 'memory.copy': 10, 'memory.fill': 11 } as const;
const EMPTY_BLOCK = 0x40;

export class Code {
  readonly body = new Bytes();
  private readonly locals: ValType[] = [];
  private depth = 0;

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** A new local of type `t`; its index counts the params first. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }
  localType(index: number): ValType {
    return index < this.params.length ? this.params[index] : this.locals[index - this.params.length];
  }

  op(name: PlainOp): this {
    const { prefix, code } = plainOpcode(name);
    if (prefix !== undefined) this.body.byte(prefix).u32(code); else this.body.byte(code);
    if (name === 'end') this.depth--;
    return this;
  }
  i32(n: number): this { this.body.byte(CONST.i32).s32(n); return this; }
  i64(n: bigint): this { this.body.byte(CONST.i64).s64(n); return this; }
  f32(x: number): this { this.body.byte(CONST.f32).f32(x); return this; }
  f64(x: number): this { this.body.byte(CONST.f64).f64(x); return this; }
  /** v128.const from 16 raw little-endian bytes. */
  v128(bytes: ArrayLike<number>): this {
    if (bytes.length !== 16) throw new RangeError('v128.const takes 16 bytes');
    this.body.byte(SIMD_PREFIX).u32(SIMD_CONST).bytes(bytes);
    return this;
  }
  f32x4(lanes: readonly number[]): this { return this.v128(new Uint8Array(new Float32Array(lanes).buffer)); }
  i32x4(lanes: readonly number[]): this { return this.v128(new Uint8Array(new Int32Array(lanes).buffer)); }

  get(index: number): this { return this.variable('local.get', index); }
  set(index: number): this { return this.variable('local.set', index); }
  tee(index: number): this { return this.variable('local.tee', index); }
  variable(op: keyof typeof VAR, index: number): this { this.body.byte(VAR[op]).u32(index); return this; }

  /** block/loop/if with no result or one result type. */
  block(result?: ValType): this { return this.open(CONTROL.block, result); }
  loop(result?: ValType): this { return this.open(CONTROL.loop, result); }
  if(result?: ValType): this { return this.open(CONTROL.if, result); }
  private open(code: number, result?: ValType): this {
    this.body.byte(code).byte(result ? VALTYPE[result] : EMPTY_BLOCK);
    this.depth++;
    return this;
  }
  else(): this { return this.op('else'); }
  end(): this { return this.op('end'); }
  br(depth: number): this { this.body.byte(CONTROL.br).u32(depth); return this; }
  brIf(depth: number): this { this.body.byte(CONTROL.br_if).u32(depth); return this; }
  call(funcIndex: number): this { this.body.byte(CONTROL.call).u32(funcIndex); return this; }

  /** A load or store with its memarg; alignment defaults to the natural one. */
  mem(name: MemOp, offset = 0, alignLog2?: number): this {
    const simd = name in SIMD_MEM;
    const [code, natural] = simd ? SIMD_MEM[name as keyof typeof SIMD_MEM] : CORE_MEM[name as keyof typeof CORE_MEM];
    if (simd) this.body.byte(SIMD_PREFIX).u32(code); else this.body.byte(code);
    this.memarg(alignLog2 ?? natural, natural, offset);
    return this;
  }
  /** An atomic access (threads proposal) at the natural alignment, which atomics require. */
  atomic(name: AtomicOp, offset = 0): this {
    const [code, natural] = ATOMIC_MEM[name];
    this.body.byte(ATOMIC_PREFIX).u32(code);
    this.memarg(natural, natural, offset);
    return this;
  }
  fence(): this { this.body.byte(ATOMIC_PREFIX).u32(ATOMIC_FENCE).byte(0); return this; }
  lane(name: LaneOp, lane: number): this {
    const [code, lanes] = SIMD_LANE[name];
    checkLane(name, lane, lanes);
    this.body.byte(SIMD_PREFIX).u32(code).byte(lane);
    return this;
  }
  memLane(name: MemLaneOp, lane: number, offset = 0, alignLog2?: number): this {
    const [code, natural, lanes] = SIMD_MEM_LANE[name];
    checkLane(name, lane, lanes);
    this.body.byte(SIMD_PREFIX).u32(code);
    this.memarg(alignLog2 ?? natural, natural, offset);
    this.body.byte(lane);
    return this;
  }
  /** i8x16.shuffle: 16 byte indices into the concatenation of the two operands. */
  shuffle(indices: readonly number[]): this {
    if (indices.length !== 16 || indices.some((i) => !(i >= 0 && i < 32))) {
      throw new RangeError('i8x16.shuffle takes 16 lane indices below 32');
    }
    this.body.byte(SIMD_PREFIX).u32(SIMD_SHUFFLE).bytes(indices);
    return this;
  }
  memory(op: keyof typeof MEMORY | keyof typeof BULK): this {
    if (op in MEMORY) this.body.byte(MEMORY[op as keyof typeof MEMORY]).byte(0);
    else this.body.byte(MISC_PREFIX).u32(BULK[op as keyof typeof BULK]).bytes(op === 'memory.copy' ? [0, 0] : [0]);
    return this;
  }

  private memarg(alignLog2: number, natural: number, offset: number): void {
    if (alignLog2 > natural || alignLog2 < 0) throw new RangeError(`alignment 2^${alignLog2} exceeds the natural 2^${natural}`);
    this.body.u32(alignLog2).u32(offset);
  }

  /** The encoded body: locals grouped by runs of one type, instructions, final end. */
  encode(): Bytes {
    if (this.depth !== 0) throw new Error(`function body has ${this.depth} unclosed block(s)`);
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++; else runs.push([1, t]);
    }
    const out = new Bytes().u32(runs.length);
    for (const [n, t] of runs) out.u32(n).byte(VALTYPE[t]);
    return out.bytes(this.body.view()).byte(0x0b);
  }
}

function checkLane(name: string, lane: number, lanes: number): void {
  if (!Number.isInteger(lane) || lane < 0 || lane >= lanes) throw new RangeError(`${name}: lane ${lane} of ${lanes}`);
}
