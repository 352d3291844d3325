// A WebAssembly trap that escapes the entry becomes a KilnRuntimeError (E_TRAP) naming the kernel it
// happened in and the ops fused into it. Valid artifacts never trap on any input data (integer
// division and float-to-int conversions are total), so a trap means a corrupt or hostile artifact.
import { KilnRuntimeError } from './errors.js';
import type { KernelInfo, Manifest } from './manifest.js';

/** Function indices of the wasm frames in a stack trace, innermost first (V8, SpiderMonkey and JSC all print wasm-function[N]). */
function wasmFrames(stack: string | undefined): number[] {
  return [...(stack ?? '').matchAll(/wasm-function\[(\d+)\]/g)].map((m) => Number(m[1]));
}

/** Where in the model the trap happened, in words. */
function trapSite(stack: string | undefined, kernels: readonly KernelInfo[]): string {
  for (const index of wasmFrames(stack)) {
    const hit = kernels.filter((k) => k.function === index);
    if (!hit.length) continue;
    const ops = hit[0].ops.join(' + ');
    const shared = hit.length > 1 ? ` (or one of ${hit.length - 1} identical kernels: ${hit.slice(1, 4).map((k) => `'${k.name}'`).join(', ')}${hit.length > 4 ? ', ...' : ''})` : '';
    return `in kernel '${hit[0].name}' (${ops})${shared}`;
  }
  return kernels.length ? 'outside the kernels the manifest lists' : 'in the model (its manifest lists no kernels)';
}

/** `e` as the runtime's typed error if it is a trap or a stack overflow in the module; other errors pass through. */
export function trapError(e: unknown, manifest: Manifest): unknown {
  const overflow = e instanceof RangeError && /call stack/i.test(e.message);
  if (!(e instanceof WebAssembly.RuntimeError) && !overflow) return e;
  const what = (e as Error).message.replace(/[\u0000-\u001f]+/g, ' ').trim() || 'a trap';
  return new KilnRuntimeError('E_TRAP', `the model's WebAssembly code trapped (${what}) ${trapSite((e as Error).stack, manifest.kernels ?? [])}; ` +
    'valid artifacts never trap on input data, so this one is corrupt or from a producer that is not kiln: compile the model again');
}
