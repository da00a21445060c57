// Induction (Olsson et al. 2022): random tokens with one repeated random segment; predicting the copy
// needs "find the earlier occurrence of this token, read what came after it". Layout per sequence
// (ctx + 1 tokens, inputs are the first ctx and targets the last ctx):
//   prefix (p) · segment (L) · gap (g) · copy of the segment (L) · suffix
// L, p and g are drawn per sequence, so neither the copy's start nor its length is fixed: with one
// fixed layout a model wins by position alone, with no induction head. The segment's L tokens are
// distinct and the other positions draw from the remaining vocab−L tokens, so every copy token has
// exactly one earlier occurrence. The loss counts the positions whose next token is copy token 1 … L−1
// (copy token 0 follows a random gap token and cannot be predicted).
import { Rng } from "../../engine/random.ts";
import type { TransformerSpec } from "../../model/transformer-spec.ts";
import type { SeqDataset, SeqSplit, SeqTask, SeqTrainSettings } from "../sequence-types.ts";
import { seqSettings, threePhaseLambda } from "./reference-settings.ts";

export interface InductionOptions {
  vocab: number;
  ctx: number;
  /** Segment length range, inclusive. */
  minLength: number;
  maxLength: number;
  nTrain: number;
  nTest: number;
}

export const INDUCTION_REFERENCE: InductionOptions = {
  vocab: 32, ctx: 24, minLength: 4, maxLength: 10, nTrain: 20_000, nTest: 2_000,
};

export function checkInductionOptions(o: InductionOptions): void {
  const { vocab, ctx, minLength, maxLength } = o;
  if (!(Number.isInteger(minLength) && minLength >= 2 && maxLength >= minLength && Number.isInteger(maxLength))) {
    throw new Error(`induction: segment lengths must satisfy 2 ≤ minLength ≤ maxLength, got ${minLength}…${maxLength}`);
  }
  if (2 * maxLength > ctx + 1) {
    throw new Error(`induction: a segment of ${maxLength} and its copy do not fit in ctx + 1 = ${ctx + 1} tokens`);
  }
  if (vocab <= maxLength) throw new Error(`induction: vocab ${vocab} must exceed maxLength ${maxLength}`);
}

/**
 * Train and test come from one seeded stream (train first). For each sequence, in draw order: L, the
 * segment's tokens (a partial Fisher–Yates shuffle of the vocabulary), p, g, the filler tokens left to
 * right, then the corrupted first occurrence (fresh fillers).
 */
export function inductionDataset(seed: number, o: InductionOptions = INDUCTION_REFERENCE): SeqDataset {
  checkInductionOptions(o);
  const rng = new Rng(seed);
  const train = inductionSplit(rng, o, o.nTrain);
  const test = inductionSplit(rng, o, o.nTest);
  return { kind: "classification", ctx: o.ctx, vocab: o.vocab, outDim: o.vocab, train, test };
}

function inductionSplit(rng: Rng, o: InductionOptions, n: number): SeqSplit {
  const { vocab, ctx } = o;
  const total = ctx + 1;
  const x = new Int32Array(n * ctx);
  const y = new Int32Array(n * ctx);
  const mask = new Uint8Array(n * ctx);
  const corrupted = new Int32Array(n * ctx);
  const first = new Int32Array(n);
  const copy = new Int32Array(n);
  const length = new Int32Array(n);
  const tokens = new Int32Array(vocab);
  const seq = new Int32Array(total);
  for (let s = 0; s < n; s++) {
    const L = o.minLength + rng.int(o.maxLength - o.minLength + 1);
    // tokens[0..L) is the segment, tokens[L..vocab) the fillers' pool.
    for (let i = 0; i < vocab; i++) tokens[i] = i;
    for (let i = 0; i < L; i++) {
      const j = i + rng.int(vocab - i);
      const t = tokens[i];
      tokens[i] = tokens[j];
      tokens[j] = t;
    }
    const slack = total - 2 * L;
    const p = rng.int(slack + 1);
    const g = rng.int(slack - p + 1);
    const c = p + L + g;
    for (let t = 0; t < total; t++) {
      if (t >= p && t < p + L) seq[t] = tokens[t - p];
      else if (t >= c && t < c + L) seq[t] = tokens[t - c];
      else seq[t] = tokens[L + rng.int(vocab - L)];
    }
    const row = s * ctx;
    x.set(seq.subarray(0, ctx), row);
    y.set(seq.subarray(1, total), row);
    corrupted.set(seq.subarray(0, ctx), row);
    for (let t = p; t < p + L; t++) corrupted[row + t] = tokens[L + rng.int(vocab - L)];
    for (let t = c; t <= c + L - 2; t++) mask[row + t] = 1; // next token is copy token t − c + 1
    first[s] = p;
    copy[s] = c;
    length[s] = L;
  }
  return { n, x, y, mask, corrupted, repeat: { first, copy, length } };
}

/** Model A of the bench: 2-layer attention-only, 4 heads × 16, LayerNorm, learned positions. */
export function inductionModel(o: InductionOptions = INDUCTION_REFERENCE): TransformerSpec {
  return {
    kind: "transformer", vocab: o.vocab, outDim: o.vocab, ctx: o.ctx, dModel: 64, nHeads: 4, dHead: 16,
    nLayers: 2, dMlp: 0, norm: "layernorm", act: "gelu", positions: true, unembedBias: false,
  };
}

const STEPS = 3000;

// Ours throughout (no reference run exists): the icl-regression schedule's shape (λ ×10 at steps/4
// and at 3·steps/4), ten times higher (the λ that shortens wires without costing accuracy: with the
// icl values BIMT's wires are barely shorter than l1's), and its A and l0. Induction heads form
// within ~1,500 steps at batch 64 (test accuracy 1.0 in every mode).
export const inductionSettings: SeqTrainSettings = seqSettings({
  model: inductionModel(),
  loss: "ce",
  steps: STEPS,
  batch: 64,
  lambda: threePhaseLambda(STEPS, [1e-2, 1e-1, 1]),
});

export const induction: SeqTask = {
  family: "transformer",
  name: "induction",
  description: "Induction: random tokens (vocab 32, ctx 24) with a repeated segment of 4-10 distinct tokens at a " +
    "random place; cross-entropy on the copy. 20,000 train / 2,000 test sequences.",
  settings: inductionSettings,
  make: (_engine, seed) => inductionDataset(seed),
};
