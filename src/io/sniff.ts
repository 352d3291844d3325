// What a file is, from its first bytes rather than its name: a renamed artifact or model is
// still recognised (`kiln compile m.onnx -o m.onnx` must not make `kiln inspect` call it corrupt ONNX).
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export type FileKind = 'kiln' | 'onnx' | 'graphdef' | 'json' | 'png' | 'jpeg' | 'npy' | 'unknown';

export function sniffBytes(head: Uint8Array): FileKind {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (ascii(0, 4) === 'KILN') return 'kiln';
  if (head[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8) return 'jpeg';
  if (head[0] === 0x93 && ascii(1, 6) === 'NUMPY') return 'npy';
  const first = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (first === 0x7b) return 'json';
  // protobuf: ONNX's ModelProto opens with field 1 (ir_version, a varint: tag 0x08); a GraphDef
  // with field 1 (node), 2 (library) or 4 (versions), all length-delimited
  if (head[0] === 0x08) return 'onnx';
  if (head[0] === 0x0a || head[0] === 0x12 || head[0] === 0x22) return 'graphdef';
  return 'unknown';
}

/** The kind of the file at `path`; 'unknown' for a folder or an unreadable file (its reader reports why). */
export function sniffFile(path: string): FileKind {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return 'unknown';
    fd = openSync(path, 'r');
    const head = new Uint8Array(64);
    return sniffBytes(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  } catch {
    return 'unknown';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
