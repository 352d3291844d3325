// TF.js layers models (Keras models saved by TF.js or its converter) -> the canonical graph.
// Reads the topology and weights, creates one graph input per model input, walks the layers.
import { FormatError, UnsupportedOpsError } from '../../errors.js';
import { isDType, type DType } from '../../ir/dtype.js';
import { GraphBuilder, type Graph } from '../../ir/graph.js';
import type { Dim } from '../../ir/shape.js';
import { inferShapes } from '../../passes/infer-shapes.js';
import { loadTfjsWeights, type ShardSource, type WeightsManifest } from '../tfjs/weights.js';
import { LayersContext, type KerasTensor } from './context.js';
import { LayerWeights } from './layer-weights.js';
import { ModelWalker } from './model.js';
import { isObject, parseModel, type Config, type ModelSpec } from './topology.js';

/** The symbolic batch dim every model input shares. */
export const BATCH = 'N';

interface Topology {
  readonly className: string;
  readonly config: unknown;
  readonly kerasVersion: string;
}

/** Finds the Keras model in a model.json: TF.js's {class_name, config} or the converter's {model_config}. */
function readTopology(modelJson: Config, source: string): Topology {
  if (modelJson.format === 'graph-model') {
    throw new FormatError(`${source} is a TF.js graph model, not a layers model; import it as a graph model`);
  }
  let topo: unknown = modelJson.modelTopology ?? modelJson;
  if (typeof topo === 'string') topo = JSON.parse(topo);
  if (!isObject(topo)) throw new FormatError(`${source}: modelTopology is not an object`);
  const kerasVersion = typeof topo.keras_version === 'string' ? topo.keras_version : '';
  let model: unknown = topo.model_config ?? topo;
  if (typeof model === 'string') model = JSON.parse(model);
  if (!isObject(model) || typeof model.class_name !== 'string') {
    throw new FormatError(`${source}: no Keras model in modelTopology (expected 'class_name' and 'config' or 'model_config'); is this a TF.js layers model?`);
  }
  return { className: model.class_name, config: model.config, kerasVersion };
}

function inputDType(config: Config, name: string, source: string): DType {
  let d: unknown = config.dtype ?? 'float32';
  // Keras 3 writes a DTypePolicy object
  if (isObject(d) && isObject(d.config)) d = d.config.name;
  if (typeof d !== 'string' || !isDType(d)) {
    throw new FormatError(`${source}: input '${name}' has dtype ${JSON.stringify(d)}, which Kiln does not know`);
  }
  return d;
}

function inputShape(config: Config, name: string, source: string): Dim[] {
  const raw = config.batch_input_shape ?? config.batch_shape ??
    (Array.isArray(config.input_shape) ? [null, ...config.input_shape] : undefined);
  if (!Array.isArray(raw) || raw.some((d) => d !== null && !Number.isInteger(d))) {
    throw new FormatError(`${source}: input '${name}' has no batch_input_shape/batch_shape; the model was saved before it was built`);
  }
  return raw.map((d: number | null, i) => (d !== null ? d : i === 0 ? BATCH : `${name}_d${i}`));
}

/** Adds a graph input for each model input, typed from its InputLayer (or first layer) config. */
function addInputs(ctx: LayersContext, model: ModelSpec, source: string): KerasTensor[] {
  const declare = (name: string, config: Config): KerasTensor => {
    const shape = inputShape(config, name, source);
    ctx.builder.addInput(name, { dtype: inputDType(config, name, source), shape });
    return { value: name, rank: shape.length };
  };
  if (model.kind === 'sequential') return [declare(model.inputName, model.inputConfig)];
  return model.inputs.map((ref) => {
    const layer = model.layers.find((l) => l.name === ref.layer);
    if (layer?.className !== 'InputLayer') {
      throw new FormatError(`${source}: model input '${ref.layer}' is not an InputLayer`);
    }
    return declare(layer.name, layer.config);
  });
}

/**
 * Imports a TF.js layers model. `modelJson` is the parsed model.json, `dir` the folder of its
 * weight shards, `source` the file named in messages.
 */
export function importLayersModel(modelJson: object, dir: ShardSource, source: string): Graph {
  if (!isObject(modelJson)) throw new FormatError(`${source}: model.json is not a JSON object`);
  const topo = readTopology(modelJson, source);
  const model = parseModel(topo.className, topo.config, source);
  const manifest = modelJson.weightsManifest as WeightsManifest | undefined;
  const weights = new LayerWeights(manifest ? loadTfjsWeights(manifest, dir, source) : new Map());

  const builder = new GraphBuilder(model.name, { format: 'tfjs-layers', producer: topo.kerasVersion || undefined });
  const ctx = new LayersContext(builder, weights, topo.kerasVersion, source);
  const outputs = new ModelWalker(ctx).run(model, addInputs(ctx, model, source), []);
  if (ctx.unsupported.size) throw new UnsupportedOpsError('TF.js layers', ctx.unsupported);
  builder.setOutputs(outputs.map((o) => o!.value));
  return inferShapes(builder.build());
}
