// The algorithmic tasks of Liu et al. §4.3: a binary operation on a finite set, every pair (a, b) once,
// inputs are the two token ids, the label is the id of a ∘ b. A learned embedding (tokens × 32) turns the
// two tokens into the 64 inputs (inFold 2). Split: a seeded permutation of all pairs, the first
// floor(0.8 · N) train (Python's int(0.8 * N), as the reference), the rest test.
import { Rng } from "../engine/random.ts";
import type { Dataset, Task, TrainSettings } from "./types.ts";
import { splitByOrder, trainCount } from "./split.ts";
import { mlpSettings } from "./reference-settings.ts";

export const MODULUS = 59;
const EMBED_DIM = 32;
const TRAIN_FRACTION = 0.8;

/** All tokens² pairs in row-major order (a slow, b fast), labelled by op, then split. */
export function pairsDataset(tokens: number, op: (a: number, b: number) => number, seed: number): Dataset {
  const n = tokens * tokens;
  const x = new Int32Array(n * 2);
  const y = new Int32Array(n);
  for (let a = 0; a < tokens; a++) {
    for (let b = 0; b < tokens; b++) {
      const i = a * tokens + b;
      x[2 * i] = a;
      x[2 * i + 1] = b;
      y[i] = op(a, b);
    }
  }
  const order = new Rng(seed).permutation(n);
  const { train, test } = splitByOrder(x, 2, y, 1, order, trainCount(n, TRAIN_FRACTION));
  return {
    kind: "classification",
    inputDim: 2,
    outputDim: tokens,
    tokens,
    train,
    test,
    inputNames: ["a", "b"],
    outputNames: Array.from({ length: tokens }, (_, i) => String(i)),
  };
}

function embeddingSettings(tokens: number, rest: Partial<TrainSettings>): TrainSettings {
  return mlpSettings({
    model: { shape: [2 * EMBED_DIM, 50, 50, tokens], layout: "line", inFold: 2, embed: { tokens, dim: EMBED_DIM } },
    loss: "ce",
    steps: 20000,
    lr: 1e-3,
    lambda: [],
    l0: 0.5,
    costForm: "mean",
    topK: 30,
    ...rest,
  });
}

export const modularAddition: Task = {
  name: "modular-addition",
  description:
    `(a + b) mod ${MODULUS}: all ${MODULUS}^2 pairs, 80% train; tokens embedded (${MODULUS} x ${EMBED_DIM}).`,
  settings: embeddingSettings(MODULUS, {
    lr: 1e-3,
    lambda: [
      { from: 0, value: 0.1 },
      { from: 5000, value: 1 },
      { from: 15000, value: 0.1 },
    ],
    weightFactor: 2,
  }),
  make: (_engine, seed) => pairsDataset(MODULUS, (a, b) => (a + b) % MODULUS, seed),
};

/**
 * S4 in lexicographic order of one-line notation: index 0 is [0,1,2,3] (identity), 1 is [0,1,3,2], …,
 * 23 is [3,2,1,0]. perms[i][k] is the image of k under σ_i.
 */
export const S4: readonly (readonly number[])[] = lexicographicPermutations(4);

function lexicographicPermutations(m: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) out.push(prefix);
    for (let i = 0; i < rest.length; i++) walk([...prefix, rest[i]], [...rest.slice(0, i), ...rest.slice(i + 1)]);
  };
  walk([], Array.from({ length: m }, (_, i) => i));
  return out;
}

/** Index of σa∘σb, where (σa∘σb)(k) = σa(σb(k)): σb is applied first. */
export function composeS4(a: number, b: number): number {
  const sa = S4[a];
  const sb = S4[b];
  const c = sb.map((v) => sa[v]);
  return S4.findIndex((p) => p.every((v, k) => v === c[k]));
}

export const permutationS4: Task = {
  name: "permutation-s4",
  description:
    "Composition sigma_a o sigma_b in S4 (sigma_b applied first): all 576 pairs, 80% train; embedding 24 x 32.",
  settings: embeddingSettings(24, {
    lr: 2e-3,
    lambda: [{ from: 0, value: 1 }],
    weightFactor: 1,
    swapWeightFactor: 2,
  }),
  make: (_engine, seed) => {
    const ds = pairsDataset(S4.length, composeS4, seed);
    ds.inputNames = ["sigma_a", "sigma_b"];
    ds.outputNames = S4.map((p) => p.join(""));
    return ds;
  },
};
