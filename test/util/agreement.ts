// How closely an engine's output matches an oracle's: the figures every differential test
// judges (largest error against the output's scale, and whether the arg-max agrees).
export interface Agreement {
  /** Largest |got - want| over all elements. */
  readonly maxAbsError: number;
  /** Largest |want|: the scale tolerances are relative to. */
  readonly maxMagnitude: number;
  readonly argMaxAgrees: boolean;
}

export function agreement(got: ArrayLike<number>, want: ArrayLike<number>): Agreement {
  if (got.length !== want.length) throw new Error(`outputs differ in size: ${got.length} vs ${want.length} values`);
  let maxAbsError = 0, maxMagnitude = 0, argGot = 0, argWant = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(got[i] - want[i]));
    maxMagnitude = Math.max(maxMagnitude, Math.abs(want[i]));
    if (got[i] > got[argGot]) argGot = i;
    if (want[i] > want[argWant]) argWant = i;
  }
  return { maxAbsError, maxMagnitude, argMaxAgrees: argGot === argWant };
}
