// Ablated sender values (zero, mean, resample) and the edge-patching semantics of a removed edge, against
// hand computation in f64.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { ablatedValues } from "../../src/circuits/ablation.ts";
import { AblatedNetwork } from "../../src/circuits/forward-cache.ts";
import { fullMask } from "../../src/circuits/graph.ts";
import type { Ablation, DiscoveryData } from "../../src/circuits/types.ts";
import type { Mlp } from "../../src/model/mlp.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomData, randomModel } from "./acdc-fixtures.ts";

const engine = createEngineSync();
const tol = { atol: 1e-5, rtol: 1e-5 };
const silu = (z: number) => z / (1 + Math.exp(-z));

/** Sender values of every weight layer for one example, f64, with removed edges reading ã. */
function forwardByHand(model: Mlp, input: number[], removed: (l: number, to: number, from: number) => boolean,
  ablated: number[][] = []): { senders: number[][]; out: number[] } {
  const p = model.readParams();
  const { shape } = model.spec;
  const senders: number[][] = [input];
  let a = input;
  for (let l = 0; l < model.depth; l++) {
    const z: number[] = [];
    for (let j = 0; j < shape[l + 1]; j++) {
      let s = p[model.layout.bias[l] + j];
      for (let i = 0; i < shape[l]; i++) {
        const v = removed(l, j, i) ? ablated[l][i] : a[i];
        s += p[model.layout.weight[l] + j * shape[l] + i] * v;
      }
      z.push(s);
    }
    if (l + 1 === model.depth) return { senders, out: z };
    a = z.map(silu);
    senders.push(a);
  }
  throw new Error("unreachable");
}

function slotInput(model: Mlp, x: Float32Array | Int32Array, k: number): number[] {
  const { shape, embed, inFold } = model.spec;
  if (embed) {
    const p = model.readParams();
    const out: number[] = [];
    for (let f = 0; f < inFold; f++) {
      const t = x[k * inFold + f];
      for (let c = 0; c < embed.dim; c++) out.push(p[model.layout.embedding + t * embed.dim + c]);
    }
    return out;
  }
  return Array.from(model.inPerm, (feature) => x[k * shape[0] + feature]);
}

function expectedAblation(model: Mlp, data: DiscoveryData, ablation: Ablation): number[][] {
  const never = () => false;
  const clean = Array.from({ length: data.n },
    (_, k) => forwardByHand(model, slotInput(model, data.clean, k), never).senders);
  return clean[0].map((layer, l) => {
    const d = layer.length;
    const rows: number[] = [];
    for (let k = 0; k < data.n; k++) {
      if (ablation === "zero") rows.push(...new Array(d).fill(0));
      else if (ablation === "resample") {
        rows.push(...forwardByHand(model, slotInput(model, data.corrupted!, k), never).senders[l]);
      } else {
        for (let i = 0; i < d; i++) rows.push(clean.reduce((s, c) => s + c[l][i], 0) / data.n);
      }
    }
    return rows;
  });
}

describe("ablated sender values", () => {
  for (const ablation of ["zero", "mean", "resample"] as const) {
    it(`${ablation}: computed once from the full model, per layer, in slot order`, () => {
      const model = randomModel(engine, { shape: [3, 4, 2] }, 7);
      model.inPerm.set([2, 0, 1]);
      const data = randomData(model, 5, 8);
      const got = ablatedValues(model, data, ablation);
      const want = expectedAblation(model, data, ablation);
      expect(got.map((g) => g.length)).toEqual([15, 20]);
      got.forEach((g, l) => expectClose(g, want[l], tol, `${ablation} layer ${l}`));
      model.dispose();
    });
  }

  it("embedding models: the input nodes are the embedding dimensions of each token slot", () => {
    const model = randomModel(engine, { shape: [4, 3, 2], inFold: 2, embed: { tokens: 3, dim: 2 } }, 9);
    const data = randomData(model, 4, 10);
    for (const ablation of ["mean", "resample"] as const) {
      const got = ablatedValues(model, data, ablation);
      expectedAblation(model, data, ablation).forEach((w, l) => expectClose(got[l], w, tol, `${ablation} layer ${l}`));
    }
    model.dispose();
  });

  it("rejects unknown ablations, empty data and resample without corrupted inputs", () => {
    const model = randomModel(engine, { shape: [3, 2] }, 1);
    const data = randomData(model, 3, 2);
    expect(() => ablatedValues(model, data, "noise" as Ablation)).toThrow(/unknown ablation "noise"/);
    const empty = { ...data, n: 0, clean: new Float32Array(0) };
    expect(() => ablatedValues(model, empty, "zero")).toThrow(/at least one example/);
    expect(() => ablatedValues(model, { ...data, corrupted: undefined }, "resample")).toThrow(/corrupted inputs/);
    model.dispose();
  });
});

describe("edge patching", () => {
  it("a removed edge adds W·(ã − a) to its receiver, with a the sender's value in the pruned network", () => {
    const model = randomModel(engine, { shape: [3, 4, 3, 2] }, 11);
    const data = randomData(model, 6, 12);
    const mask = fullMask(model.spec);
    // remove x2 → h1.1, and h1.1 → h2.0: the second reads h1.1 as already changed by the first
    const cut = [[0, 1, 2], [1, 0, 1], [2, 1, 0]];
    for (const [l, to, from] of cut) mask[l][to * model.spec.shape[l] + from] = 0;
    const removed = (l: number, to: number, from: number) =>
      cut.some((c) => c[0] === l && c[1] === to && c[2] === from);
    for (const ablation of ["zero", "mean", "resample"] as const) {
      const net = new AblatedNetwork(model, data, { ablation, metric: "kl", candidates: mask });
      const aTilde = expectedAblation(model, data, ablation);
      const want: number[] = [];
      for (let k = 0; k < data.n; k++) {
        const perExample = aTilde.map((rows, l) => rows.slice(k * model.spec.shape[l], (k + 1) * model.spec.shape[l]));
        want.push(...forwardByHand(model, slotInput(model, data.clean, k), removed, perExample).out);
      }
      expectClose(net.outputs(), want, tol, `${ablation} pruned outputs`);
      net.dispose();
    }
    model.dispose();
  });
});
