// The static memory plan on real imported models (exhaustive overlap check) and on small
// synthetic graphs for the in-place rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModel, withInputShapes } from '../../src/frontend/load.js';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import {
  graphPlanRequest, MEMORY_ALIGNMENT, planMemory, type MemoryPlan, type Placement,
} from '../../src/passes/memory-plan.js';
import { nsfwjsModel, ppocrDetModel } from '../fixtures/fixtures.js';

/** Fixes every symbolic input dim to 1 (batch) or the given size. */
async function staticModel(path: string, dims: Record<string, number>): Promise<Graph> {
  const g = await loadModel(path);
  const shapes: Record<string, number[]> = {};
  for (const name of g.inputs) {
    shapes[name] = g.values.get(name)!.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : dims[d] ?? dims['*']));
  }
  return withInputShapes(g, shapes);
}

const overlaps = (a: Placement, b: Placement) =>
  a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
const liveTogether = (a: Placement, b: Placement) => a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;

/**
 * Every pair of placements: shared bytes only between values never live at once, views of one
 * storage, or an in-place pair (the output of a step over the storage of an input dying there).
 */
function checkPlan(plan: MemoryPlan): void {
  const all = [...plan.placements];
  const storage = (name: string): string => plan.placements.get(name)!.viewOf ? storage(plan.placements.get(name)!.viewOf!) : name;
  for (const [name, p] of all) {
    assert.equal(p.offset % MEMORY_ALIGNMENT, 0, `${name} at ${p.offset} is not aligned`);
    const region = plan[p.region];
    assert.ok(p.offset >= region.offset && p.offset + p.bytes <= region.offset + region.bytes, `${name} lies outside its region`);
  }
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [an, a] = all[i], [bn, b] = all[j];
      if (!overlaps(a, b) || a.bytes === 0 || b.bytes === 0) continue;
      if (storage(an) === storage(bn)) { assert.equal(a.offset, b.offset, `views ${an} and ${bn} of one storage`); continue; }
      assert.ok(a.region === 'arena' && b.region === 'arena', `${an} (${a.region}) and ${bn} (${b.region}) share bytes`);
      if (!liveTogether(a, b)) continue;
      const inPlacePair = (x: Placement, xn: string, y: Placement, _: string) =>
        y.inPlaceOf !== undefined && storage(y.inPlaceOf) === storage(xn) && x.lastStep === y.firstStep && x.offset === y.offset;
      assert.ok(inPlacePair(a, an, b, bn) || inPlacePair(b, bn, a, an),
        `${an} [${a.firstStep},${a.lastStep}] and ${bn} [${b.firstStep},${b.lastStep}] are live together and share bytes`);
    }
  }
  assert.ok(plan.arena.bytes >= plan.peakLiveBytes);
  assert.equal(plan.totalBytes, plan.arena.offset + plan.arena.bytes);
}

for (const [label, load] of [
  ['nsfwjs mobilenet_v2', () => staticModel(nsfwjsModel('mobilenet_v2'), {})],
  ['PP-OCRv4 det at 320x320', () => staticModel(ppocrDetModel(), { '*': 320 })],
] as const) {
  test(`memory plan: ${label}`, async (t) => {
    const g = await load();
    for (const inPlace of [false, true]) {
      const plan = planMemory(graphPlanRequest(g), { inPlace });
      checkPlan(plan);
      const aliased = [...plan.placements.values()].filter((p) => p.inPlaceOf).length;
      if (inPlace) assert.ok(aliased > 0, 'expected some in-place steps');
      else assert.equal(aliased, 0);
      // reuse must bring the arena well below keeping every intermediate
      assert.ok(plan.arena.bytes < plan.intermediateBytes / 3,
        `arena ${plan.arena.bytes} vs intermediates ${plan.intermediateBytes}`);
      t.diagnostic(` inPlace=${inPlace}: arena ${plan.arena.bytes} B, peak live ${plan.peakLiveBytes} B, ` +
        `intermediates ${plan.intermediateBytes} B, weights ${plan.weights.bytes} B, ${aliased} in place`);
    }
  });
}

/** x -> Exp -> a -> (nodes from `build`) -> Identity -> output. */
function chain(build: (b: GraphBuilder, a: string) => string, inputShape = [2, 8]): Graph {
  const b = new GraphBuilder('chain', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: inputShape });
  const a = b.add1('Exp', ['x'], {}, 'a');
  const mid = build(b, a);
  b.setOutputs([b.add1('Identity', [mid], {}, 'y')]);
  return inferShapes(b.build());
}

function placementsOf(g: Graph, inPlace = true) {
  const plan = planMemory(graphPlanRequest(g), { inPlace });
  checkPlan(plan);
  return plan.placements;
}

test('in place: an elementwise step writes over its dying input', () => {
  const p = placementsOf(chain((b, a) => b.add1('Relu', [a], {}, 'r')));
  assert.equal(p.get('r')!.inPlaceOf, 'a');
  assert.equal(p.get('r')!.offset, p.get('a')!.offset);
  assert.equal(placementsOf(chain((b, a) => b.add1('Relu', [a], {}, 'r')), false).get('r')!.inPlaceOf, undefined);
});

test('in place: not when the input is read later', () => {
  const p = placementsOf(chain((b, a) => b.add1('Add', [b.add1('Relu', [a], {}, 'r'), a], {}, 's')));
  assert.equal(p.get('r')!.inPlaceOf, undefined);
  assert.notEqual(p.get('r')!.offset, p.get('a')!.offset);
  // the Add is the last reader of both: it takes one of them
  assert.ok(p.get('s')!.inPlaceOf === 'r' || p.get('s')!.inPlaceOf === 'a');
});

test('in place: not over a graph input, a constant, another dtype or a smaller broadcast input', () => {
  const fromInput = new GraphBuilder('g', { format: 'test' });
  fromInput.addInput('x', { dtype: 'float32', shape: [4] });
  fromInput.setOutputs([fromInput.add1('Exp', [fromInput.add1('Relu', ['x'], {}, 'r')], {}, 'y')]);
  const p1 = placementsOf(inferShapes(fromInput.build()));
  assert.equal(p1.get('r')!.inPlaceOf, undefined);
  assert.equal(p1.get('x')!.region, 'io');

  const cast = placementsOf(chain((b, a) => b.add1('Cast', [a], { to: 'int32' }, 'c')));
  assert.equal(cast.get('c')!.inPlaceOf, undefined, 'float32 -> int32 has the same size but another dtype');

  // a [1, 8] row broadcast against a [2, 8] constant: the output is larger than the row
  const bcast = placementsOf(chain((b, a) => {
    const row = b.add1('ReduceSum', [a, b.constant('axes', Tensor.from('int64', [1], [0]))], { keepdims: 1 }, 'row');
    return b.add1('Add', [row, b.constant('k', Tensor.from('float32', [2, 8], new Array(16).fill(1)))], {}, 's');
  }));
  assert.equal(bcast.get('s')!.inPlaceOf, undefined);
  assert.equal(bcast.get('k')!.region, 'weights');
});

test('in place: chains through several steps and reshapes share one block', () => {
  const p = placementsOf(chain((b, a) => {
    const r = b.add1('Relu', [a], {}, 'r');
    const shape = b.constant('shape', Tensor.from('int64', [1], [16]));
    return b.add1('Sigmoid', [b.add1('Reshape', [r, shape], {}, 'flat')], {}, 'sg');
  }));
  assert.deepEqual(['r', 'flat', 'sg'].map((n) => p.get(n)!.inPlaceOf), ['a', undefined, 'flat']);
  assert.equal(p.get('flat')!.viewOf, 'r');
  assert.equal(new Set(['a', 'r', 'flat', 'sg'].map((n) => p.get(n)!.offset)).size, 1);
});

test('views share their source\'s storage, also a graph input\'s, but a graph output keeps its own slot', () => {
  const b = new GraphBuilder('g', { format: 'test' });
  b.addInput('x', { dtype: 'float32', shape: [2, 8] });
  const flat = b.add1('Reshape', ['x', b.constant('shape', Tensor.from('int64', [1], [16]))], {}, 'flat');
  const t = b.add1('Transpose', [b.add1('Unsqueeze', [flat, b.constant('axes', Tensor.from('int64', [1], [0]))], {}, 'u')],
    { perm: [1, 0] }, 't');
  b.setOutputs([b.add1('Flatten', [b.add1('Exp', [t], {}, 'e')], { axis: 0 }, 'y')]);
  const p = placementsOf(inferShapes(b.build()));
  assert.deepEqual(['flat', 'u', 't'].map((n) => [p.get(n)!.viewOf, p.get(n)!.offset, p.get(n)!.region]),
    [['x', p.get('x')!.offset, 'io'], ['flat', p.get('x')!.offset, 'io'], ['u', p.get('x')!.offset, 'io']]);
  assert.equal(p.get('y')!.viewOf, undefined);
  assert.notEqual(p.get('y')!.offset, p.get('e')!.offset);
});

test('views: a transpose that moves a non-unit dim is not one', () => {
  const p = placementsOf(chain((b, a) => b.add1('Exp', [b.add1('Transpose', [a], { perm: [1, 0] }, 't')], {}, 'e')));
  assert.equal(p.get('t')!.viewOf, undefined);
});

test('in place: not over a source whose view is read later', () => {
  const p = placementsOf(chain((b, a) => {
    const shape = b.constant('shape', Tensor.from('int64', [1], [16]));
    const v = b.add1('Reshape', [a, shape], {}, 'v');
    const r = b.add1('Relu', [a], {}, 'r');
    return b.add1('Add', [b.add1('Reshape', [r, shape], {}, 'rv'), v], {}, 's');
  }));
  assert.equal(p.get('v')!.viewOf, 'a');
  assert.equal(p.get('r')!.inPlaceOf, undefined, 'a dies at the Relu, but its view v is read after it');
  assert.notEqual(p.get('r')!.offset, p.get('a')!.offset);
});

test('memory plan over caller-given steps (fused groups) and its errors', () => {
  const f32 = (n: number) => ({ dtype: 'float32' as const, bytes: 4 * n });
  const values = new Map([['in', f32(10)], ['w', f32(3)], ['t', f32(100)], ['u', f32(100)], ['out', f32(10)]]);
  const req = {
    values, inputs: ['in'], outputs: ['out'], constants: new Set(['w']),
    steps: [
      { name: 'conv+relu', reads: ['in', 'w'], writes: ['t'] },
      { name: 'pool', reads: ['t'], writes: ['u'] },
      { name: 'fc', reads: ['u', 'w'], writes: ['out'] },
    ],
  };
  const plan = planMemory(req, { base: 64 });
  checkPlan(plan);
  assert.equal(plan.weights.offset, 64);
  assert.ok(plan.io.offset >= plan.weights.offset + 12 && plan.arena.offset >= plan.io.offset + 80);
  assert.equal(plan.arena.bytes, 800);
  assert.equal(plan.intermediateBytes, 800);
  assert.throws(() => planMemory({ ...req, steps: [req.steps[1], req.steps[0], req.steps[2]] }),
    { code: 'E_GRAPH', message: /step 'pool' reads 't', which no earlier step writes/ });
  assert.throws(() => planMemory({ ...req, steps: [req.steps[0]] }), { code: 'E_GRAPH', message: /output 'out' is never written/ });
  assert.throws(() => planMemory({ ...req, values: new Map([...values].filter(([n]) => n !== 'u')) }),
    { code: 'E_GRAPH', message: /'u' has no type/ });
});
