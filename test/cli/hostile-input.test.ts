// Each bad-input class of issue 14 through the built CLI: sizes a file declares past what it holds
// or past a 32-bit wasm memory, ONNX attributes and inputs of the wrong kind or missing, TF.js
// model.json fields of the wrong type, artifacts rewritten with valid checksums, names holding
// newlines. Each ends with exit 2 and one `kiln: error:` line; integer division by zero runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assembleArtifact } from '../../src/artifact/write.js';
import { compile } from '../../src/compile/compile.js';
import { onnxType } from '../../src/frontend/onnx/schema.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { parseNpy, serializeNpy } from '../../src/io/npy.js';
import { Tensor } from '../../src/ir/tensor.js';
import { parseArtifact } from '../../src/runtime/artifact.js';
import { humanModel, ppocrDetModel } from '../fixtures/fixtures.js';
import { assemble } from '../runtime/harness.js';
import { buildGraphModel, type GraphModelSpec } from '../util/onnx-builder.js';
import { assertUserError, kiln, show } from './kiln-process.js';

let dir = '';
const at = (name: string) => join(dir, name);

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const f32 = (name: string, shape: number[] = [2, 3]) => ({ name, dtype: 'float32' as const, shape });

/** An ONNX model built from `spec`, then edited as a decoded ModelProto (fields the builder cannot write wrong). */
function onnxFile(name: string, spec: GraphModelSpec, edit: (m: Msg) => void = () => {}): string {
  const type = onnxType('ModelProto');
  const m = type.decode(buildGraphModel(spec)) as Msg;
  edit(m);
  writeFileSync(at(name), type.encode(m as never).finish());
  return at(name);
}

/** A .npy header declaring `shape` with only `dataBytes` of data after it. */
function npyDeclaring(name: string, descr: string, shape: string, dataBytes: number): string {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + '\n';
  const out = new Uint8Array(10 + header.length + dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  writeFileSync(at(name), out);
  return at(name);
}

before(() => { dir = mkdtempSync(join(tmpdir(), 'kiln-hostile-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('sizes: an .npy declaring 1e8 elements, an ONNX initializer with huge dims, a --shape past a wasm memory', () => {
  const onnx = onnxFile('add.onnx', { nodes: [{ op: 'Add', inputs: ['x', 'x'], outputs: ['y'] }], inputs: [f32('x')], outputs: [f32('y')] });
  const start = Date.now();
  assertUserError(kiln(['run', onnx, '--input', `x=${npyDeclaring('big.npy', '<f4', '(100000000,)', 64)}`]), /big\.npy: truncated .npy file/);
  assertUserError(kiln(['run', onnx, '--input', `x=${npyDeclaring('huge.npy', '<f4', '(4294967297, 2)', 64)}`]), /huge\.npy.*needs 32\.0 GiB, over Kiln's limit of 2\.00 GiB/);
  assertUserError(kiln(['run', onnx, '--input', `x=${npyDeclaring('u0.npy', '<U0', '(100000000,)', 0)}`]), /u0\.npy.*string width '<U0'/);
  assert.ok(Date.now() - start < 20_000, 'bad .npy headers are refused before any allocation');
  const huge = onnxFile('huge-init.onnx', {
    nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }], inputs: [f32('x')], outputs: [f32('y')],
    initializers: { w: Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]) },
  }, (m) => { m.graph.initializer[0].dims = [1024, 1024, 1024, 1024]; });
  assertUserError(kiln(['inspect', huge]), /tensor 'w': shape \[1024,1024,1024,1024\] needs 4\.00 TiB, over Kiln's limit/);
  assertUserError(kiln(['compile', ppocrDetModel(), '--shape', 'x=1,3,64,1000000', '-o', at('big.kiln')]),
    /needs 5\.37 GiB of memory .* over the 4\.00 GiB a 32-bit WebAssembly memory can address/);
});

test('integer Div and Mod by zero run to 0 instead of trapping, compiled and in the reference', () => {
  const i64 = (name: string) => ({ name, dtype: 'int64' as const, shape: [4] });
  const model = onnxFile('mod.onnx', {
    nodes: [{ op: 'Mod', inputs: ['a', 'b'], outputs: ['r'] }, { op: 'Div', inputs: ['a', 'b'], outputs: ['q'] }],
    inputs: [i64('a'), i64('b')], outputs: [i64('r'), i64('q')],
  });
  writeFileSync(at('a.npy'), serializeNpy(Tensor.from('int64', [4], [7, -7, 5, 0])));
  writeFileSync(at('b.npy'), serializeNpy(Tensor.from('int64', [4], [0, 0, 2, 0])));
  for (const engine of ['compiled', 'reference']) {
    const out = at(`out-${engine}`);
    const r = kiln(['run', model, '--input', `a=${at('a.npy')}`, '--input', `b=${at('b.npy')}`, '--engine', engine, '--out-dir', out]);
    assert.equal(r.status, 0, show(r));
    assert.deepEqual(Array.from(parseNpy(readFileSync(join(out, 'output_0.npy')), 'r').numbers), [0, 0, 1, 0]);
    assert.deepEqual(Array.from(parseNpy(readFileSync(join(out, 'output_1.npy')), 'q').numbers), [0, 0, 2, 0]);
  }
});

test('ONNX attributes and inputs of the wrong kind or missing name the node, the attribute and what was expected', () => {
  const concat = (edit: (node: Msg) => void, name: string) => onnxFile(name, {
    nodes: [{ op: 'Concat', inputs: ['x', 'x'], outputs: ['y'], attrs: { axis: 0 }, name: 'cat' }], inputs: [f32('x')], outputs: [f32('y', [4, 3])],
  }, (m) => edit(m.graph.node[0]));
  assertUserError(kiln(['inspect', concat((n) => { n.attribute[0] = { name: 'axis', type: 3, s: new TextEncoder().encode('one') }; }, 'kind.onnx')]),
    /node 'cat' \(Concat\): attribute 'axis' should be an integer, the model gives a string/);
  assertUserError(kiln(['inspect', concat((n) => { n.attribute = []; }, 'missing.onnx')]), /node 'cat' \(Concat\): missing required attribute 'axis'/);
  assertUserError(kiln(['inspect', concat((n) => { n.attribute[0] = { name: 'axis', type: 4 }; }, 'tensorless.onnx')]),
    /node 'cat' \(Concat\).*attribute 'axis' is a tensor attribute without its tensor/);
  assertUserError(kiln(['inspect', concat((n) => { n.input = ['', 'x']; }, 'empty-input.onnx')]), /node 'cat' \(Concat\): input 0 is empty/);
  assertUserError(kiln(['inspect', concat((n) => { n.name = 'line one\nline two'; n.attribute = []; }, 'newline.onnx')]), /node 'line one\\nline two'/);
  const einsum = onnxFile('einsum.onnx', {
    nodes: [{ op: 'Einsum', inputs: ['x'], outputs: ['y'], attrs: { equation: 'ij->ji' }, name: 'es' }], inputs: [f32('x')], outputs: [f32('y', [3, 2])],
  }, (m) => { m.graph.node[0].attribute[0] = { name: 'equation', type: 3, s: new Uint8Array(0) }; });
  assertUserError(kiln(['inspect', einsum]), /node 'es' \(Einsum\)/);
  const twice = onnxFile('twice.onnx', { nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], inputs: [f32('x')], outputs: [f32('y')] },
    (m) => { m.graph.output.push(m.graph.output[0]); });
  assertUserError(kiln(['inspect', twice]), /graph output 'y' is listed twice/);
});

test('TF.js model.json fields of the wrong type: shard paths, node inputs, quantization without scale, lists holding NaN', () => {
  const source = humanModel('liveness');
  const model = JSON.parse(readFileSync(source, 'utf8')) as Msg;
  const write = (name: string, edit: (m: Msg) => void) => {
    const m = structuredClone(model);
    edit(m);
    const folder = at(name);
    mkdirSync(folder, { recursive: true });
    for (const p of model.weightsManifest[0].paths) writeFileSync(join(folder, p), readFileSync(join(source, '..', p)));
    writeFileSync(join(folder, 'model.json'), JSON.stringify(m));
    return folder;
  };
  const conv = (m: Msg) => m.modelTopology.node.find((n: Msg) => n.op === 'Conv2D' || n.op === '_FusedConv2D');
  assertUserError(kiln(['inspect', write('path', (m) => { m.weightsManifest[0].paths = [5]; })]), /weight shard path 0 of a group is not a file name/);
  assertUserError(kiln(['inspect', write('inputs', (m) => { conv(m).input = 'x'; })]), /'input' should be a list of strings/);
  assertUserError(kiln(['inspect', write('quant', (m) => { m.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', min: 0 }; })]), /quantized to uint8 without numeric 'scale' and 'min'/);
  assertUserError(kiln(['inspect', write('nan', (m) => { conv(m).attr.strides = { list: { i: ['NaN', '1', '1', '1'] } }; })]), /attribute 'strides': an integer attribute holds text that is not a whole number/);
});

test('artifacts rewritten with valid checksums: a slot past memory, a trap in a kernel, a bad string handle', async () => {
  const ok = (await compile(importOnnx(buildGraphModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], inputs: [f32('x')], outputs: [f32('y')] }), 'relu.onnx'))).bytes;
  const art = parseArtifact(ok);
  const m = structuredClone(art.manifest) as Msg;
  m.outputs[0].offset = m.memory.bytes + 64;
  const rewrite = (name: string, manifest: Msg, wasm = art.wasm) => {
    // framed without writeArtifact's validation, as another producer would: the checksums are right
    writeFileSync(at(name), assembleArtifact([new TextEncoder().encode(JSON.stringify(manifest)), wasm, art.weights]));
    return at(name);
  };
  assertUserError(kiln(['run', rewrite('offset.kiln', m), '--random']), /field 'outputs\[0\]' must be within memory\.bytes/);
  // compiled artifacts are threaded: a shared memory, and an entry taking the thread index and count
  const trap = { ...structuredClone(art.manifest), kernels: [{ name: 'relu_kernel', function: 0, ops: ['Relu'] }] };
  const unreachable = assemble(`(module (import "env" "memory" (memory ${art.manifest.memory.pages} ${art.manifest.memory.pages} shared)) (func $k unreachable) (func (export "run") (param i32 i32) call $k))`);
  assertUserError(kiln(['run', rewrite('trap.kiln', trap, unreachable), '--random']), /trapped \(unreachable\) in kernel 'relu_kernel' \(Relu\); valid artifacts never trap/);
  const oob = assemble(`(module (import "env" "memory" (memory ${art.manifest.memory.pages} ${art.manifest.memory.pages} shared)) (func $k (drop (i32.load (i32.const -8)))) (func (export "run") (param i32 i32) call $k))`);
  assertUserError(kiln(['run', rewrite('oob.kiln', trap, oob), '--random']), /trapped \(memory access out of bounds\) in kernel 'relu_kernel'/);
  const strings = { ...structuredClone(art.manifest), strings: ['a'] } as Msg;
  strings.outputs[0].dtype = 'string';
  const handle = assemble(`(module (import "env" "memory" (memory ${art.manifest.memory.pages} ${art.manifest.memory.pages} shared)) (func (export "run") (param i32 i32) (i32.store (i32.const ${strings.outputs[0].offset}) (i32.const 999))))`);
  assertUserError(kiln(['run', rewrite('handle.kiln', strings, handle), '--random']), /string handle 999, which is not in the run's table/);
});
