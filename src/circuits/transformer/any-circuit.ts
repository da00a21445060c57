// Any brainwire circuit file: version 1 is an MLP circuit (circuit-io.ts), version 2 a transformer
// circuit (circuit-file.ts). One reader dispatches on the version, as model-file.ts does for models.
import { CircuitFormatError, parseCircuit, validateCircuit, type Circuit } from "../circuit-io.ts";
import { isTxCircuit, validateTxCircuit, type TxCircuit } from "./circuit-file.ts";

export type AnyCircuit = Circuit | TxCircuit;

export function isTransformerCircuit(c: AnyCircuit): c is TxCircuit {
  return (c as TxCircuit).kind === "transformer";
}

/** Validates a circuit of either kind (without a model); the error names the field. */
export function validateAnyCircuit(value: unknown): AnyCircuit {
  return isTxCircuit(value) ? validateTxCircuit(value) : validateCircuit(value);
}

/** Parses a circuit file of either kind. */
export function parseAnyCircuit(text: string): AnyCircuit {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseCircuit(text); // its message says why the text is not a circuit
  }
  if (isTxCircuit(value)) return validateTxCircuit(value);
  if (typeof value !== "object" || value === null) throw new CircuitFormatError("invalid circuit: expected a JSON object");
  return parseCircuit(text);
}
