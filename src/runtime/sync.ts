// The sync block: a few i32 words in the model's memory through which the threads of one run
// meet. The module's barrier and the runtime's worker loop both use it, so the runtime owns the
// layout and the compiler imports it. Words that many threads hammer sit on cache lines of their own.

/** Bytes the block takes; it starts on a multiple of SYNC_ALIGN (manifest `threads.sync`). */
export const SYNC_BYTES = 256;
export const SYNC_ALIGN = 64;

/** Byte offsets of the words inside the block. */
export const SYNC = {
  /** Threads that reached the current barrier. */
  arrived: 0,
  /** Bumped by the last thread to arrive, releasing the others. */
  generation: 64,
  /** Nonzero once a thread trapped: barriers stop waiting so every thread finishes the run quickly. */
  abort: 68,
  /** 1 + the index of the first thread that trapped in this run, 0 if none did. */
  trapped: 72,
  /** Polls a barrier makes before it sleeps, set per run: short when threads outnumber cores. */
  spin: 76,
  /** Bumped by the runtime to wake workers for a run or a detach. */
  start: 128,
  /** What the woken workers do: SYNC_COMMAND. */
  command: 132,
  /** Threads taking part in this run. */
  threads: 136,
  /** Workers still inside the run; each decrements it on return. */
  running: 140,
} as const;

export const SYNC_COMMAND = { run: 1, detach: 2 } as const;

/** Polls a worker makes between runs before it sleeps: about a millisecond, so back-to-back runs start at once. */
export const SPIN_ITERATIONS = 1 << 18;
/**
 * Polls a thread makes at a barrier before it sleeps: about a millisecond. Waking a sleeping thread
 * costs tens to hundreds of microseconds, more than most phases take, so a thread that finishes its
 * chunk early must still be awake when the others arrive. With more threads than cores a spinning
 * thread takes the core a working one needs, so barriers then barely spin.
 */
export const BARRIER_SPIN_ITERATIONS = 1 << 20;
export const OVERSUBSCRIBED_SPIN_ITERATIONS = 64;
