// Opens a model file of any supported format and returns its canonical graph; fixes
// symbolic input dims to concrete sizes (`--shape`) or inputs to values (`--freeze`) and
// re-infers the graph's types.
import { statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { FormatError, InputError, IoError, ShapeError } from '../errors.js';
import type { Graph, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { fmtShape, type Dim } from '../ir/shape.js';
import { describeFsError, readBytes, readText } from '../io/files.js';
import { sniffFile } from '../io/sniff.js';
import { inferShapes } from '../passes/infer-shapes.js';
import type { TfImportOptions } from './tf/convert.js';

export const READABLE_FORMATS =
  'an ONNX model (.onnx), a TensorFlow frozen GraphDef (.pb), a TF.js model.json (graph or layers model) or the folder holding it';

/** What a user fixes at load time: `--shape` dims and `--freeze` input values. */
export type LoadOptions = TfImportOptions;

/**
 * Loads MODEL: a `.onnx` file, a `.pb` frozen GraphDef, a TF.js `model.json` (any `.json`
 * name) or a folder holding `model.json`. Importers load lazily so a run pays only for its format.
 * `given` shapes and values are applied after import; a TF importer also uses them during import,
 * for inputs of unknown rank and for tf.cond predicates that follow from frozen inputs, and the ONNX
 * importer uses both, for If conditions that test a dim or a frozen input (the branch not taken may
 * not even type for those shapes).
 */
export async function loadModel(path: string, given: LoadOptions = {}): Promise<Graph> {
  const file = resolveModelFile(path);
  // the importers have made the values constants already (and checked their names)
  return applyGiven(await importModel(file, given), given, ['.pb', '.json', '.onnx'].includes(modelFormat(file)));
}

/** Fixes the given shapes after import, and freezes the given values unless the importer has (`consumed`). */
export function applyGiven(imported: Graph, given: LoadOptions, consumed: boolean): Graph {
  let g = imported;
  if (given.shapes && Object.keys(given.shapes).length) g = withInputShapes(g, given.shapes);
  return given.values && Object.keys(given.values).length && !consumed ? freezeInputs(g, given.values) : g;
}

/** The format by the file's first bytes; its extension only where the bytes do not tell (an ONNX model opening unusually). */
function modelFormat(file: string): string {
  const kind = sniffFile(file);
  if (kind === 'kiln') {
    throw new InputError(`${file} is a compiled Kiln artifact, not a model; kiln run, inspect, bench and profile take it as it is, and compiling it again needs the original model`);
  }
  if (kind === 'png' || kind === 'jpeg' || kind === 'npy') throw new InputError(`${file} is a ${kind === 'npy' ? '.npy array' : `${kind.toUpperCase()} image`}, not a model; Kiln reads ${READABLE_FORMATS}`);
  return kind === 'onnx' ? '.onnx' : kind === 'graphdef' && extname(file).toLowerCase() !== '.onnx' ? '.pb' : kind === 'json' ? '.json' : extname(file).toLowerCase();
}

async function importModel(file: string, given: LoadOptions): Promise<Graph> {
  switch (modelFormat(file)) {
    case '.onnx': {
      const { importOnnx } = await import('./onnx/import.js');
      return importOnnx(readBytes(file), file, { shapes: given.shapes, values: given.values });
    }
    case '.pb': {
      const { importGraphDef } = await import('./graphdef/import.js');
      return importGraphDef(readBytes(file), file, given);
    }
    case '.json':
      return loadTfjsModel(file, given);
    default:
      throw new InputError(`${file}: unknown model format '${extname(file) || basename(file)}'; Kiln reads ${READABLE_FORMATS}`);
  }
}

/** The model file PATH names: itself, or the model.json in a folder. */
export function resolveModelFile(path: string): string {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new IoError(describeFsError(path, e));
  }
  if (!isDir) return path;
  const json = join(path, 'model.json');
  try {
    statSync(json);
  } catch {
    throw new IoError(`${path} is a folder without a model.json; give the model file itself (Kiln reads ${READABLE_FORMATS})`);
  }
  return json;
}

async function loadTfjsModel(file: string, given: LoadOptions): Promise<Graph> {
  let json: unknown;
  try {
    json = JSON.parse(readText(file));
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new FormatError(`${file}: not valid JSON (${e.message}); expected a TF.js model.json`);
  }
  const kind = tfjsModelKind(json);
  if (!kind) {
    throw new FormatError(`${file}: not a TF.js model.json (no modelTopology with a graph or a Keras model config)`);
  }
  const dir = dirname(file);
  if (kind === 'graph') {
    const { importTfjsGraphModel } = await import('./tfjs/import.js');
    return importTfjsGraphModel(json as object, dir, file, given);
  }
  const { importLayersModel } = await import('./layers/import.js');
  return importLayersModel(json as object, dir, file);
}

/** 'graph' or 'layers' from the model.json's `format`, else from the topology's shape. */
export function tfjsModelKind(json: unknown): 'graph' | 'layers' | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { format, modelTopology: topo } = json as { format?: unknown; modelTopology?: unknown };
  if (format === 'graph-model') return 'graph';
  if (format === 'layers-model') return 'layers';
  if (typeof topo !== 'object' || topo === null) return undefined;
  if (Array.isArray((topo as { node?: unknown }).node)) return 'graph';
  if ('model_config' in topo || 'class_name' in topo) return 'layers';
  return undefined;
}

/**
 * Fixes input shapes: each given shape must agree with the model's (same rank, equal static
 * dims). A symbolic dim fixed in one input is fixed under the same name in every input.
 */
export function withInputShapes(g: Graph, shapes: Readonly<Record<string, readonly number[]>>): Graph {
  const bound = new Map<string, number>();
  for (const [name, given] of Object.entries(shapes)) {
    const info = g.values.get(name);
    if (!g.inputs.includes(name) || !info) {
      throw new InputError(`--shape names '${name}', which is not an input of the model; its inputs are ${listInputs(g)}`);
    }
    const contradiction = () => new ShapeError(
      `--shape ${name}=${given.join(',')} contradicts the model: input '${name}' has shape ${fmtShape(info.shape)}, ` +
      `given ${fmtShape(given)}; only symbolic dims can be set`);
    if (given.length !== info.shape.length) throw contradiction();
    info.shape.forEach((d, i) => {
      if (typeof d === 'number') { if (d !== given[i]) throw contradiction(); return; }
      const prev = bound.get(d);
      if (prev !== undefined && prev !== given[i]) {
        throw new ShapeError(`--shape gives dim '${d}' two sizes, ${prev} and ${given[i]}; inputs sharing a dim name must agree`);
      }
      bound.set(d, given[i]);
    });
  }
  const values = new Map(g.values);
  for (const name of g.inputs) {
    const info = g.values.get(name)!;
    const shape = info.shape.map((d: Dim) => (typeof d === 'string' ? bound.get(d) ?? d : d));
    values.set(name, { ...info, shape } satisfies ValueInfo);
  }
  return inferShapes({ ...g, values });
}

/**
 * `g` with each named input replaced by a constant of the given value (`--freeze`), so shapes
 * that follow from it (a Reshape's target, a Resize's sizes, a Range's limit) become static and
 * the model compiles. The value is then fixed: a compiled model no longer takes that input.
 */
export function freezeInputs(g: Graph, values: Readonly<Record<string, Tensor>>): Graph {
  for (const [name, t] of Object.entries(values)) checkFrozenValue(g, name, t);
  const frozen = new Set(Object.keys(values));
  const valuesOf = new Map(g.values);
  for (const [name, t] of Object.entries(values)) valuesOf.set(name, { dtype: t.dtype, shape: t.shape });
  return inferShapes({
    ...g,
    inputs: g.inputs.filter((n) => !frozen.has(n)),
    constants: new Map([...g.constants, ...Object.entries(values)]),
    values: valuesOf,
  });
}

/** Throws the error --freeze gives for a value that is not an input's or does not fit its type. */
export function checkFrozenValue(g: Pick<Graph, 'inputs' | 'values'>, name: string, t: Tensor): void {
  const info = g.values.get(name);
  if (!g.inputs.includes(name) || !info) {
    throw new InputError(`--freeze names '${name}', which is not an input of the model; its inputs are ${listInputs(g)}`);
  }
  if (t.dtype !== info.dtype) throw new InputError(`--freeze ${name}: input '${name}' is ${info.dtype} but the value is ${t.dtype}`);
  const fits = t.shape.length === info.shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
  if (!fits) throw new ShapeError(`--freeze ${name}: input '${name}' has shape ${fmtShape(info.shape)}, the value ${fmtShape(t.shape)}`);
}

export function listInputs(g: Pick<Graph, 'inputs' | 'values'>): string {
  return g.inputs.map((n) => {
    const info = g.values.get(n);
    return info ? `'${n}' (${info.dtype} ${fmtShape(info.shape)})` : `'${n}'`;
  }).join(', ');
}
