// What a parallel loop may be: the end of a chain of serial loops and lets that starts a phase;
// the verifier rejects any other place, since threads would race or skip barriers there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cnst, loop, seq, store, v, type Buffer, type Kernel, type Stmt } from '../../src/loop/ir.js';
import { phasesOf } from '../../src/loop/phases.js';
import { verifyKernel } from '../../src/loop/verify.js';

const Y: Buffer = { name: 'y', elem: 'i32', size: 64 };
const write = (index = v('j')) => store(Y, index, cnst(1));
const kernel = (body: Stmt): Kernel => ({ name: 'k', params: [Y], body });

test('phases: top-level statements under allocs and seqs, parallel when they hold a parallel loop', () => {
  const scratch: Buffer = { name: 's', elem: 'i32', size: 4 };
  const body: Stmt = { k: 'alloc', buf: scratch, body: seq(loop('i', 4, store(scratch, v('i'), cnst(0))), seq(loop('j', 64, write(), 'parallel'))) };
  assert.deepEqual(phasesOf(body).map((p) => p.parallel), [false, true]);
  verifyKernel(kernel(body));
});

test('a parallel loop inside serial loops and lets is legal; anywhere else it is refused', () => {
  const inner = loop('j', 8, write({ k: 'bin', type: v('i').type, op: 'add', a: v('j'), b: v('b') }), 'parallel');
  verifyKernel(kernel(loop('i', 8, { k: 'let', v: 'b', value: v('i'), body: inner })));
  const refused: [Stmt, RegExp][] = [
    [loop('i', 8, seq(write(cnst(0)), loop('j', 8, write(), 'parallel'))), /not through a 'seq' statement/],
    [loop('i', 8, loop('j', 8, write(), 'parallel'), 'unrolled'), /not through a loop of kind unrolled/],
    [{ k: 'if', cond: cnst(1), then: loop('j', 8, write(), 'parallel') }, /not through a 'if' statement/],
    [loop('i', 8, loop('j', 8, write(), 'parallel'), 'parallel'), /parallel loop i holds another parallel loop/],
  ];
  for (const [body, why] of refused) assert.throws(() => verifyKernel(kernel(body)), why);
});
