// The typed surface of the WASM module: one interface per kernel family, each with a table of its
// kernels' parameter counts. The compiler checks each table against its interface (every kernel
// listed, with the interface's arity); bindKernels checks the module against the tables when an
// engine loads it, so `Engine.k` is typed by a check, not by a cast.
import { CORE_ARITY, type CoreAbi } from "./core.ts";
import { MATH_ARITY, type MathAbi } from "./math.ts";
import { GEMM_ARITY, type GemmAbi } from "./gemm.ts"; // assembly/gemm.ts
import { OPS_ARITY, type OpsAbi } from "./ops.ts"; // assembly/{nn,loss,adam,cost,swap,data}.ts
import { CIRCUITS_ARITY, type CircuitsAbi } from "./circuits.ts"; // assembly/{ablate*,sparse}.ts
import { TRANSFORMER_ARITY, type TransformerAbi } from "./transformer.ts"; // assembly/{attention,layernorm,activation,seq-loss}.ts, adamw
import { TRANSFORMER_CIRCUITS_ARITY, type TransformerCircuitsAbi } from "./transformer-circuits.ts"; // assembly/tx-patch.ts
import type { Arity } from "./arity.ts";

export type { Arity } from "./arity.ts";

export type Kernels = CoreAbi & MathAbi & GemmAbi & OpsAbi & CircuitsAbi & TransformerAbi & TransformerCircuitsAbi;

/** Every kernel the host calls, with its parameter count (a new family adds its table here). */
export const KERNEL_ARITY: Arity<Kernels> = {
  ...CORE_ARITY,
  ...MATH_ARITY,
  ...GEMM_ARITY,
  ...OPS_ARITY,
  ...CIRCUITS_ARITY,
  ...TRANSFORMER_ARITY,
  ...TRANSFORMER_CIRCUITS_ARITY,
};

/**
 * The module's exports as `Kernels`, after checking that linear memory is exported and that every
 * kernel of KERNEL_ARITY is a function with that many parameters; throws naming the first mismatch.
 */
export function bindKernels(exports: WebAssembly.Exports): Kernels {
  checkKernels(exports);
  return exports;
}

function checkKernels(exports: WebAssembly.Exports): asserts exports is WebAssembly.Exports & Kernels {
  if (!(exports.memory instanceof WebAssembly.Memory)) throw new Error("WASM module: no exported memory");
  for (const [name, arity] of Object.entries(KERNEL_ARITY) as [string, number][]) {
    const f = exports[name];
    if (typeof f !== "function") throw new Error(`WASM module: kernel ${name} is missing (rebuild with npm run build)`);
    if (f.length !== arity) {
      throw new Error(`WASM module: kernel ${name} takes ${f.length} parameters, the ABI says ${arity}`);
    }
  }
}
