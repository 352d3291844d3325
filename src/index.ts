// Kiln's public API: load or import a model into the canonical graph IR, run it with the
// reference executor, and exchange tensors as .npy.
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
