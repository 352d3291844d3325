// The memory budget every size read from a file is checked against before anything is allocated:
// one tensor must fit a 32-bit WebAssembly memory (4 GiB), and the host holds it as a typed array.
import { FormatError } from '../errors.js';
import { fmtShape } from './shape.js';

/** Bytes one tensor may take: what a 32-bit wasm memory can address. */
export const MAX_TENSOR_BYTES = 2 ** 32;

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
  const bytes = n * Math.max(bytesPerElement, 1);
  if (bytes > MAX_TENSOR_BYTES) {
    throw fail(`${what}: shape ${fmtShape(shape)} needs ${fmtBytes(bytes)}, over Kiln's limit of ${fmtBytes(MAX_TENSOR_BYTES)} ` +
      'per tensor (a 32-bit WebAssembly memory); the file is corrupt or the model too large');
  }
  return n;
}
