// `npm run demo`: the nsfwjs MobileNetV2 classifier (a TF.js layers model from npm) on a real
// photo from npm (the baboon test image), compiled and run by Kiln, and by TF.js side by side.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { compile } from '../src/compile/compile.js';
import { loadModel, withInputShapes } from '../src/frontend/load.js';
import { execute } from '../src/reference/execute.js';
import { load } from '../src/runtime/index.js';
import { nsfwjsModel } from '../test/fixtures/fixtures.js';
import { decodeImage, nsfwjsInput, rgbPixels } from './image.js';
import { loadLayersModelFromDisk, predict, tfjsPreprocess, useBackend } from './tfjs-peer.js';
import { timeMedian } from './timing.js';

const CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const; // nsfwjs's label order
const SIZE = 224;

function topClasses(scores: ArrayLike<number>, k: number): number[] {
  return [...Array(scores.length).keys()].sort((a, b) => scores[b] - scores[a]).slice(0, k);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const uri = require('baboon-image-uri') as string;
  const bytes = Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
  const img = decodeImage(bytes, 'baboon-image-uri');
  const input = nsfwjsInput(img, SIZE);
  console.log(`image   baboon-image-uri (npm): ${img.width}x${img.height} PNG -> [1,${SIZE},${SIZE},3] in [0,1]`);

  const modelPath = nsfwjsModel('mobilenet_v2');
  console.log(`model   nsfwjs mobilenet_v2 (npm): ${modelPath}`);
  const t0 = performance.now();
  const imported = await loadModel(modelPath);
  const graph = withInputShapes(imported, { [imported.inputs[0]]: input.shape });
  const importMs = performance.now() - t0;
  const t1 = performance.now();
  const { bytes: artifact, report } = await compile(graph);
  const session = await load(artifact);
  const compileMs = performance.now() - t1;
  const [inName, outName] = [graph.inputs[0], graph.outputs[0]];
  const { result: kiln, ms: kilnMs } = await timeMedian(async () =>
    (await session.run({ [inName]: { data: input.numbers, shape: input.shape } }))[outName].data as Float32Array);
  const reference = await timeMedian(() => execute(graph, { [inName]: input }).get(outName)!.numbers);

  console.log('\nKiln top classes:');
  for (const c of topClasses(kiln, 5)) console.log(`  ${CLASSES[c].padEnd(8)} ${(kiln[c] * 100).toFixed(2)}%`);

  const preprocessDiff = maxAbsDiff(input.numbers, tfjsPreprocess(rgbPixels(img), img.height, img.width, SIZE));
  console.log(`\ninput matches TF.js's nsfwjs preprocessing: max |diff| ${preprocessDiff.toExponential(2)}`);
  console.log('\ntime: median of 3 runs after a warm-up run, same input for every engine, one thread each');
  console.log('engine               time (ms)   top class   max |diff| vs Kiln');
  const row = (name: string, ms: number, scores: ArrayLike<number>, note: string) =>
    console.log(`${name.padEnd(20)} ${ms.toFixed(1).padStart(9)}   ${CLASSES[topClasses(scores, 1)[0]].padEnd(9)}   ${note}`);
  row('Kiln (compiled)', kilnMs, kiln, `-  (import ${importMs.toFixed(0)} ms, compile ${compileMs.toFixed(0)} ms, ${report.kernels} kernels)`);
  row('Kiln (reference)', reference.ms, reference.result, maxAbsDiff(kiln, reference.result).toExponential(2));
  let agree = true;
  for (const backend of ['cpu', 'wasm'] as const) {
    if (!(await useBackend(backend))) {
      console.log(`${`TF.js ${backend}`.padEnd(20)} (backend did not start in this Node)`);
      continue;
    }
    const model = await loadLayersModelFromDisk(modelPath);
    const peer = await timeMedian(() => predict(model, input.numbers as Float32Array, input.shape));
    model.dispose();
    const top = topClasses(peer.result, 1)[0];
    agree &&= top === topClasses(kiln, 1)[0];
    row(`TF.js ${backend}`, peer.ms, peer.result, maxAbsDiff(kiln, peer.result).toExponential(2));
  }
  console.log(`\ntop class ${agree ? 'agrees' : 'DISAGREES'} with TF.js`);
  if (!agree) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
