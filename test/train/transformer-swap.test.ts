import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { iclSettings } from "../../src/tasks/sequence/icl-regression.ts";
import type { SeqTrainSettings } from "../../src/tasks/sequence-types.ts";
import { modeParts } from "../../src/train/modes.ts";
import { createTransformerSwapper } from "../../src/train/transformer-swap.ts";
import { cloneTensors, referenceCost, referenceRelocate, referenceSwap, type SwapKind } from "../helpers/transformer-bimt-ref.ts";
import { oracleForward, randomTensors } from "../helpers/transformer-oracle.ts";

const engine = createEngineSync();
const settings: SeqTrainSettings = { ...iclSettings, topK: 4, l0: 0.5, weightFactor: 2 };

const specs: { what: string; spec: TransformerSpec }[] = [
  { what: "tokens, LayerNorm, MLP, 3 heads, positions",
    spec: { kind: "transformer", vocab: 7, outDim: 7, ctx: 6, dModel: 8, nHeads: 3, dHead: 2, nLayers: 2, dMlp: 5,
      norm: "layernorm", act: "gelu", positions: true, unembedBias: true } },
  { what: "vector input, no norm, attention-only, 2 heads",
    spec: { kind: "transformer", inDim: 3, outDim: 2, ctx: 4, dModel: 6, nHeads: 2, dHead: 3, nLayers: 2, dMlp: 0,
      norm: "none", act: "relu", positions: false, unembedBias: true } },
];

function inputs(spec: TransformerSpec): number[][] {
  return [0, 1, 2].map((s) => spec.vocab !== undefined
    ? Array.from({ length: spec.ctx }, (_, i) => (i * 5 + s * 3 + 1) % spec.vocab!)
    : Array.from({ length: spec.ctx * spec.inDim! }, (_, i) => Math.sin(i + 7 * s)));
}

/** max |Δ| of the oracle's logits over the test inputs. */
function outputChange(spec: TransformerSpec, a: Record<string, ArrayLike<number>>, b: Record<string, ArrayLike<number>>): number {
  let max = 0;
  for (const x of inputs(spec)) {
    const la = oracleForward(spec, a, x).logits;
    const lb = oracleForward(spec, b, x).logits;
    for (let i = 0; i < la.length; i++) max = Math.max(max, Math.abs(la[i] - lb[i]));
  }
  return max;
}

function make(spec: TransformerSpec, seed: number) {
  const t = randomTensors(transformerTensors(spec), seed, 0.5);
  return { t, m: Transformer.fromTensors(engine, spec, t) };
}

describe.each(specs)("transformer swaps: $what", ({ spec }) => {
  const hd = spec.nHeads * spec.dHead;
  const kinds: { s: SwapKind; pairs: [number, number][] }[] = [
    { s: { kind: "resid" }, pairs: [[0, spec.dModel - 1], [2, 3]] },
    { s: { kind: "attn", layer: 1 }, pairs: [[0, 1], [hd - 1, hd - 2]] }, // within a head
    ...(spec.dMlp > 0 ? [{ s: { kind: "mlp", layer: 0 } as SwapKind, pairs: [[0, 4], [1, 2]] as [number, number][] }] : []),
  ];

  it.each(kinds.map((k) => [k.s.kind, k] as const))("a %s swap leaves the outputs unchanged (max |Δy| ≤ 1e-5)", (_k, { s, pairs }) => {
    const { t, m } = make(spec, 1);
    const u = cloneTensors(t);
    for (const [j, k] of pairs) referenceSwap(spec, u, s, j, k);
    expect(outputChange(spec, t, u)).toBeLessThanOrEqual(1e-5);
    expect(outputChange(spec, t, u)).toBeLessThan(1e-12); // permutations are exact up to summation order
    // and it did move weights
    expect(Object.keys(t).some((n) => t[n].some((v, i) => v !== u[n][i]))).toBe(true);
    m.dispose();
  });

  it("a whole-head swap leaves the outputs unchanged; a slot swap across heads would not", () => {
    const { t } = make(spec, 2);
    const u = cloneTensors(t);
    for (let i = 0; i < spec.dHead; i++) referenceSwap(spec, u, { kind: "attn", layer: 0 }, i, spec.dHead + i);
    expect(outputChange(spec, t, u)).toBeLessThanOrEqual(1e-5);
    const w = cloneTensors(t);
    referenceSwap(spec, w, { kind: "attn", layer: 0 }, 0, spec.dHead);
    expect(outputChange(spec, t, w)).toBeGreaterThan(1e-3);
  });

  it("relocate: outputs unchanged, the cost does not rise, Adam's moments move with the weights", () => {
    const { t, m } = make(spec, 3);
    const parts = modeParts("bimt", settings);
    const swapper = createTransformerSwapper(engine, m, settings, parts);
    const n = transformerTensors(spec).total;
    const p0 = m.readParams();
    const mom = engine.from(Array.from(p0, (v) => 2 * v));
    const vel = engine.from(Array.from(p0, (v) => 3 * v));
    const before = referenceCost(spec, t, parts.swapA, settings.l0);
    const swaps = swapper.relocate({ m: mom, v: vel });
    expect(swaps).toBeGreaterThan(0);
    const after = m.toTensors();
    expect(outputChange(spec, t, after)).toBeLessThanOrEqual(1e-5);
    expect(referenceCost(spec, after, parts.swapA, settings.l0)).toBeLessThan(before);
    const p = m.readParams();
    const [mm, vv] = [engine.read(mom), engine.read(vel)];
    for (let i = 0; i < n; i++) {
      if (mm[i] !== Math.fround(2 * p[i]) || vv[i] !== Math.fround(3 * p[i])) throw new Error(`moment ${i} did not move with its weight`);
    }
    engine.free(mom, vel);
    swapper.dispose();
    m.dispose();
  });

  it("each Δ equals the change of the fully recomputed cost, and so does every choice", () => {
    const { t, m } = make(spec, 4);
    const parts = modeParts("l1+swap", settings); // swaps scored with A although the loss uses 0
    const swapper = createTransformerSwapper(engine, m, settings, parts);
    const base = referenceCost(spec, t, parts.swapA, settings.l0);
    const ids: Record<string, SwapKind> = { resid: { kind: "resid" } };
    for (let l = 0; l < spec.nLayers; l++) {
      ids[`${l}.attn`] = { kind: "attn", layer: l };
      if (spec.dMlp > 0) ids[`${l}.mlp`] = { kind: "mlp", layer: l };
    }
    let compared = 0;
    for (const layer of swapper.layers) {
      const s = ids[layer.id];
      const size = layer.n / layer.groups;
      for (let j = 0; j < layer.n; j++) {
        const delta = swapper.positionDeltas(layer.id, j);
        const g = Math.floor(j / size);
        let bestFull = g * size;
        let bestFullCost = Infinity;
        for (let k = g * size; k < (g + 1) * size; k++) {
          const u = cloneTensors(t);
          referenceSwap(spec, u, s, j, k);
          const full = referenceCost(spec, u, parts.swapA, settings.l0) - base;
          expect(Math.abs(delta[k] - full), `${layer.id} ${j}↔${k}`).toBeLessThan(1e-6);
          if (full < bestFullCost - 1e-9) [bestFull, bestFullCost] = [k, full];
          compared++;
        }
        let best = g * size;
        for (let k = g * size + 1; k < (g + 1) * size; k++) if (delta[k] < delta[best]) best = k;
        expect(best, `${layer.id}: choice for ${j}`).toBe(bestFull);
      }
      for (let h = 0; h < layer.groups && layer.groups > 1; h++) {
        const delta = swapper.headDeltas(layer.id, h);
        for (let c = 0; c < layer.groups; c++) {
          const u = cloneTensors(t);
          for (let i = 0; i < size; i++) referenceSwap(spec, u, s, h * size + i, c * size + i);
          expect(Math.abs(delta[c] - (referenceCost(spec, u, parts.swapA, settings.l0) - base))).toBeLessThan(1e-6);
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
    swapper.dispose();
    m.dispose();
  });

  it("a whole relocate makes the same swaps as one that recomputes the full cost for every candidate", () => {
    for (const seed of [5, 6, 7]) {
      const { t, m } = make(spec, seed);
      const parts = modeParts("bimt", settings);
      const swapper = createTransformerSwapper(engine, m, settings, parts);
      const swaps = swapper.relocate();
      const ref = cloneTensors(t);
      const refSwaps = referenceRelocate(spec, ref, parts.swapA, settings.l0, settings.topK);
      expect(swaps).toBe(refSwaps);
      expect(swaps).toBeGreaterThan(0);
      const got = m.toTensors();
      for (const name of Object.keys(ref)) expect(Array.from(got[name]), `${name}, seed ${seed}`).toEqual(Array.from(ref[name]));
      swapper.dispose();
      m.dispose();
    }
  });
});
