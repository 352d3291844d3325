// Kiln's public API: import a model into the canonical graph IR, compile it to a .kiln artifact
// (compileModel), run that with the runtime (load) or run the graph with the reference executor.
export * from './errors.js';
export type { DType } from './ir/dtype.js';
export type { Dim, Shape } from './ir/shape.js';
export { Tensor } from './ir/tensor.js';
export type { Attrs, AttrValue, Graph, ModelMeta, Node, ValueInfo } from './ir/graph.js';
export { printGraph } from './ir/print.js';
export { loadModel, withInputShapes } from './frontend/load.js';
export { importOnnx, decodeTensorProto } from './frontend/onnx/import.js';
export { importTfjsGraphModel } from './frontend/tfjs/import.js';
export { loadTfjsWeights } from './frontend/tfjs/weights.js';
export { importLayersModel } from './frontend/layers/import.js';
export { importGraphDef } from './frontend/graphdef/import.js';
export { inferShapes } from './passes/infer-shapes.js';
export { execute, checkFeeds, type Feeds, type ExecuteOptions } from './reference/execute.js';
export { parseNpy, readNpy, serializeNpy, writeNpy } from './io/npy.js';
export { randomTensor, rng } from './io/random.js';
export { compileModel, importModel, signature, type CompileModelOptions, type CompiledModel, type ModelOptions, type ModelSource, type ValueSignature } from './api/compile.js';
export { compile, prepareGraph, COMPILE_TARGETS, type CompileOptions, type CompileReport, type CompileResult, type CompileTarget } from './compile/compile.js';
export { WEIGHT_ENCODINGS, type WeightEncoding } from './artifact/half-weights.js';
export { load, Session, profileArtifact, type Feed, type Profile, type KernelTime } from './runtime/index.js';
