// Walks a Keras model's layer calls in dependency order and converts each one; nested models
// are inlined. A layer that cannot be converted poisons its outputs so the walk goes on and
// every unsupported layer in the model gets reported at once.
import { FormatError, KilnError, withContext } from '../../errors.js';
import { checkActivation } from './activations.js';
import type { KerasTensor, LayerConverter, LayersContext } from './context.js';
import { convLayers } from './conv.js';
import { coreLayers } from './core.js';
import { Options } from './options.js';
import { recurrentLayers } from './recurrent.js';
import { spatialLayers } from './spatial.js';
import { structureLayers } from './structure.js';
import {
  MODEL_CLASSES, parseModel, type FunctionalSpec, type LayerSpec, type ModelSpec, type SequentialSpec, type TensorRef,
} from './topology.js';

const LAYERS: Readonly<Record<string, LayerConverter>> = {
  ...coreLayers, ...convLayers, ...spatialLayers, ...structureLayers, ...recurrentLayers,
};

/** Class names the importer converts (models excluded). */
export const SUPPORTED_LAYERS: readonly string[] = Object.keys(LAYERS);

/** A tensor during the walk; null when an unsupported layer upstream produced it. */
export type Slot = KerasTensor | null;

export class ModelWalker {
  private readonly nested = new WeakMap<LayerSpec, ModelSpec>();

  constructor(private readonly ctx: LayersContext) {}

  /** Runs `model` on `inputs` (one per model input); returns its outputs in order. */
  run(model: ModelSpec, inputs: readonly Slot[], scope: readonly string[]): Slot[] {
    return model.kind === 'sequential' ? this.runSequential(model, inputs, scope) : this.runFunctional(model, inputs, scope);
  }

  private runSequential(model: SequentialSpec, inputs: readonly Slot[], scope: readonly string[]): Slot[] {
    let x = inputs[0];
    for (const layer of model.layers) {
      const outs = this.call(layer, [x], scope);
      if (outs.length !== 1) {
        throw new FormatError(`${this.ctx.source}: layer '${layer.name}' in Sequential '${model.name}' has ${outs.length} outputs, a Sequential layer needs one`);
      }
      x = outs[0];
    }
    return [x];
  }

  private runFunctional(model: FunctionalSpec, inputs: readonly Slot[], scope: readonly string[]): Slot[] {
    if (inputs.length !== model.inputs.length) {
      throw new FormatError(`${this.ctx.source}: model '${model.name}' takes ${model.inputs.length} inputs but is called with ${inputs.length}`);
    }
    const key = (r: TensorRef) => `${r.layer}\u0000${r.node}\u0000${r.tensor}`;
    const values = new Map<string, Slot>();
    model.inputs.forEach((ref, i) => values.set(key(ref), inputs[i]));

    let pending = model.layers.filter((l) => l.className !== 'InputLayer')
      .flatMap((layer) => layer.calls.map((refs, index) => ({ layer, refs, index })));
    // Keras lists layers in creation order; a shared layer's later call may wait for layers after it
    while (pending.length) {
      const waiting = pending.filter(({ layer, refs, index }) => {
        if (!refs.every((r) => values.has(key(r)))) return true;
        const outs = this.call(layer, refs.map((r) => values.get(key(r))!), scope);
        const node = index + (model.nodeOffset.get(layer.name) ?? 0);
        outs.forEach((o, tensor) => values.set(key({ layer: layer.name, node, tensor }), o));
        return false;
      });
      if (waiting.length === pending.length) {
        const stuck = waiting.slice(0, 3).map((p) => `'${p.layer.name}'`).join(', ');
        throw new FormatError(`${this.ctx.source}: in model '${model.name}', layers ${stuck} wait for inputs no layer produces; the model.json is corrupt`);
      }
      pending = waiting;
    }
    return model.outputs.map((r) => {
      if (!values.has(key(r))) {
        throw new FormatError(`${this.ctx.source}: output ${r.layer}[${r.node}][${r.tensor}] of model '${model.name}' is never computed`);
      }
      return values.get(key(r))!;
    });
  }

  /** One call of `layer`: a nested model is inlined, an unknown class is noted and poisons. */
  private call(layer: LayerSpec, inputs: readonly Slot[], scope: readonly string[]): Slot[] {
    try {
      if (MODEL_CLASSES.has(layer.className)) {
        let spec = this.nested.get(layer);
        if (!spec) this.nested.set(layer, spec = parseModel(layer.className, layer.config, this.ctx.source));
        return this.run(spec, inputs, [...scope, layer.name]);
      }
      const convert = LAYERS[layer.className];
      if (!convert) {
        this.ctx.noteUnsupported(layer.className, layer.name);
        return [null];
      }
      if (inputs.some((x) => x === null)) {
        checkActivation(this.ctx, layer);
        return [null];
      }
      const out = convert(this.ctx, {
        layer, inputs: inputs as KerasTensor[], name: layer.name, scope, options: new Options(layer),
      });
      return 'value' in out ? [out] : [...out];
    } catch (e) {
      if (e instanceof KilnError && e.message.startsWith(this.ctx.source)) throw e;
      throw withContext(e, `${this.ctx.source}: ${layer.className} layer '${layer.name}'`);
    }
  }
}
