// Text form of an emitted module for debug dumps (KILN_DEBUG=3). wabt is a devDependency, so
// it is loaded on demand and its absence is reported instead of breaking compilation.
import { UnsupportedError } from '../../errors.js';

interface WabtModule {
  validate(): void;
  toText(options: { foldExprs?: boolean; inlineExport?: boolean }): string;
  destroy(): void;
}
interface Wabt {
  readWasm(bytes: Uint8Array, options: Record<string, boolean>): WabtModule;
}

const FEATURES = { simd: true, relaxed_simd: true, threads: true, readDebugNames: true };

let wabt: Promise<Wabt> | undefined;
async function loadWabt(): Promise<Wabt> {
  wabt ??= import('wabt').then((m) => (m.default as unknown as () => Promise<Wabt>)()).catch(() => {
    wabt = undefined;
    throw new UnsupportedError('the .wat dump needs the wabt package: run `npm install --save-dev wabt` in the Kiln checkout');
  });
  return wabt;
}

/** The module as WebAssembly text; with `validate`, wabt's validator must accept it first. */
export async function toWat(bytes: Uint8Array, validate = false): Promise<string> {
  const m = (await loadWabt()).readWasm(bytes, FEATURES);
  try {
    if (validate) m.validate();
    return m.toText({ foldExprs: false, inlineExport: false });
  } finally {
    m.destroy();
  }
}
