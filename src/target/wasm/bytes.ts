// Growable byte buffer with the WebAssembly binary encodings: LEB128 integers (unsigned and
// signed, 32- and 64-bit), IEEE floats little-endian, length-prefixed names and vectors.

export class Bytes {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = b & 0xff;
    return this;
  }
  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
    return this;
  }
  /** Unsigned LEB128 of a non-negative integer below 2^32. */
  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 out of range: ${n}`);
    do {
      const b = n % 128;
      n = Math.floor(n / 128);
      this.byte(n ? b | 0x80 : b);
    } while (n);
    return this;
  }
  /** Signed LEB128 of an integer in [-2^31, 2^32) (i32 constants are bit patterns: 0xffffffff is -1). */
  s32(n: number): this {
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new RangeError(`s32 out of range: ${n}`);
    return this.s64(BigInt(n | 0));
  }
  /** Signed LEB128 of a 64-bit integer (values up to 2^64 are taken as bit patterns). */
  s64(n: bigint): this {
    let x = BigInt.asIntN(64, n);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  /** Unsigned LEB128 of a 64-bit integer. */
  u64(n: bigint): this {
    let x = BigInt.asUintN(64, n);
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      this.byte(x ? b | 0x80 : b);
    } while (x);
    return this;
  }
  f32(x: number): this {
    const v = new DataView(new ArrayBuffer(4));
    v.setFloat32(0, x, true);
    return this.bytes(new Uint8Array(v.buffer));
  }
  f64(x: number): this {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x, true);
    return this.bytes(new Uint8Array(v.buffer));
  }
  name(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    return this.u32(utf8.length).bytes(utf8);
  }
  /** Appends another buffer prefixed with its byte length (sections, function bodies). */
  sized(inner: Bytes): this {
    return this.u32(inner.length).bytes(inner.view());
  }
  view(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.length);
  }
}
