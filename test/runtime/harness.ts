// Tiny artifacts for runtime and format tests: hand-written WAT assembled by wabt, memory laid
// out by the real memory plan, weights and manifest by the real writer.
import wabtInit from 'wabt';
import { manifestLayout, weightsImage } from '../../src/artifact/layout.js';
import { writeArtifact } from '../../src/artifact/write.js';
import { GraphBuilder, type Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { inferShapes } from '../../src/passes/infer-shapes.js';
import { graphPlanRequest, planMemory, type MemoryPlan } from '../../src/passes/memory-plan.js';
import type { Feature, Manifest } from '../../src/runtime/manifest.js';

const wabt = await wabtInit();

export function assemble(wat: string): Uint8Array<ArrayBuffer> {
  const mod = wabt.parseWat('test.wat', wat, { simd: true, threads: true, relaxed_simd: true });
  try {
    return mod.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    mod.destroy();
  }
}

/** y = (a + b) + w over float32 [2, 4]: one intermediate in the arena, one constant. */
export function addGraph(): Graph {
  const g = new GraphBuilder('add', { format: 'test' });
  g.addInput('a', { dtype: 'float32', shape: [2, 4] });
  g.addInput('b', { dtype: 'float32', shape: [2, 4] });
  const w = g.addConstant('w', Tensor.from('float32', [2, 4], [0.5, -1, 2, 3.25, 1e-3, 7, -8, 100]));
  g.setOutputs([g.add1('Add', [g.add1('Add', ['a', 'b'], {}, 't'), w], {}, 'y')]);
  return inferShapes(g.build());
}

/** f32x4 adds over 32-byte buffers at the planned offsets; entry export `run`. */
function addModule(plan: MemoryPlan, memoryPages: number): Uint8Array {
  const at = (name: string) => plan.placements.get(name)!.offset;
  const add = (dst: string, x: string, y: string) => [0, 16].map((k) =>
    `(v128.store (i32.const ${at(dst) + k}) (f32x4.add (v128.load (i32.const ${at(x) + k})) (v128.load (i32.const ${at(y) + k}))))`).join('\n');
  return assemble(`(module (import "env" "memory" (memory ${memoryPages}))
    (func (export "run") ${add('t', 'a', 'b')} ${add('y', 't', 'w')}))`);
}

export interface AddArtifact {
  readonly graph: Graph;
  readonly plan: MemoryPlan;
  readonly manifest: Manifest;
  readonly wasm: Uint8Array;
  readonly weights: Uint8Array;
  readonly bytes: Uint8Array;
}

export function addArtifact(opts: { features?: readonly Feature[]; wasm?: Uint8Array; entry?: string } = {}): AddArtifact {
  const graph = addGraph();
  const plan = planMemory(graphPlanRequest(graph), { base: 64 });
  const manifest: Manifest = {
    kiln: '0.1.0-test', entry: opts.entry ?? 'run', features: opts.features ?? ['simd'], ...manifestLayout(graph, plan),
  };
  const wasm = opts.wasm ?? addModule(plan, manifest.memory.pages);
  const weights = weightsImage(plan, graph.constants);
  return { graph, plan, manifest, wasm, weights, bytes: writeArtifact({ manifest, wasm, weights }) };
}
