// The transformer circuit graph and its edge patching, against the independent f64 patched forward of
// test/helpers/transformer-patched.ts: patching one edge changes exactly that receiver's copy of the
// stream (and so everything downstream of it), for every kind of edge, ablation and model layout.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { TxContext } from "../../src/circuits/transformer/context.ts";
import type { SeqDiscoveryData } from "../../src/circuits/transformer/data.ts";
import { buildGraph, type Granularity } from "../../src/circuits/transformer/graph.ts";
import type { Ablation } from "../../src/circuits/types.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";
import { ablatedSequences, klAt, patchedSequence, type Alpha, type Beta } from "../helpers/transformer-patched.ts";

const e = createEngineSync();
const base = { kind: "transformer", positions: true, unembedBias: false, norm: "layernorm", act: "gelu" } as const;

const SPECS: Record<string, TransformerSpec> = {
  "tokens, LayerNorm, GELU MLP, 2 layers × 2 heads": { ...base, vocab: 7, outDim: 7, ctx: 5, dModel: 6, nHeads: 2, dHead: 3,
    nLayers: 2, dMlp: 5 },
  "attention-only, 3 heads (induction's layout)": { ...base, vocab: 6, outDim: 6, ctx: 6, dModel: 5, nHeads: 3, dHead: 2,
    nLayers: 2, dMlp: 0 },
  "vectors, no norm, unembed bias, no positions (icl-regression's layout)": { ...base, inDim: 2, outDim: 2, ctx: 3, dModel: 4,
    nHeads: 1, dHead: 4, nLayers: 2, dMlp: 6, norm: "none", positions: false, unembedBias: true },
};

function randomData(spec: TransformerSpec, n: number, seed: number): SeqDiscoveryData {
  const rng = new Rng(seed);
  const T = spec.ctx;
  const draw = () => spec.vocab !== undefined ? Int32Array.from({ length: n * T }, () => rng.int(spec.vocab!))
    : Float32Array.from({ length: n * T * spec.inDim! }, () => rng.range(-1, 1));
  const clean = draw();
  const corrupted = draw();
  const mask = Uint8Array.from({ length: n * T }, (_, g) => (g % T >= 1 ? 1 : 0));
  const data: SeqDiscoveryData = { n, T, clean, corrupted, mask };
  if (spec.vocab !== undefined) data.labels = Int32Array.from({ length: n * T }, () => rng.int(spec.outDim));
  return data;
}

function sequences(spec: TransformerSpec, x: Int32Array | Float32Array, n: number): ArrayLike<number>[] {
  const w = spec.ctx * (spec.inDim ?? 1);
  return Array.from({ length: n }, (_, b) => x.subarray(b * w, (b + 1) * w));
}

describe("the component graph", () => {
  it("has 81 edges on model A's shape (2 attention-only layers of 4 heads), each named", () => {
    const spec = { ...base, vocab: 32, outDim: 32, ctx: 24, dModel: 64, nHeads: 4, dHead: 16, nLayers: 2, dMlp: 0 };
    const g = buildGraph(spec);
    expect(g.senders.map((s) => s.name)).toEqual(["embed", "0.0.out", "0.1.out", "0.2.out", "0.3.out", "1.0.out", "1.1.out",
      "1.2.out", "1.3.out"]);
    expect(g.receivers.length).toBe(25);
    // 12 layer-0 receivers × embed, 12 layer-1 receivers × 5 senders, resid_post × 9
    expect(g.edges.length).toBe(12 + 60 + 9);
    expect(new Set(g.edges.map((x) => x.name)).size).toBe(81);
    expect(g.edges.map((x) => x.name)).toContain("0.3.out → 1.1.k");
    expect(g.edges.map((x) => x.name)).not.toContain("1.0.out → 1.1.k"); // same layer: not downstream
  });

  it("visits receivers and senders in the spec's order (hand-worked: 2 layers, 2 heads, an MLP)", () => {
    const g = buildGraph(SPECS["tokens, LayerNorm, GELU MLP, 2 layers × 2 heads"]);
    expect(g.visit.map((r) => g.receivers[r].name)).toEqual(["resid_post", "1.mlp.in", "1.0.q", "1.0.k", "1.0.v", "1.1.q",
      "1.1.k", "1.1.v", "0.mlp.in", "0.0.q", "0.0.k", "0.0.v", "0.1.q", "0.1.k", "0.1.v"]);
    const names = (r: string) => g.testOrder[g.receivers.find((x) => x.name === r)!.index].map((e) => g.edges[e].name);
    expect(names("resid_post")).toEqual(["1.mlp.out", "1.1.out", "1.0.out", "0.mlp.out", "0.1.out", "0.0.out", "embed"]
      .map((s) => `${s} → resid_post`));
    expect(names("1.0.k")).toEqual(["0.mlp.out → 1.0.k", "0.1.out → 1.0.k", "0.0.out → 1.0.k", "embed → 1.0.k"]);
    expect(names("0.mlp.in")).toEqual(["0.1.out → 0.mlp.in", "0.0.out → 0.mlp.in", "embed → 0.mlp.in"]);
    expect(names("0.1.v")).toEqual(["embed → 0.1.v"]);
  });

  it("splits edges by position or by residual dimension and MLP neuron", () => {
    const spec = SPECS["tokens, LayerNorm, GELU MLP, 2 layers × 2 heads"];
    const component = buildGraph(spec).edges.length;
    expect(buildGraph(spec, "position").edges.length).toBe(component * spec.ctx);
    const fine = buildGraph(spec, "fine");
    // edges out of the two MLPs are per neuron (5), every other edge per residual dimension (6)
    const mlpPairs = buildGraph(spec).edges.filter((x) => x.name.includes(".mlp.out →")).length;
    expect(fine.edges.length).toBe(mlpPairs * spec.dMlp + (component - mlpPairs) * spec.dModel);
    expect(fine.edges.map((x) => x.name)).toContain("0.mlp.out[n4] → resid_post");
    expect(fine.edges.map((x) => x.name)).toContain("0.1.out[d5] → 1.0.k");
    const pos = buildGraph(spec, "position");
    expect(pos.testOrder[pos.visit[0]].slice(0, 2).map((x) => pos.edges[x].name))
      .toEqual(["1.mlp.out → resid_post @4", "1.mlp.out → resid_post @3"]);
  });
});

interface PatchCase {
  granularity: Granularity;
  ablation: Ablation;
  /** Removed edges, by name. */
  remove: string[];
}

/** The removed edges as the oracle's α and β. */
function oraclePatch(remove: string[]): { alpha: Alpha; beta?: Beta } {
  const set = new Set(remove);
  const fine = remove.some((r) => r.includes("["));
  const alpha: Alpha = (s, r, t, c) => (set.has(`${s} → ${r}`) || set.has(`${s} → ${r} @${t}`) || set.has(`${s}[d${c}] → ${r}`) ? 1 : 0);
  if (!fine) return { alpha };
  return { alpha, beta: (s, r, _t, n) => (set.has(`${s}[n${n}] → ${r}`) ? 1 : 0) };
}

describe("edge patching", () => {
  const CASES: PatchCase[] = [
    { granularity: "component", ablation: "resample", remove: ["0.1.out → 1.0.k"] },
    { granularity: "component", ablation: "resample", remove: ["0.1.out → 1.0.q"] },
    { granularity: "component", ablation: "mean", remove: ["embed → 0.0.v", "1.0.out → resid_post"] },
    { granularity: "component", ablation: "zero", remove: ["embed → 1.1.q"] },
    { granularity: "position", ablation: "resample", remove: ["0.0.out → 1.0.k @2", "0.0.out → 1.0.k @4"] },
    { granularity: "fine", ablation: "resample", remove: ["0.1.out[d2] → 1.0.k", "embed[d0] → resid_post"] },
    { granularity: "fine", ablation: "mean", remove: ["0.mlp.out[n3] → 1.0.v", "0.mlp.out[n1] → 1.0.v"] },
  ];

  for (const [specName, spec] of Object.entries(SPECS)) {
    describe(specName, () => {
      const n = 3;
      const tensors = randomTensors(transformerTensors(spec), 5, 0.5);
      const data = randomData(spec, n, 11);
      const clean = sequences(spec, data.clean, n);
      const corrupted = sequences(spec, data.corrupted!, n);
      const V = spec.outDim;

      for (const c of CASES) {
        const valid = (name: string) => buildGraph(spec, c.granularity).edges.some((x) => x.name === name);
        if (!c.remove.every(valid)) continue;
        it(`${c.granularity}, ${c.ablation}: removing ${c.remove.join(", ")} gives the oracle's logits`, () => {
          const model = Transformer.fromTensors(e, spec, tensors);
          const ctx = new TxContext(model, data, { ablation: c.ablation, metric: spec.vocab ? "kl" : "mse",
            granularity: c.granularity, outputs: spec.vocab ? undefined : [0] });
          try {
            const idx = c.remove.map((name) => ctx.graph.edges.findIndex((x) => x.name === name));
            for (const i of idx) ctx.patching.mask[i] = 0;
            ctx.naiveMetric();
            const got = e.read(ctx.pass.logits);
            const alt = ablatedSequences(spec, tensors, clean, corrupted, c.ablation);
            const { alpha, beta } = oraclePatch(c.remove);
            const want = clean.map((x, b) => patchedSequence(spec, tensors, x, alt[b], alpha, beta).logits);
            const plain = clean.map((x) => patchedSequence(spec, tensors, x, null).logits);
            const flat = Float64Array.from(want.flatMap((w) => Array.from(w)));
            expectClose(got, flat, { atol: 2e-5, rtol: 1e-4 }, "patched logits");
            // the patch is visible: some logit moved well beyond the tolerance
            const moved = flat.some((v, i) => Math.abs(v - plain[Math.floor(i / (spec.ctx * V))][i % (spec.ctx * V)]) > 1e-3);
            expect(moved, "the patched edge changes the output").toBe(true);
          } finally {
            ctx.dispose();
            model.dispose();
          }
        });
      }

      it("patches q, k and v of one head separately (each receiver has its own copy)", () => {
        const model = Transformer.fromTensors(e, spec, tensors);
        const ctx = new TxContext(model, data, { ablation: "resample", metric: spec.vocab ? "kl" : "mse",
          outputs: spec.vocab ? undefined : [0] });
        try {
          const out = ["q", "k", "v"].map((kind) => {
            const i = ctx.graph.edges.findIndex((x) => x.name === `embed → 1.0.${kind}`);
            ctx.patching.mask[i] = 0;
            ctx.naiveMetric();
            ctx.patching.mask[i] = 1;
            return e.read(ctx.pass.logits);
          });
          const differ = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]) > 1e-4);
          expect(differ(out[0], out[1]) && differ(out[1], out[2]) && differ(out[0], out[2])).toBe(true);
        } finally {
          ctx.dispose();
          model.dispose();
        }
      });
    });
  }

  it("KL at the scored positions matches the oracle's, and is 0 for the full model", () => {
    const spec = SPECS["tokens, LayerNorm, GELU MLP, 2 layers × 2 heads"];
    const tensors = randomTensors(transformerTensors(spec), 8, 0.5);
    const data = randomData(spec, 4, 3);
    const model = Transformer.fromTensors(e, spec, tensors);
    const ctx = new TxContext(model, data, { ablation: "resample", metric: "kl" });
    try {
      expect(Math.abs(ctx.naiveMetric())).toBeLessThan(1e-12); // the same outputs: KL's terms cancel to rounding
      const remove = ["0.0.out → 1.1.k", "embed → resid_post"];
      for (const name of remove) ctx.patching.mask[ctx.graph.edges.findIndex((x) => x.name === name)] = 0;
      const got = ctx.naiveMetric();
      const clean = sequences(spec, data.clean, 4);
      const alt = ablatedSequences(spec, tensors, clean, sequences(spec, data.corrupted!, 4), "resample");
      const full = clean.map((x) => patchedSequence(spec, tensors, x, null).logits);
      const patched = clean.map((x, b) => patchedSequence(spec, tensors, x, alt[b], oraclePatch(remove).alpha).logits);
      const scored: [number, number][] = [];
      for (let g = 0; g < 4 * spec.ctx; g++) if (data.mask[g]) scored.push([Math.floor(g / spec.ctx), g % spec.ctx]);
      const want = klAt(full, patched, scored, spec.outDim);
      expect(want).toBeGreaterThan(1e-3);
      expect(Math.abs(got - want)).toBeLessThan(1e-5 + 1e-3 * want);
    } finally {
      ctx.dispose();
      model.dispose();
    }
  });
});
