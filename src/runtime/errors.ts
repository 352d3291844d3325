// The runtime's one error class: the runtime imports nothing from the compiler, so it cannot
// share src/errors.ts; the codes mirror it so a CLI can treat both alike.

export type RuntimeErrorCode =
  | 'E_FORMAT'    // not an artifact, or a malformed one (truncated, bad manifest)
  | 'E_CHECKSUM'  // a section's bytes changed after it was written
  | 'E_VERSION'   // an artifact format this runtime does not read
  | 'E_FEATURE'   // the artifact needs a WebAssembly feature the host lacks
  | 'E_MODULE'    // the WebAssembly module does not load or lacks what the manifest names
  | 'E_MEMORY'    // the host cannot allocate the memory the model needs
  | 'E_TRAP'      // the model's code trapped: a corrupt or hostile artifact (valid ones never trap on data)
  | 'E_INPUT'     // feeds to run(): unknown, missing, wrong dtype or shape
  | 'E_THREADS'   // worker threads could not be started for the session
  | 'E_DISPOSED'  // run() on a session after dispose()
  | 'E_STOPPED';  // a run outlived its time limit or abort signal (the session is stopped with it)

export class KilnRuntimeError extends Error {
  constructor(readonly code: RuntimeErrorCode, message: string) {
    super(message);
    this.name = 'KilnRuntimeError';
  }
}
