import { describe, expect, it } from "vitest";
import { createEngineSync, type Engine } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import type { ModelSpec } from "../../src/model/spec.ts";
import { acdc } from "../../src/circuits/acdc.ts";
import { eap, eapCandidates, eapExact, eapIg, selectThreshold, selectTopK } from "../../src/circuits/eap.ts";
import { taskMetricValue, taskTarget } from "../../src/circuits/task-metric.ts";
import { ABLATIONS, type EdgeScores, type MetricName } from "../../src/circuits/types.ts";
import { expectClose } from "../helpers/expect-close.ts";
import { randomDiscoveryData } from "../helpers/discovery-data.ts";

/** A random model with shuffled perms (so slot ↔ original mapping is exercised). */
function model(e: Engine, spec: ModelSpec, seed: number, perms = true): Mlp {
  const rng = new Rng(seed);
  const m = Mlp.init(e, spec, rng);
  const snap = m.toSnapshot();
  m.dispose();
  // larger weights than the default init, so SiLU curvature matters
  snap.layers.forEach((layer) => layer.weight.forEach((w, i) => (layer.weight[i] = Math.fround(w * 2.5))));
  if (perms) {
    snap.inPerm = Array.from(rng.permutation(snap.inPerm.length));
    snap.outPerm = Array.from(rng.permutation(snap.outPerm.length));
  }
  return Mlp.fromSnapshot(e, snap);
}

/** Agreement relative to the largest score: f32 kernels against an f64 central difference. */
function expectScoresClose(got: EdgeScores, want: EdgeScores, label: string): void {
  const scale = Math.max(...want.map((w) => Math.max(...w.map(Math.abs))));
  expect(scale, `${label}: scores are not all zero`).toBeGreaterThan(1e-6);
  got.forEach((g, l) => expectClose(g, want[l], { atol: 2e-5 * scale, rtol: 2e-4 }, `${label} layer ${l}`));
}

describe("EAP", () => {
  const e = createEngineSync();
  const specs: { name: string; spec: ModelSpec }[] = [
    { name: "3-5-4-3", spec: { shape: [3, 5, 4, 3], layout: "line", inFold: 1 } },
    { name: "folded 6-7-4", spec: { shape: [6, 7, 4], layout: "line", inFold: 2 } },
    { name: "embedding", spec: { shape: [4, 6, 3], layout: "line", inFold: 2, embed: { tokens: 5, dim: 2 } } },
  ];
  const metrics: MetricName[] = ["nll", "logit-diff", "mse"];
  for (const { name, spec } of specs) {
    for (const ablation of ABLATIONS) {
      for (const metric of metrics) {
        it(`equals the finite-difference estimate: ${name}, ${ablation}, ${metric}`, () => {
          const m = model(e, spec, name.length + metric.length);
          const d = randomDiscoveryData(spec, 9, 3);
          const opts = { ablation, metric, chunk: 4 }; // chunks of 4 rows: 9 examples take three calls
          expectScoresClose(eap(m, d, opts), eapExact(m, d, opts), `${name} ${ablation} ${metric}`);
          m.dispose();
        });
      }
    }
  }

  it("restricts the metric to a subset of outputs", () => {
    const spec = specs[0].spec;
    const m = model(e, spec, 11);
    const d = randomDiscoveryData(spec, 12, 4);
    for (const metric of metrics) {
      const opts = { ablation: "resample" as const, metric, outputs: [2] };
      const sub = eap(m, d, opts);
      expectScoresClose(sub, eapExact(m, d, opts), `outputs [2] ${metric}`);
      const all = eap(m, d, { ablation: "resample", metric });
      expect(sub[0].some((v, i) => Math.abs(v - all[0][i]) > 1e-6), `${metric} changes with the subset`).toBe(true);
    }
    m.dispose();
  });

  it("EAP-IG equals the exact average over the same interpolation points", () => {
    for (const { name, spec } of specs) {
      const m = model(e, spec, 21);
      const d = randomDiscoveryData(spec, 6, 8);
      for (const ablation of ABLATIONS) {
        const opts = { ablation, metric: "nll" as const, steps: 4 };
        expectScoresClose(eapIg(m, d, opts), eapExact(m, d, opts), `IG ${name} ${ablation}`);
      }
      m.dispose();
    }
  });

  it("EAP-IG is complete on the input edges: their sum tends to M(ablated input) − M(clean)", () => {
    // Σ_{i→j, layer 0} W[j,i]·(x̃_i − x_i)·mean_k ∂M/∂z_j = Σ_i (x̃_i − x_i)·mean_k ∂M/∂x_i, the
    // integrated gradient along the straight input path; its right Riemann sum converges to ΔM as O(1/m).
    const spec: ModelSpec = { shape: [4, 8, 8, 3], layout: "line", inFold: 1 };
    const m = model(e, spec, 31, false);
    const d = randomDiscoveryData(spec, 10, 9);
    const cases = [["resample", d.corrupted as Float32Array], ["zero", new Float32Array(40)]] as const;
    for (const [ablation, xAbl] of cases) {
      const t = taskTarget(m, d, "nll");
      const delta = taskMetricValue(e, t, predict(m, xAbl, 4)) - taskMetricValue(e, t, predict(m, d.clean, 4));
      const sum = eapIg(m, d, { ablation, metric: "nll", steps: 1000 })[0].reduce((a, v) => a + v, 0);
      const plain = eap(m, d, { ablation, metric: "nll" })[0].reduce((a, v) => a + v, 0);
      expect(Math.abs(sum - delta), `${ablation}: IG sum ${sum} vs ΔM ${delta}`).toBeLessThan(3e-3 * Math.abs(delta));
      const igError = Math.abs(sum - delta);
      expect(Math.abs(plain - delta), `${ablation}: plain EAP is only first order`).toBeGreaterThan(igError);
    }
    m.dispose();
  });

  it("rejects kl, bad ablations and bad data with clear errors", () => {
    const spec = specs[0].spec;
    const m = model(e, spec, 1);
    const d = randomDiscoveryData(spec, 5, 1);
    expect(() => eap(m, d, { ablation: "zero", metric: "kl" })).toThrow(/zero gradient at the clean point/);
    expect(() => eap(m, { ...d, corrupted: undefined }, { ablation: "resample", metric: "nll" })).toThrow(/corrupted/);
    expect(() => eap(m, d, { ablation: "noise" as never, metric: "nll" })).toThrow(/unknown ablation "noise"/);
    expect(() => eap(m, { ...d, n: 0, clean: new Float32Array(0) }, { ablation: "zero", metric: "mse" })).toThrow(
      /at least one example/,
    );
    const noLabels = { ...d, labels: undefined };
    expect(() => eap(m, noLabels, { ablation: "zero", metric: "nll" })).toThrow(/needs class labels/);
    expect(() => eap(m, d, { ablation: "zero", metric: "nll", outputs: [3] })).toThrow(/not an output index/);
    expect(() => eapIg(m, d, { ablation: "zero", metric: "nll", steps: 0 })).toThrow(/steps must be ≥ 1/);
    m.dispose();
  });

  it("EAP→ACDC: ACDC keeps only edges among the top fraction by EAP", () => {
    const spec = specs[0].spec;
    const m = model(e, spec, 12);
    const d = randomDiscoveryData(spec, 16, 13);
    const candidates = eapCandidates(eap(m, d, { ablation: "resample", metric: "nll" }), 0.3);
    const run = acdc(m, d, { tau: 1e-4, ablation: "resample", metric: "kl", candidates });
    expect(run.kept.length).toBeGreaterThan(0);
    for (const { layer, to, from } of run.kept) expect(candidates[layer][to * spec.shape[layer] + from]).toBe(1);
    m.dispose();
  });

  it("frees every buffer it allocates", () => {
    const spec = specs[0].spec;
    const m = model(e, spec, 2);
    const before = e.memoryStats.inUse;
    eapIg(m, randomDiscoveryData(spec, 7, 2), { ablation: "mean", metric: "mse", steps: 3 });
    expect(e.memoryStats.inUse).toBe(before);
    m.dispose();
  });
});

describe("EAP selection", () => {
  const scores: EdgeScores = [Float32Array.from([0.5, -3, 0, 1]), Float32Array.from([-0.5, 2])];

  it("keeps the top k by |score|, ties in (layer, to, from) order", () => {
    expect(selectTopK(scores, 3).map((m) => Array.from(m))).toEqual([[0, 1, 0, 1], [0, 1]]);
    // 0.5 and −0.5 tie: the layer-0 edge comes first
    expect(selectTopK(scores, 4).map((m) => Array.from(m))).toEqual([[1, 1, 0, 1], [0, 1]]);
    expect(selectTopK(scores, 0).map((m) => Array.from(m))).toEqual([[0, 0, 0, 0], [0, 0]]);
  });

  it("thresholds |score| ≥ τ", () => {
    expect(selectThreshold(scores, 0.5).map((m) => Array.from(m))).toEqual([[1, 1, 0, 1], [1, 1]]);
    expect(() => selectThreshold(scores, 0)).toThrow(/τ must be/);
    expect(() => selectThreshold(scores, Number.NaN)).toThrow(/τ must be/);
  });

  it("gives ACDC the top fraction of edges as candidates", () => {
    expect(eapCandidates(scores, 0.5).map((m) => Array.from(m))).toEqual([[0, 1, 0, 1], [0, 1]]);
    expect(eapCandidates(scores, 1).map((m) => Array.from(m))).toEqual([[1, 1, 1, 1], [1, 1]]);
    expect(() => eapCandidates(scores, 1.5)).toThrow(/fraction/);
    expect(() => selectTopK([Float32Array.from([Number.NaN])], 1)).toThrow(/NaN/);
  });
});
