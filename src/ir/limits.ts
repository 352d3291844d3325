// The memory budget every size read from a file is checked against before anything is allocated:
// by default 2 GiB per tensor (the host holds each in a typed array or a JS array, and the whole
// model must fit a 4 GiB WebAssembly memory); KILN_MAX_TENSOR_BYTES lowers it for a process.
import { FormatError } from '../errors.js';
import { fmtShape } from './shape.js';

/** Bytes a 32-bit wasm memory can address: no compiled value or plan may be larger. */
export const WASM_MEMORY_BYTES = 2 ** 32;
const DEFAULT_MAX_TENSOR_BYTES = 2 ** 31;

/** Bytes one tensor read from a file may take: 2 GiB, or less when KILN_MAX_TENSOR_BYTES says so. */
export function maxTensorBytes(): number {
  const v = Number(globalThis.process?.env?.KILN_MAX_TENSOR_BYTES);
  return Number.isFinite(v) && v > 0 ? Math.min(v, DEFAULT_MAX_TENSOR_BYTES) : DEFAULT_MAX_TENSOR_BYTES;
}

/** Human-readable byte count for messages. */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return 'an unbounded number of bytes';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return u === 0 ? `${n} bytes` : `${n.toPrecision(3)} ${units[u]}`;
}

/**
 * Checks `shape` (whole, non-negative dims) and its size at `bytesPerElement` against the budget,
 * before anything is allocated; returns the element count. `what` names the tensor and its file.
 */
export function checkedElementCount(what: string, shape: readonly number[], bytesPerElement: number,
  fail: (message: string) => Error = (m) => new FormatError(m)): number {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw fail(`${what}: shape [${shape.map((d) => (Number.isFinite(d) ? String(d) : 'invalid')).join(',')}] has a dim that is not a whole number >= 0`);
  }
  let n = 1;
  for (const d of shape) n *= d;
  const bytes = n * Math.max(bytesPerElement, 1), limit = maxTensorBytes();
  if (bytes > limit) {
    throw fail(`${what}: shape ${fmtShape(shape)} needs ${fmtBytes(bytes)}, over Kiln's limit of ${fmtBytes(limit)} ` +
      'per tensor; the file is corrupt or the model too large');
  }
  return n;
}
