// `kiln inspect --kernels`: the fused kernels a model compiles to, as text and JSON, on a real
// model; and the one-line error when an input dim is left symbolic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nsfwjsModel } from '../fixtures/fixtures.js';
import { kiln, show } from './kiln-process.js';

interface Listed {
  readonly nodes: number;
  readonly kernels: readonly { readonly ops: readonly string[]; readonly layout: string; readonly outputShape: readonly number[]; readonly macs: number }[];
}

test('inspect --kernels lists mobilenet_v2\'s fused kernels with ops, layout, shapes and MACs', () => {
  const model = nsfwjsModel('mobilenet_v2');
  const json = kiln(['inspect', model, '--kernels', '--json', '--shape', 'input_1=1,224,224,3']);
  assert.equal(json.status, 0, show(json));
  const listed = JSON.parse(json.stdout) as Listed;
  assert.ok(listed.kernels.length < listed.nodes, `${listed.kernels.length} kernels for ${listed.nodes} nodes`);
  const convs = listed.kernels.filter((k) => k.ops[0] === 'Conv');
  // every conv's ReLU6 (a Clip) and every residual Add follows some conv into its kernel
  assert.ok(convs.some((k) => k.ops.join('+') === 'Conv+Clip'), 'a conv with its ReLU6');
  assert.ok(convs.some((k) => k.ops.join('+') === 'Conv+Add'), 'a projection conv with its residual add');
  assert.ok(convs.every((k) => k.layout === 'NCHW' && k.macs > 0 && k.outputShape.length === 4));
  // the MACs of the kernels add up to the model's (inspect without --kernels)
  const summary = JSON.parse(kiln(['inspect', model, '--json', '--shape', 'input_1=1,224,224,3']).stdout) as { macs: number };
  assert.equal(listed.kernels.reduce((n, k) => n + k.macs, 0), summary.macs);

  const text = kiln(['inspect', model, '--kernels', '--shape', 'input_1=1,224,224,3']);
  assert.equal(text.status, 0, show(text));
  assert.match(text.stdout, new RegExp(`^${listed.kernels.length} kernels for ${listed.nodes} nodes\n#\\s+ops\\s+layout\\s+shape\\s+MACs`));
  assert.match(text.stdout, /Conv\+Clip\s+NCHW\s+\[1,3,224,224\] -> \[1,32,112,112\]/);
});

test('inspect --kernels on a model with a symbolic input dim says to pass --shape', () => {
  const r = kiln(['inspect', nsfwjsModel('mobilenet_v2'), '--kernels']);
  assert.equal(r.status, 2, show(r));
  assert.match(r.stderr, /^kiln: error: .*--shape input_1=1,224,224,3/);
});
