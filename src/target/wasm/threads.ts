// Threads in the module (src/loop/phases.ts gives the meaning): per-instance globals holding this
// thread's index and the run's thread count, the barrier between phases on the sync block's words
// (src/runtime/sync.ts), and each thread's chunk of a parallel loop.
import { SYNC } from '../../runtime/sync.js';
import type { Code } from './code.js';
import type { ModuleBuilder } from './module.js';

export interface ThreadSupport {
  /** Global indices of this thread's index and of the run's thread count (set by the entry). */
  readonly tid: number;
  readonly threads: number;
  /** Function index of the barrier: () -> (). */
  readonly barrier: number;
}

/** Adds the globals and the barrier for a sync block at byte `sync`. */
export function addThreadSupport(m: ModuleBuilder, sync: number): ThreadSupport {
  const tid = m.addGlobal(0, true), threads = m.addGlobal(1, true);
  const c = m.code([]);
  const gen = c.local('i32'), spins = c.local('i32');
  const word = (name: keyof typeof SYNC) => sync + SYNC[name];
  // one thread, or a run another thread aborted: nothing to wait for
  c.variable('global.get', threads).i32(2).op('i32.lt_u').if().op('return').end();
  c.i32(0).atomic('i32.atomic.load', word('abort')).if().op('return').end();
  c.i32(0).atomic('i32.atomic.load', word('generation')).set(gen);
  // the last to arrive resets the count, then releases the others by bumping the generation
  c.i32(0).i32(1).atomic('i32.atomic.rmw.add', word('arrived'));
  c.variable('global.get', threads).i32(1).op('i32.sub').op('i32.eq').if();
  c.i32(0).i32(0).atomic('i32.atomic.store', word('arrived'));
  c.i32(0).i32(1).atomic('i32.atomic.rmw.add', word('generation')).op('drop');
  c.i32(0).i32(-1).atomic('memory.atomic.notify', word('generation')).op('drop');
  c.op('return').end();
  // spin a while (phases are often microseconds apart; the runtime sets how long), then sleep until the generation moves
  c.i32(0).atomic('i32.atomic.load', word('spin')).set(spins);
  c.block().loop();
  c.i32(0).atomic('i32.atomic.load', word('generation')).get(gen).op('i32.ne').brIf(1);
  c.get(spins).i32(1).op('i32.sub').tee(spins).i32(0).op('i32.gt_s').brIf(0);
  c.end();
  c.loop();
  c.i32(0).get(gen).i64(-1n).atomic('memory.atomic.wait32', word('generation')).op('drop');
  c.i32(0).atomic('i32.atomic.load', word('generation')).get(gen).op('i32.eq').brIf(0);
  c.end().end();
  return { tid, threads, barrier: m.addFunction(c) };
}

/**
 * Pushes the first iteration of this thread's chunk of [0, extent): floor(extent * part / threads),
 * with part = tid (start) or tid + 1 (end). In i64, so large extents times thread counts cannot
 * overflow. `pushExtent` pushes the i32 extent.
 */
export function emitChunkBound(c: Code, t: ThreadSupport, pushExtent: () => void, end: boolean): void {
  pushExtent();
  c.op('i64.extend_i32_u');
  c.variable('global.get', t.tid);
  if (end) c.i32(1).op('i32.add');
  c.op('i64.extend_i32_u').op('i64.mul');
  c.variable('global.get', t.threads).op('i64.extend_i32_u').op('i64.div_u').op('i32.wrap_i64');
}
