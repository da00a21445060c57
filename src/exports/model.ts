// brainwire/model: the MLP in WASM memory, its passes and files (src/model).
export { Mlp, paramLayout, type ParamLayout } from "../model/mlp.ts";
export { Pass, predict as forward, uploadInputs, type InputBuf } from "../model/pass.ts";
export { fnv1a64, modelHash, ModelFormatError, parseModel, serializeModel, validateSnapshot } from "../model/io.ts";
export { MODEL_FORMAT, MODEL_VERSION, type Layout, type ModelSnapshot, type ModelSpec } from "../model/spec.ts";
export { layerCoords, type LayerCoords } from "../model/coords.ts";
export { exportSafetensors, importSafetensors, type SafetensorsImportOptions } from "../model/safetensors.ts";

// Transformers: the model, its passes, and the attention-score ground truth.
export { Transformer, INIT_STD } from "../model/transformer.ts";
export { TransformerPass, LN_EPS } from "../model/transformer-pass.ts";
export { transformerTensors, checkTransformerSpec, type TransformerSpec, type TensorSlot, type TransformerLayout } from "../model/transformer-spec.ts";
export { attentionScores, scoreAttention, type AttentionScores, type HeadScore } from "../model/attention-scores.ts";
