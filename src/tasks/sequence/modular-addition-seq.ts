// Modular addition as a sequence task (the grokking setting, Power et al. 2022; Nanda et al. 2023):
// the input is the three tokens `a b =` (numbers 0 … p−1, "=" is token p), the target of the last
// position is (a + b) mod p. Every pair once; a seeded permutation puts the first ⌊0.8·p²⌋ in train,
// as the MLP task modular-addition does, so the two models see the same split.
import { Rng } from "../../engine/random.ts";
import type { TransformerSpec } from "../../model/transformer-spec.ts";
import type { SeqDataset, SeqSplit, SeqTask, SeqTrainSettings } from "../sequence-types.ts";
import { seqSettings, threePhaseLambda } from "./reference-settings.ts";
import { trainCount } from "../split.ts";

const CTX = 3;

/** Targets are next tokens: b after a, "=" after b, the sum after "="; only the sum is scored. */
export function modularAdditionSeqDataset(p: number, seed: number, trainFraction = 0.8): SeqDataset {
  if (!Number.isInteger(p) || p < 2) throw new Error(`modular-addition-seq: modulus must be a whole number ≥ 2, got ${p}`);
  const n = p * p;
  const order = new Rng(seed).permutation(n);
  const nTrain = trainCount(n, trainFraction);
  const take = (idx: Int32Array): SeqSplit => {
    const x = new Int32Array(idx.length * CTX);
    const y = new Int32Array(idx.length * CTX);
    const mask = new Uint8Array(idx.length * CTX);
    for (let r = 0; r < idx.length; r++) {
      const a = Math.floor(idx[r] / p);
      const b = idx[r] % p;
      x.set([a, b, p], r * CTX);
      y.set([b, p, (a + b) % p], r * CTX);
      mask[r * CTX + 2] = 1;
    }
    return { n: idx.length, x, y, mask };
  };
  const tokenNames = [...Array.from({ length: p }, (_, i) => String(i)), "="];
  return {
    kind: "classification", ctx: CTX, vocab: p + 1, outDim: p + 1,
    train: take(order.subarray(0, nTrain)), test: take(order.subarray(nTrain)), tokenNames,
  };
}

/** One layer with an MLP, no LayerNorm, ReLU (Nanda et al.'s grokking model, narrower). */
export function modularAdditionSeqModel(p: number): TransformerSpec {
  return {
    kind: "transformer", vocab: p + 1, outDim: p + 1, ctx: CTX, dModel: 128, nHeads: 4, dHead: 32,
    nLayers: 1, dMlp: 512, norm: "none", act: "relu", positions: true, unembedBias: false,
  };
}

export const MODULUS_SEQ = 59;
const STEPS = 10_000;

// Ours: full batch (2,784 train sequences), AdamW with weight decay 1 as in the grokking runs, λ in
// the shape of the MLP task's schedule (0.1; 1 from steps/4; 0.1 from 3·steps/4) scaled by 1e-2.
export function modularAdditionSeqSettings(p: number): SeqTrainSettings {
  return seqSettings({
    model: modularAdditionSeqModel(p),
    loss: "ce",
    steps: STEPS,
    weightDecay: 1,
    batch: trainCount(p * p, 0.8),
    lambda: threePhaseLambda(STEPS, [1e-3, 1e-2, 1e-3]),
    topK: 30,
  });
}

export const modularAdditionSeq: SeqTask = {
  family: "transformer",
  name: "modular-addition-seq",
  description: `"a b =" -> (a + b) mod ${MODULUS_SEQ} as tokens: all ${MODULUS_SEQ}^2 pairs, 80% train; ` +
    "1-layer transformer with MLP (the grokking setting).",
  settings: modularAdditionSeqSettings(MODULUS_SEQ),
  make: (_engine, seed) => modularAdditionSeqDataset(MODULUS_SEQ, seed),
};
