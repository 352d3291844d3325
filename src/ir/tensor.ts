// A dense tensor: dtype, static shape and row-major storage. Immutable by convention:
// kernels allocate new tensors and never write into their inputs.
import { ShapeError } from '../errors.js';
import { allocData, castNumber, type DType, type NumericData, type TensorData } from './dtype.js';
import { fmtShape, numel } from './shape.js';

export class Tensor {
  readonly shape: readonly number[];

  constructor(readonly dtype: DType, shape: readonly number[], readonly data: TensorData) {
    this.shape = Object.freeze([...shape]);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(`invalid tensor shape ${fmtShape(shape)}`);
    }
    if (numel(shape) !== data.length) {
      throw new ShapeError(`tensor of shape ${fmtShape(shape)} needs ${numel(shape)} elements, got ${data.length}`);
    }
    if ((dtype === 'string') !== Array.isArray(data)) {
      throw new ShapeError(`storage does not match dtype ${dtype}`);
    }
  }

  get size(): number { return this.data.length; }
  get rank(): number { return this.shape.length; }

  static zeros(dtype: DType, shape: readonly number[]): Tensor {
    return new Tensor(dtype, shape, allocData(dtype, numel(shape)));
  }

  /** Copies `values` into new storage of `dtype`, converting each value as the dtype holds it. */
  static from(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
    const data = allocData(dtype, values.length) as NumericData;
    for (let i = 0; i < values.length; i++) data[i] = castNumber(dtype, values[i]);
    return new Tensor(dtype, shape, data);
  }

  static scalar(dtype: DType, value: number): Tensor {
    return Tensor.from(dtype, [], [value]);
  }

  /** The numeric storage; throws for string tensors. */
  get numbers(): NumericData {
    if (Array.isArray(this.data)) throw new ShapeError('expected a numeric tensor, got strings');
    return this.data;
  }

  /** Same storage, new shape of equal size. */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.dtype, shape, this.data);
  }

  /** Values as plain numbers (shape/index tensors read by kernels and frontends). */
  toArray(): number[] {
    return Array.from(this.numbers);
  }
}
