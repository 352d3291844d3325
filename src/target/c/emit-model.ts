// The whole model as one C translation unit: the prelude, the vector types and helpers the kernels
// use, every kernel once (identical kernels share a function), and `kiln_run(mem)` calling them in
// order on the planned byte offsets of one memory block laid out as the wasm targets lay it out.
import type { Kernel } from '../../loop/ir.js';
import type { KernelCall } from '../target.js';
import { kernelScratch } from '../wasm/lower-kernel.js';
import { CDefinitions } from './emit-expr.js';
import { C_ELEM } from './emit-expr.js';
import { KernelEmitter } from './emit-kernel.js';
import { PRELUDE } from './prelude.js';

export interface CModel {
  /** The C source. */
  readonly source: string;
  readonly uniqueKernels: number;
}

const kernelKey = (k: Kernel): string => JSON.stringify([k.params, k.body]);

/** A C identifier from a graph value name (kernel names are their first output's). */
const identifier = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');

/** How the entry reaches memory: its C signature, and the C pointer expression of a planned byte offset. */
export interface EntryForm {
  /** e.g. `void kiln_run(uint8_t *mem)`. */
  readonly signature: string;
  address(offset: number): string;
  /** Statements after the kernel calls (the embedded entry returns 0). */
  readonly epilogue?: string;
}

/** `entry(uint8_t *mem)` on one block laid out as the manifest says (native, tests). */
export const blockEntry = (entry: string): EntryForm => ({ signature: `void ${entry}(uint8_t *mem)`, address: (offset) => `mem + ${offset}`, epilogue: '  (void)mem;\n' });

/** The C of `calls` with entry `entry` (a name: one memory block; or a form); `banner` opens the file as a comment. */
export function emitModel(calls: readonly KernelCall[], entry: string | EntryForm, banner: string): CModel {
  const form = typeof entry === 'string' ? blockEntry(entry) : entry;
  // kernels are static; a model entry other than the usual one names them too, so models can share a file
  const prefix = typeof entry === 'string' && entry !== 'kiln_run' ? `${entry}_kernel_` : 'kiln_kernel_';
  const defs = new CDefinitions();
  const functions: string[] = [];
  const byKey = new Map<string, string>();
  const taken = new Set<string>();
  const body: string[] = [];
  for (const { kernel, addresses, ops } of calls) {
    const key = kernelKey(kernel);
    let fn = byKey.get(key);
    if (fn === undefined) {
      fn = `${prefix}${identifier(kernel.name)}`;
      for (let i = 1; taken.has(fn); i++) fn = `${prefix}${identifier(kernel.name)}_${i}`;
      taken.add(fn);
      byKey.set(key, fn);
      const what = ops?.length ? `${ops.join(' + ')} -> ${kernel.name}` : kernel.name;
      functions.push(new KernelEmitter(defs).emit(kernel, fn, what.replace(/\*\//g, '* /')));
    }
    const bufs = [...kernel.params, ...kernelScratch(kernel)];
    if (addresses.length !== bufs.length) throw new RangeError(`kernel '${kernel.name}' takes ${bufs.length} addresses, got ${addresses.length}`);
    const args = bufs.map((b, i) => `(${C_ELEM[b.elem]} *)(void *)(${form.address(addresses[i])})`);
    body.push(`  ${fn}(${args.join(', ')});`);
  }
  const source = `/* ${banner} */\n${PRELUDE}\n${defs.text()}\n\n${functions.join('\n')}\n${form.signature};\n${form.signature} {\n`
    + `${body.join('\n')}\n${form.epilogue ?? ''}}\n`;
  return { source, uniqueKernels: byKey.size };
}
