// Any brainwire model file: version 1 is an MLP (io.ts), version 2 with kind "transformer" a
// transformer (transformer-io.ts). One loader dispatches on version and kind, so every face reads
// both while the MLP files keep loading exactly as before.
import { checkFormat, describe, modelHash, ModelFormatError, parseJsonText, serializeModel, validateSnapshot } from "./io.ts";
import { MODEL_VERSION, type ModelSnapshot } from "./spec.ts";
import {
  serializeTransformer, transformerHash, TRANSFORMER_VERSION, validateTransformerSnapshot, type TransformerSnapshot,
} from "./transformer-io.ts";

export type AnyModelSnapshot = ModelSnapshot | TransformerSnapshot;

export function isTransformerSnapshot(s: AnyModelSnapshot): s is TransformerSnapshot {
  return (s as TransformerSnapshot).kind === "transformer";
}

/** Validates a model of either kind; the error names the field, as each kind's validator does. */
export function validateAnyModel(value: unknown): AnyModelSnapshot {
  checkFormat(value);
  const version = (value as { version?: unknown }).version;
  if (version === MODEL_VERSION) return validateSnapshot(value);
  if (version === TRANSFORMER_VERSION) return validateTransformerSnapshot(value);
  throw new ModelFormatError(`version: unsupported version ${describe(version)} ` +
    `(supported: ${MODEL_VERSION} for MLPs, ${TRANSFORMER_VERSION} for transformers)`);
}

export function parseAnyModel(text: string): AnyModelSnapshot {
  return validateAnyModel(parseJsonText(text));
}

export function serializeAnyModel(s: AnyModelSnapshot): string {
  return isTransformerSnapshot(s) ? serializeTransformer(s) : serializeModel(s);
}

export function anyModelHash(s: AnyModelSnapshot): string {
  return isTransformerSnapshot(s) ? transformerHash(s) : modelHash(s);
}
