// CRC-32 (IEEE 802.3, the zlib/PNG polynomial), slicing by 4 bytes at a time.
// Chosen over SHA-256 for artifact checksums: the goal is catching truncated or corrupted
// downloads, not tampering (that needs a signature, not a bare hash), and crypto.subtle is
// missing in insecure browser contexts (plain http) while this works everywhere, synchronously.

const TABLES = buildTables();

function buildTables(): Uint32Array[] {
  const t = Array.from({ length: 4 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 4; s++) t[s][n] = (t[0][t[s - 1][n] & 0xff] ^ (t[s - 1][n] >>> 8)) >>> 0;
  }
  return t;
}

export function crc32(bytes: Uint8Array): number {
  const [t0, t1, t2, t3] = TABLES;
  let c = 0xffffffff;
  let i = 0;
  for (const end = bytes.length & ~3; i < end; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < bytes.length; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
