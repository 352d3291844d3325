// The loop IR's one error class: a malformed kernel or a fault while interpreting one is
// always a bug in the compiler that produced it, never the user's doing.
import { KilnError } from '../errors.js';

export class LoopIRError extends KilnError {
  constructor(message: string) { super('E_INTERNAL', message); }
}
