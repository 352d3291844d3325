// The WebAssembly "name" custom section (function names only): stack traces, debuggers and
// profilers then show a kernel's name instead of wasm-function[N], and a trap can be traced to it.
import { Bytes } from './bytes.js';

/** The payload of a name section naming the functions at the given (absolute) indices. */
export function functionNames(names: ReadonlyMap<number, string>): Uint8Array {
  const sorted = [...names].sort(([a], [b]) => a - b);
  const map = new Bytes().u32(sorted.length);
  for (const [index, name] of sorted) map.u32(index).name(name);
  return new Bytes().byte(1).sized(map).view(); // subsection 1: function names
}

/** Each function's name: the first kernel compiled to it, with how many identical kernels share it. */
export function kernelFunctionNames(kernelIndex: ReadonlyMap<string, number>): Map<number, string> {
  const byFunction = new Map<number, string[]>();
  for (const [kernel, index] of kernelIndex) byFunction.set(index, [...(byFunction.get(index) ?? []), kernel]);
  return new Map([...byFunction].map(([index, kernels]) => [index, kernels.length > 1 ? `${kernels[0]} (+${kernels.length - 1} identical)` : kernels[0]]));
}
