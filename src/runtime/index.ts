// kiln/runtime: loads a compiled .kiln artifact and runs it. Imports nothing from the
// compiler and uses only web-standard APIs, so it runs in browsers, workers and Node alike.
import { Session, type LoadOptions } from './session.js';

export { parseArtifact, FORMAT_VERSION, type Artifact } from './artifact.js';
export type { DType, TypedArray } from './dtypes.js';
export { KilnRuntimeError, type RuntimeErrorCode } from './errors.js';
export { hostFeatures, type HostFeatures } from './features.js';
export type { Feature, Manifest, ProfiledCall, TensorSlot } from './manifest.js';
export { Session, type Feed, type LoadOptions, type RunOptions, type Tensor, type TensorInfo } from './session.js';

/**
 * Checks the artifact (format version, checksums, manifest), refuses hosts missing a feature
 * it needs, sets up its memory and weights, and returns a session ready to run.
 */
export function load(bytes: ArrayBuffer | ArrayBufferView, options?: LoadOptions): Promise<Session> {
  return Session.create(bytes, options);
}
export { profileArtifact, type KernelTime, type Profile, type ProfileOptions } from './profile.js';
export type { HalfRun } from './weights.js';
