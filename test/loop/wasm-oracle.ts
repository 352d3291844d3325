// WebAssembly itself as the oracle for scalar semantics: each case is one wasm instruction
// (or a tiny sequence) assembled with wabt and run by the host engine on the same inputs.
import wabtInit from 'wabt';
import type { ScalarType } from '../../src/loop/ir.js';

export type WasmFn = (...args: (number | bigint)[]) => number | bigint;

/** One exported function `f` of the given params and result whose body is `body` (folded wat). */
export interface WasmCase { readonly params: readonly ScalarType[]; readonly result: ScalarType; readonly body: string }

/** Instantiates all cases in one module; returns their functions in order. */
export async function wasmFunctions(cases: readonly WasmCase[]): Promise<WasmFn[]> {
  const wabt = await wabtInit();
  const funcs = cases.map((c, i) => {
    const params = c.params.map((t, j) => `(param $${'abc'[j]} ${t})`).join(' ');
    return `(func (export "f${i}") ${params} (result ${c.result}) ${c.body})`;
  });
  const mod = wabt.parseWat('oracle.wat', `(module (memory 1) ${funcs.join('\n')})`, { simd: true, sat_float_to_int: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(new Uint8Array(buffer)));
  return cases.map((_, i) => instance.exports[`f${i}`] as WasmFn);
}
