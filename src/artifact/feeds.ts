// Tensors across the runtime boundary: the compiler's IR tensors as the runtime's feeds, and the
// runtime's outputs as IR tensors (int64 as BigInt64Array, float16 as half bits, strings as arrays).
import { float16BitsToNumber } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { arrayClass, isDType, type TypedArray } from '../runtime/dtypes.js';
import type { Tensor as RuntimeTensor } from '../runtime/session.js';
import { UnsupportedError } from '../errors.js';
import { tensorBytes } from './layout.js';

/** `t` as the typed array of its real dtype the runtime takes (a string array for strings). */
export function toFeed(t: Tensor): TypedArray | readonly string[] {
  if (t.dtype === 'string') return t.data as readonly string[];
  if (!isDType(t.dtype)) throw new UnsupportedError(`${t.dtype} tensors cannot be fed to a compiled model`);
  const bytes = tensorBytes(t);
  return new (arrayClass(t.dtype))(bytes.buffer, bytes.byteOffset, t.size);
}

/** A runtime output as an IR tensor. */
export function fromRuntimeTensor(r: RuntimeTensor): Tensor {
  const d = r.data;
  if (r.dtype === 'string') return new Tensor('string', r.shape, [...d as readonly string[]]);
  const numbers = r.dtype === 'float16' ? Array.from(d as Uint16Array, float16BitsToNumber)
    : d instanceof BigInt64Array || d instanceof BigUint64Array ? Array.from(d, Number) : d as ArrayLike<number>;
  return Tensor.from(r.dtype, r.shape, numbers);
}
