// Keras model configs as the layers importer reads them: a model is sequential or functional,
// and every layer call's inputs become (layer, node, tensor) references whatever the Keras version wrote.
import { FormatError } from '../../errors.js';

export type Config = Readonly<Record<string, unknown>>;

export interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
}

export interface LayerSpec {
  readonly name: string;
  readonly className: string;
  readonly config: Config;
  /** The inputs of each call of the layer inside its model, in call order. */
  readonly calls: readonly (readonly TensorRef[])[];
}

export interface SequentialSpec {
  readonly kind: 'sequential';
  readonly name: string;
  /** Layers in order, InputLayer excluded. */
  readonly layers: readonly LayerSpec[];
  /** The input's config: an explicit InputLayer's, else the first layer's (which holds batch_input_shape). */
  readonly inputConfig: Config;
  readonly inputName: string;
}

export interface FunctionalSpec {
  readonly kind: 'functional';
  readonly name: string;
  readonly layers: readonly LayerSpec[];
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorRef[];
  /**
   * First node index of each layer's serialized calls. Keras counts a nested model's own
   * construction as its node 0 without serializing it, so references to such a layer start at 1.
   */
  readonly nodeOffset: ReadonlyMap<string, number>;
}

export type ModelSpec = SequentialSpec | FunctionalSpec;

export const MODEL_CLASSES: ReadonlySet<string> = new Set(['Sequential', 'Model', 'Functional']);

export function isObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a model's `class_name` + `config`; `where` names the model file in messages. */
export function parseModel(className: string, config: unknown, where: string): ModelSpec {
  if (className === 'Sequential') return parseSequential(config, where);
  if (className === 'Model' || className === 'Functional') return parseFunctional(config, where);
  throw new FormatError(`${where}: model class '${className}' is not Sequential, Model or Functional`);
}

function parseSequential(config: unknown, where: string): SequentialSpec {
  // Keras before 2.2.3 wrote the layer list itself as the config
  const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  const name = isObject(config) && typeof config.name === 'string' ? config.name : 'sequential';
  if (!Array.isArray(list) || list.length === 0) {
    throw new FormatError(`${where}: Sequential model '${name}' has no layers`);
  }
  const all = list.map((l, i) => parseLayer(l, `${where}: layer ${i} of '${name}'`, false));
  const layers = all.filter((l) => l.className !== 'InputLayer');
  const explicit = all.find((l) => l.className === 'InputLayer');
  if (!layers.length) throw new FormatError(`${where}: Sequential model '${name}' has only an InputLayer`);
  return {
    kind: 'sequential', name, layers,
    inputConfig: explicit?.config ?? layers[0].config,
    inputName: explicit?.name ?? `${layers[0].name}_input`,
  };
}

function parseFunctional(config: unknown, where: string): FunctionalSpec {
  if (!isObject(config) || !Array.isArray(config.layers)) {
    throw new FormatError(`${where}: functional model config has no 'layers' list`);
  }
  const name = typeof config.name === 'string' ? config.name : 'model';
  const layers = config.layers.map((l, i) => parseLayer(l, `${where}: layer ${i} of '${name}'`, true));
  const inputs = parseEndpoints(config.input_layers, `${where}: input_layers of '${name}'`);
  const outputs = parseEndpoints(config.output_layers, `${where}: output_layers of '${name}'`);

  const byName = new Map(layers.map((l) => [l.name, l]));
  const maxRef = new Map<string, number>();
  const refs = [...layers.flatMap((l) => l.calls.flat()), ...inputs, ...outputs];
  for (const r of refs) {
    if (!byName.has(r.layer)) throw new FormatError(`${where}: '${name}' refers to layer '${r.layer}', which it does not define`);
    maxRef.set(r.layer, Math.max(maxRef.get(r.layer) ?? 0, r.node));
  }
  const nodeOffset = new Map<string, number>();
  for (const l of layers) {
    const calls = l.className === 'InputLayer' ? 1 : l.calls.length;
    nodeOffset.set(l.name, (maxRef.get(l.name) ?? 0) >= calls ? 1 : 0);
  }
  return { kind: 'functional', name, layers, inputs, outputs, nodeOffset };
}

function parseLayer(raw: unknown, where: string, functional: boolean): LayerSpec {
  if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config) && !Array.isArray(raw.config)) {
    throw new FormatError(`${where}: expected an object with 'class_name' and 'config'`);
  }
  const config = (raw.config ?? {}) as Config;
  const name = typeof raw.name === 'string' ? raw.name : typeof config.name === 'string' ? config.name : '';
  if (!name) throw new FormatError(`${where}: ${raw.class_name} layer has no name`);
  const at = `${where} ('${name}')`;
  const calls = functional && Array.isArray(raw.inbound_nodes)
    ? raw.inbound_nodes.map((n) => parseCall(n, at)) : [];
  return { name, className: raw.class_name, config, calls };
}

/** One inbound node: the old list of [layer, node, tensor, kwargs] or Keras 3's {args, kwargs}. */
function parseCall(node: unknown, where: string): TensorRef[] {
  if (Array.isArray(node)) {
    if (node.length > 0 && typeof node[0] === 'string') return [parseRef(node, where)];
    return node.map((entry) => parseRef(entry, where));
  }
  if (isObject(node) && Array.isArray(node.args)) {
    const refs: TensorRef[] = [];
    collectKerasTensors(node.args, refs, where);
    return refs;
  }
  throw new FormatError(`${where}: cannot read inbound node ${JSON.stringify(node).slice(0, 80)}`);
}

/** Keras 3 writes call arguments as nested lists holding `__keras_tensor__` objects. */
function collectKerasTensors(arg: unknown, out: TensorRef[], where: string): void {
  if (Array.isArray(arg)) {
    for (const a of arg) collectKerasTensors(a, out, where);
  } else if (isObject(arg) && arg.class_name === '__keras_tensor__' && isObject(arg.config)) {
    out.push(parseRef(arg.config.keras_history, where));
  }
}

function parseRef(entry: unknown, where: string): TensorRef {
  if (Array.isArray(entry) && typeof entry[0] === 'string' &&
    Number.isInteger(entry[1] ?? 0) && Number.isInteger(entry[2] ?? 0)) {
    return { layer: entry[0], node: (entry[1] ?? 0) as number, tensor: (entry[2] ?? 0) as number };
  }
  throw new FormatError(`${where}: bad tensor reference ${JSON.stringify(entry)?.slice(0, 80)}`);
}

/** input_layers / output_layers: a list of references, or a single one (Keras 3, one endpoint). */
function parseEndpoints(raw: unknown, where: string): TensorRef[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new FormatError(`${where}: expected a non-empty list`);
  if (typeof raw[0] === 'string') return [parseRef(raw, where)];
  return raw.map((r) => parseRef(r, where));
}
