// The memory budget: a run is refused, with the number, before anything is allocated when its buffers
// would not fit. The default (ours) is 2 GiB, half of what 32-bit WebAssembly can address; every face
// lets a user raise or lower it (CLI --memory-budget, the library's memoryBudget, the server's option).
// The estimates count the big buffers of the training loop and of discovery (4-byte elements), not the
// few small ones, so they are a little low, never wildly high.
import type { ModelSpec } from "../model/spec.ts";
import { UserError } from "./user-error.ts";

export const DEFAULT_MEMORY_BUDGET = 2 * 1024 ** 3;

function paramCount(spec: ModelSpec): { weights: number; total: number } {
  let weights = 0;
  let total = 0;
  for (let l = 0; l + 1 < spec.shape.length; l++) {
    weights += spec.shape[l] * spec.shape[l + 1];
    total += spec.shape[l] * spec.shape[l + 1] + spec.shape[l + 1];
  }
  if (spec.embed) total += spec.embed.tokens * spec.embed.dim;
  return { weights, total };
}

/**
 * Training: parameters, gradient and Adam's two moments (4 × all parameters), the connection cost's
 * coefficient and distance per weight (2 × weights), a JS copy of the parameters at init and save
 * (2 ×), the batch's activations and gradients (≈ 4 × batch × neurons), and the data uploaded once.
 */
export function trainingBytes(spec: ModelSpec, batch: number, rows: number, width: number): number {
  const { weights, total } = paramCount(spec);
  const neurons = spec.shape.reduce((a, b) => a + b, 0);
  return 4 * (6 * total + 2 * weights + 4 * batch * neurons + rows * width);
}

/**
 * Discovery: the model, a masked copy and a transposed copy of every weight (3 × parameters), and per
 * example the clean, corrupted and cached activations of every neuron and their differences (≈ 6 ×
 * examples × neurons), for the discovery examples and the held-out ones.
 */
export function discoveryBytes(spec: ModelSpec, examples: number, heldOut: number): number {
  const { total } = paramCount(spec);
  const neurons = spec.shape.reduce((a, b) => a + b, 0);
  return 4 * (3 * total + 6 * (examples + heldOut) * neurons);
}

/** 32-bit WebAssembly addresses at most 4 GiB, whatever the budget says. */
const WASM_LIMIT = 4 * 1024 ** 3;

export function checkBudget(field: string, what: string, bytes: number, budget: number): void {
  if (bytes > WASM_LIMIT) {
    throw new UserError(field, `${what} needs about ${formatBytes(bytes)} of memory, more than the 4 GiB ` +
      "WebAssembly can address");
  }
  if (bytes > budget) {
    throw new UserError(field, `${what} needs about ${formatBytes(bytes)} of memory, over the budget of ` +
      `${formatBytes(budget)} (raise it with --memory-budget, or memoryBudget in the library)`);
  }
}

export function formatBytes(n: number): string {
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}
