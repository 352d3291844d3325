// A WebAssembly module under construction: deduplicated function types, imports (functions,
// one memory, optionally shared), defined functions, i32 globals, exports, data and custom sections.
import { Bytes } from './bytes.js';
import { Code } from './code.js';
import { VALTYPE, type ValType } from './opcodes.js';

export interface MemoryLimits {
  /** Initial size in 64 KiB pages. */
  readonly min: number;
  readonly max?: number;
  /** Shared memory for threads (the spec requires a maximum). */
  readonly shared?: boolean;
}

const SECTION = { custom: 0, type: 1, import: 2, function: 3, memory: 5, global: 6, export: 7, code: 10, data: 11 } as const;
const EXTERN = { func: 0, memory: 2 } as const;
const FUNC_TYPE = 0x60;

interface FuncImport { readonly module: string; readonly name: string; readonly type: number }
interface MemoryDecl { readonly limits: MemoryLimits; readonly import?: { module: string; name: string } }

export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: { params: readonly ValType[]; results: readonly ValType[] }[] = [];
  private readonly funcImports: FuncImport[] = [];
  private readonly funcs: { type: number; code: Code }[] = [];
  private memoryDecl?: MemoryDecl;
  private readonly exports: { name: string; kind: keyof typeof EXTERN; index: number }[] = [];
  private readonly data: { offset: number; bytes: Uint8Array }[] = [];
  private readonly customs: { name: string; bytes: Uint8Array }[] = [];
  private readonly globals: { type: 'i32'; mutable: boolean; init: number }[] = [];

  /** Index of the function type (params) -> (results), shared by equal signatures. */
  type(params: readonly ValType[], results: readonly ValType[] = []): number {
    const key = `${params.join(',')}->${results.join(',')}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.push(key) - 1;
      this.typeSigs.push({ params, results });
    }
    return i;
  }

  /** Imports a function; all imports must precede the first defined function (indices stay stable). */
  importFunction(module: string, name: string, params: readonly ValType[], results: readonly ValType[] = []): number {
    if (this.funcs.length) throw new Error('import functions before defining any');
    this.funcImports.push({ module, name, type: this.type(params, results) });
    return this.funcImports.length - 1;
  }
  importMemory(module: string, name: string, limits: MemoryLimits): void {
    this.setMemory({ limits, import: { module, name } });
  }
  /** A memory the module owns (tests, or a module that exports its memory). */
  defineMemory(limits: MemoryLimits): void {
    this.setMemory({ limits });
  }
  private setMemory(decl: MemoryDecl): void {
    if (this.memoryDecl) throw new Error('a module has one memory');
    if (decl.limits.shared && decl.limits.max === undefined) throw new Error('a shared memory needs a maximum');
    this.memoryDecl = decl;
  }

  /** A fresh body for a function of this signature; `addFunction` it when done. */
  code(params: readonly ValType[], results: readonly ValType[] = []): Code {
    return new Code(params, results);
  }
  /** Reserves the next function index, so recursive or forward calls can name it before its body exists. */
  get nextFunctionIndex(): number {
    return this.funcImports.length + this.funcs.length;
  }
  addFunction(code: Code): number {
    this.funcs.push({ type: this.type(code.params, code.results), code });
    return this.nextFunctionIndex - 1;
  }
  /** A module-defined i32 global (per instance, so per thread: each worker instantiates the module). */
  addGlobal(init: number, mutable: boolean): number {
    return this.globals.push({ type: 'i32', mutable, init }) - 1;
  }
  exportFunction(name: string, index: number): void {
    this.exports.push({ name, kind: 'func', index });
  }
  exportMemory(name: string): void {
    this.exports.push({ name, kind: 'memory', index: 0 });
  }
  /** An active data segment written at `offset` of memory 0 when the module is instantiated. */
  addData(offset: number, bytes: Uint8Array): void {
    this.data.push({ offset, bytes });
  }
  addCustom(name: string, bytes: Uint8Array): void {
    this.customs.push({ name, bytes });
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, fill: (b: Bytes) => void) => {
      const b = new Bytes();
      fill(b);
      out.byte(id).sized(b);
    };
    if (this.typeSigs.length) {
      section(SECTION.type, (b) => {
        b.u32(this.typeSigs.length);
        for (const { params, results } of this.typeSigs) {
          b.byte(FUNC_TYPE).u32(params.length).bytes(params.map((t) => VALTYPE[t]));
          b.u32(results.length).bytes(results.map((t) => VALTYPE[t]));
        }
      });
    }
    const memImport = this.memoryDecl?.import;
    const importCount = this.funcImports.length + (memImport ? 1 : 0);
    if (importCount) {
      section(SECTION.import, (b) => {
        b.u32(importCount);
        for (const f of this.funcImports) b.name(f.module).name(f.name).byte(EXTERN.func).u32(f.type);
        if (memImport) limits(b.name(memImport.module).name(memImport.name).byte(EXTERN.memory), this.memoryDecl!.limits);
      });
    }
    if (this.funcs.length) section(SECTION.function, (b) => { b.u32(this.funcs.length); for (const f of this.funcs) b.u32(f.type); });
    if (this.memoryDecl && !memImport) section(SECTION.memory, (b) => limits(b.u32(1), this.memoryDecl!.limits));
    if (this.globals.length) {
      section(SECTION.global, (b) => {
        b.u32(this.globals.length);
        for (const g of this.globals) b.byte(VALTYPE[g.type]).byte(g.mutable ? 1 : 0).byte(0x41).s32(g.init).byte(0x0b);
      });
    }
    if (this.exports.length) {
      section(SECTION.export, (b) => {
        b.u32(this.exports.length);
        for (const e of this.exports) b.name(e.name).byte(EXTERN[e.kind]).u32(e.index);
      });
    }
    if (this.funcs.length) section(SECTION.code, (b) => { b.u32(this.funcs.length); for (const f of this.funcs) b.sized(f.code.encode()); });
    if (this.data.length) {
      section(SECTION.data, (b) => {
        b.u32(this.data.length);
        // flag 0: active, memory 0, offset given by a constant expression
        for (const d of this.data) b.u32(0).byte(0x41).s32(d.offset).byte(0x0b).u32(d.bytes.length).bytes(d.bytes);
      });
    }
    for (const c of this.customs) section(SECTION.custom, (b) => b.name(c.name).bytes(c.bytes));
    return out.view().slice();
  }
}

function limits(b: Bytes, l: MemoryLimits): void {
  const flags = (l.max !== undefined ? 1 : 0) | (l.shared ? 2 : 0);
  b.byte(flags).u32(l.min);
  if (l.max !== undefined) b.u32(l.max);
}
