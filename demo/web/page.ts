// The web demo's page script (runs in the browser): an image picked or dropped is prepared as
// nsfwjs prepares it (RGB / 255, bilinear resize to 224x224 with aligned corners), classified by
// the Kiln artifact with kiln-ml/runtime and by TF.js's wasm backend, and Kiln's per-kernel
// time is drawn as a bar chart.
import type * as TF from '@tensorflow/tfjs';
import { barChartSvg } from '../../src/report/bar-chart.js';
import { resizeBilinear } from '../../src/io/resize.js';
import { load, profileArtifact, type Session } from '../../src/runtime/index.js';

declare const tf: typeof TF & { wasm: { setWasmPaths(path: string): void; setThreadsCount(n: number): void } };

const CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']; // nsfwjs's label order
const SIZE = 224;
const $ = (id: string) => document.getElementById(id)!;

async function median(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

/** The image's pixels as nsfwjs feeds them: [1, 224, 224, 3] in [0, 1]. */
async function pixels(file: Blob): Promise<Float32Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const rgb = resizeBilinear({ width: rgba.width, height: rgba.height, data: rgba.data }, SIZE, SIZE, 'align-corners');
  return rgb.map((v) => v / 255);
}

async function main(): Promise<void> {
  const bytes = new Uint8Array(await (await fetch('/model/nsfwjs.kiln')).arrayBuffer());
  const session: Session = await load(bytes);
  tf.wasm.setWasmPaths('/tfjs-wasm/');
  tf.wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const peer = await tf.loadLayersModel('/nsfwjs/model.json');
  const [inName, outName] = [session.inputs[0].name, session.outputs[0].name];
  $('status').textContent = 'ready: pick or drop an image';

  async function classify(file: Blob): Promise<void> {
    $('status').textContent = 'classifying...';
    ($('preview') as HTMLImageElement).src = URL.createObjectURL(file);
    const input = await pixels(file);
    const run = () => session.run({ [inName]: input });
    const ours = (await run())[outName].data as Float32Array;
    const kilnMs = await median(run);
    const x = tf.tensor(input, [1, SIZE, SIZE, 3]);
    const predict = async () => { const y = peer.predict(x) as TF.Tensor; const d = await y.data(); y.dispose(); return d; };
    const theirs = await predict();
    const tfjsMs = await median(predict);
    x.dispose();
    const order = [...ours.keys()].sort((a, b) => ours[b] - ours[a]);
    $('classes').innerHTML = '<tr><th>class</th><th>Kiln</th><th>TF.js wasm</th></tr>' +
      order.map((i) => `<tr><td>${CLASSES[i]}</td><td>${(100 * ours[i]).toFixed(2)}%</td><td>${(100 * theirs[i]).toFixed(2)}%</td></tr>`).join('');
    $('top-class').textContent = CLASSES[order[0]];
    $('kiln-ms').textContent = kilnMs.toFixed(1);
    $('tfjs-ms').textContent = tfjsMs.toFixed(1);
    const profile = await profileArtifact(bytes, { feeds: { [inName]: input }, runs: 20 });
    const total = profile.kernels.reduce((n, k) => n + k.meanMs, 0);
    const bars = [...profile.kernels].sort((a, b) => b.meanMs - a.meanMs).slice(0, 25).map((k) => ({
      label: `${k.ops.join('+')} #${k.index}`, value: k.meanMs, note: `${k.meanMs.toFixed(2)} ms ${((100 * k.meanMs) / total).toFixed(1)}%`, title: k.node,
    }));
    $('chart').innerHTML = barChartSvg(`${profile.kernels.length} kernel calls, ${total.toFixed(1)} ms in all (mean of 20 runs; top 25)`, bars);
    $('status').textContent = 'done';
  }

  ($('file') as HTMLInputElement).addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void classify(f).catch(fail);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void classify(f).catch(fail);
  });
}

function fail(e: unknown): void {
  $('status').textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
}

main().catch(fail);
