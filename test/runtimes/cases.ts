// The seeded checks every runtime runs (Node in-process, Deno and Bun on dist/brainwire.js, Chromium on
// the page): training with swaps on a classification, a regression and an embedding task, then ACDC.
// Plain data, so Deno and Bun import this file as it is.
export interface CheckCase {
  task: string;
  mode: string;
  seed: number;
  steps: number;
  tau?: number;
}

export const CHECK_CASES: CheckCase[] = [
  { task: "two-moons", mode: "bimt", seed: 1, steps: 600 },
  { task: "symbolic-independence", mode: "bimt", seed: 0, steps: 600 },
  { task: "permutation-s4", mode: "l1+swap", seed: 0, steps: 200, tau: 1e-2 },
];

/** Transformer checks: a short seeded run with swaps (attention, LayerNorm, AdamW; GELU, vector input, MSE). */
export interface TransformerCheckCase {
  task: string;
  mode: string;
  seed: number;
  steps: number;
  swapEvery: number;
}

export const TRANSFORMER_CHECK_CASES: TransformerCheckCase[] = [
  { task: "induction", mode: "bimt", seed: 1, steps: 30, swapEvery: 10 },
  { task: "icl-regression", mode: "bimt", seed: 0, steps: 40, swapEvery: 10 },
];
