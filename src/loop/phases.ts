// What a `parallel` loop means. Every thread runs the same kernel (SPMD). A kernel's body, under
// its scratch allocs, is a sequence of phases (its top-level statements). A phase holding a
// parallel loop runs on every thread, and each thread takes one contiguous, balanced chunk of
// that loop's iterations; a phase without one runs on thread 0 alone. Threads meet at a barrier
// wherever a parallel phase begins or ends, so a phase sees everything earlier phases wrote.
// For that to be race-free a parallel phase is a chain of serial loops and lets down to its one
// parallel loop, whose iterations write disjoint elements (schedules mark only spatial axes).
import { LoopIRError } from './errors.js';
import type { Stmt } from './ir.js';

export interface Phase {
  readonly body: Stmt;
  readonly parallel: boolean;
}

/** The phases of a kernel body, in order; allocs and nested seqs are looked through. */
export function phasesOf(body: Stmt): Phase[] {
  const out: Phase[] = [];
  const walk = (s: Stmt): void => {
    if (s.k === 'alloc') return walk(s.body);
    if (s.k === 'seq') return s.body.forEach(walk);
    out.push({ body: s, parallel: hasParallel(s) });
  };
  walk(body);
  return out;
}

/** Whether the kernel's first and last phases run on every thread (the entry puts barriers around them). */
export function parallelEnds(body: Stmt): { readonly first: boolean; readonly last: boolean } {
  const phases = phasesOf(body);
  return { first: phases[0]?.parallel ?? false, last: phases[phases.length - 1]?.parallel ?? false };
}

function hasParallel(s: Stmt): boolean {
  switch (s.k) {
    case 'for': return s.kind === 'parallel' || hasParallel(s.body);
    case 'let': case 'local': case 'alloc': return hasParallel(s.body);
    case 'if': return hasParallel(s.then) || (s.else !== undefined && hasParallel(s.else));
    case 'seq': return s.body.some(hasParallel);
    case 'set': case 'store': return false;
  }
}

/**
 * Checks that parallel loops sit where phasesOf's meaning holds: each at the end of a chain of
 * serial loops and lets that starts a phase, with no other parallel loop inside it.
 */
export function checkParallelPlacement(kernel: string, body: Stmt): void {
  const fail = (why: string) => { throw new LoopIRError(`kernel ${kernel}: ${why}`); };
  for (const { body: phase, parallel } of phasesOf(body)) {
    if (!parallel) continue;
    let s = phase;
    while (!(s.k === 'for' && s.kind === 'parallel')) {
      if (s.k === 'let' || (s.k === 'for' && s.kind === 'serial')) s = s.body;
      else fail(`a parallel loop must be reached from its phase's start through serial loops and lets only, not through ${s.k === 'for' ? `a loop of kind ${s.kind}` : `a '${s.k}' statement`}`);
    }
    if (hasParallel(s.body)) fail(`parallel loop ${s.v} holds another parallel loop`);
  }
}
