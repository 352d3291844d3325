// Reading files with errors a user can act on: a missing or unreadable file is an IoError
// naming the path, never a raw ENOENT stack.
import { readFileSync } from 'node:fs';
import { IoError } from '../errors.js';

/** The message for a failed file-system call on `path`, from Node's error code. */
export function describeFsError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a directory, not a file'
    : (e as Error).message;
  return `cannot read ${path}: ${why}`;
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new IoError(describeFsError(path, e));
  }
}

export function readText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}
