// ACDC: the kernel-speed runs (acdc, acdcNodes) against the naive references (one full forward pass per
// test), a planted circuit, the state after in-place updates, options and bad input.
//
// Tolerance: Δ values (and final metrics) of the two runs agree to |Δ_fast − Δ_naive| ≤ 1e-6 + 1e-4·|Δ|.
// Both compute the same f32 network with different roundings (incremental updates vs GEMMs); the
// largest differences seen on these models are ~2e-7. A decision may differ only where |Δ − τ| is within
// that tolerance: such near-ties are printed and end the comparison (the runs then continue from
// different circuits); a different decision anywhere else fails the test.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { acdc, type AcdcOptions, type AcdcResult } from "../../src/circuits/acdc.ts";
import { acdcNaive, acdcNodesNaive } from "../../src/circuits/acdc-naive.ts";
import { acdcNodes } from "../../src/circuits/acdc-nodes.ts";
import { AblatedNetwork } from "../../src/circuits/forward-cache.ts";
import { edgeCount, fullMask } from "../../src/circuits/graph.ts";
import type { DiscoveryData, MetricName } from "../../src/circuits/types.ts";
import { Rng } from "../../src/engine/random.ts";
import type { Mlp } from "../../src/model/mlp.ts";
import type { ModelSpec } from "../../src/model/spec.ts";
import { getTask } from "../../src/tasks/index.ts";
import { train } from "../../src/train/trainer.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { expectClose } from "../helpers/expect-close.ts";
import {
  edgeUnits, expectAgreement, keptFraction, neuronUnits, randomData, randomModel, type Tolerance,
} from "./acdc-fixtures.ts";

const engine = createEngineSync();
const TOL: Tolerance = { atol: 1e-6, rtol: 1e-4 };
const ABLATIONS = ["zero", "mean", "resample"] as const;
// per metric, a τ that keeps part of the random models' edges (checked below, so no test is vacuous)
const TAU: Record<MetricName, number> = { kl: 1e-3, mse: 1e-2, "logit-diff": 1e-3, nll: 1e-3 };

/** A random model with weights ×3, so single edges matter at these τ. */
function strongModel(spec: Partial<ModelSpec> & { shape: number[] }, seed: number): Mlp {
  const m = randomModel(engine, spec, seed);
  const p = engine.f32(m.params);
  for (let i = 0; i < p.length; i++) p[i] *= 3;
  return m;
}

function compareEdges(model: Mlp, data: DiscoveryData, opts: AcdcOptions, label: string) {
  const naive = acdcNaive(model, data, opts);
  const fast = acdc(model, data, opts);
  const agreement = expectAgreement(edgeUnits(model.spec), naive, fast, opts.tau, TOL, label);
  for (const tie of agreement.ties) console.log(`near-tie: ${tie}`);
  if (!agreement.ties.length) expect(fast.evaluations, `${label}: evaluations`).toBe(naive.evaluations);
  return { naive, fast, agreement };
}

describe("optimised ACDC makes the naive run's decisions", () => {
  for (const metric of ["kl", "mse", "logit-diff", "nll"] as const) {
    for (const ablation of ABLATIONS) {
      it(`${metric} × ${ablation} on a random 6-8-7-4 MLP`, () => {
        const model = strongModel({ shape: [6, 8, 7, 4] }, 1);
        const data = randomData(model, 40, 2);
        const { naive } = compareEdges(model, data, { tau: TAU[metric], ablation, metric }, `${metric}/${ablation}`);
        expect(keptFraction(naive)).toBeGreaterThan(0.05);
        expect(keptFraction(naive)).toBeLessThan(0.95);
        model.dispose();
      });
    }
  }

  it("with permuted input and output slots and a metric restricted to two outputs", () => {
    const model = strongModel({ shape: [5, 6, 4] }, 3);
    model.inPerm.set([3, 0, 4, 1, 2]);
    model.outPerm.set([2, 0, 3, 1]);
    const data = randomData(model, 30, 4);
    for (const metric of ["kl", "mse", "nll"] as const) {
      const opts: AcdcOptions = { tau: TAU[metric], ablation: "resample", metric, outputs: [1, 3] };
      compareEdges(model, data, opts, `${metric} on [1, 3]`);
    }
    model.dispose();
  });

  it("on an embedding model (input nodes are embedding dimensions per token slot)", () => {
    const model = strongModel({ shape: [6, 7, 5], inFold: 2, embed: { tokens: 5, dim: 3 } }, 5);
    const data = randomData(model, 30, 6);
    compareEdges(model, data, { tau: 1e-3, ablation: "resample", metric: "kl" }, "embedding kl");
    compareEdges(model, data, { tau: 1e-3, ablation: "mean", metric: "nll" }, "embedding nll");
    model.dispose();
  });

  it("testing only candidate edges (EAP→ACDC): the others are removed untested", () => {
    const model = strongModel({ shape: [6, 8, 4] }, 7);
    const data = randomData(model, 30, 8);
    const candidates = fullMask(model.spec);
    const rng = new Rng(9);
    for (const m of candidates) for (let e = 0; e < m.length; e++) m[e] = rng.uniform() < 0.6 ? 1 : 0;
    const { fast } = compareEdges(model, data, { tau: 1e-3, ablation: "zero", metric: "kl", candidates }, "candidates");
    fast.mask.forEach((m, l) => m.forEach((v, e) => {
      if (!candidates[l][e]) {
        expect(v).toBe(0);
        expect(fast.deltas[l][e]).toBeNaN();
      }
    }));
    model.dispose();
  });

  it("on a trained two-moons model", async () => {
    const task = getTask("two-moons");
    const ds = await task.make(engine, 1);
    const settings = withOverrides(task.settings, { steps: 2000 });
    const { model } = train(engine, ds, { mode: "bimt", seed: 1, settings });
    const n = ds.test.n;
    const perm = new Rng(2).permutation(n);
    const x = ds.test.x as Float32Array;
    const data: DiscoveryData = {
      n,
      clean: x,
      corrupted: Float32Array.from({ length: 2 * n }, (_, i) => x[2 * perm[i >> 1] + (i & 1)]),
      labels: ds.test.y as Int32Array,
    };
    const cases = [["kl", "resample", 1e-3], ["nll", "zero", 1e-3], ["logit-diff", "mean", 1e-2]] as const;
    for (const [metric, ablation, tau] of cases) {
      const { naive } = compareEdges(model, data, { tau, ablation, metric }, `two-moons ${metric}/${ablation}`);
      expect(keptFraction(naive)).toBeGreaterThan(0);
      expect(keptFraction(naive)).toBeLessThan(0.5);
    }
    model.dispose();
  });
});

describe("neuron-level ACDC makes the naive run's decisions", () => {
  // τ per case keeps part of the neurons (a neuron's removal moves the metric more than an edge's)
  const cases = [["kl", "resample", 3e-2], ["mse", "zero", 0.3], ["mse", "mean", 0.3], ["nll", "resample", 1e-2],
    ["logit-diff", "resample", 1e-2]] as const;
  for (const [metric, ablation, tau] of cases) {
    it(`${metric} × ${ablation}`, () => {
      const model = strongModel({ shape: [6, 8, 7, 4] }, 11);
      const data = randomData(model, 40, 12);
      const opts = { tau, ablation, metric };
      const naive = acdcNodesNaive(model, data, opts);
      const fast = acdcNodes(model, data, opts);
      const label = `nodes ${metric}/${ablation}`;
      const agreement = expectAgreement(neuronUnits(model.spec), naive, fast, opts.tau, TOL, label);
      for (const tie of agreement.ties) console.log(`near-tie: ${tie}`);
      expect(keptFraction(naive)).toBeGreaterThan(0.05);
      expect(keptFraction(naive)).toBeLessThan(0.95);
      expect(naive.evaluations).toBeLessThanOrEqual(6 + 8 + 7);
      model.dispose();
    });
  }
});

describe("a planted circuit", () => {
  // x0 → h0 → y0 and x3 → h1 → y1 carry the signal; every other weight is 1e-4 and biases are 0.
  function planted(): Mlp {
    const model = randomModel(engine, { shape: [4, 3, 2] }, 1);
    const p = engine.f32(model.params);
    p.fill(1e-4);
    const { weight, bias } = model.layout;
    p.fill(0, bias[0], bias[0] + 3);
    p.fill(0, bias[1], bias[1] + 2);
    p[weight[0] + 0 * 4 + 0] = 2; // h0 ← x0
    p[weight[0] + 1 * 4 + 3] = -1.5; // h1 ← x3
    p[weight[1] + 0 * 3 + 0] = 1.5; // y0 ← h0
    p[weight[1] + 1 * 3 + 1] = 2; // y1 ← h1
    return model;
  }
  const want = [
    { layer: 0, to: 0, from: 0 },
    { layer: 0, to: 1, from: 3 },
    { layer: 1, to: 0, from: 0 },
    { layer: 1, to: 1, from: 1 },
  ];

  for (const [metric, ablation] of [["mse", "zero"], ["kl", "resample"], ["mse", "mean"]] as const) {
    it(`is recovered exactly (${metric}, ${ablation}), by both runs`, () => {
      const model = planted();
      const data = randomData(model, 50, 3);
      for (const run of [acdc, acdcNaive]) {
        const r = run(model, data, { tau: 1e-3, ablation, metric });
        expect(r.kept.map(({ layer, to, from }) => ({ layer, to, from }))).toEqual(want);
        for (const k of r.kept) expect(k.effect).toBeGreaterThanOrEqual(1e-3);
      }
      // neuron level: exactly x0, x3, h0, h1 keep outgoing edges
      const nodes = acdcNodes(model, data, { tau: 1e-3, ablation, metric });
      const senders = new Set(nodes.kept.map((k) => `${k.layer}:${k.from}`));
      expect([...senders].sort()).toEqual(["0:0", "0:3", "1:0", "1:1"]);
      model.dispose();
    });
  }
});

describe("in-place updates", () => {
  it("after a receiver's removals the caches equal a fresh pass of the pruned network, and nothing else moved", () => {
    const model = strongModel({ shape: [5, 6, 4, 3] }, 21);
    const data = randomData(model, 25, 22);
    const opts = { ablation: "resample", metric: "kl" } as const;
    const net = new AblatedNetwork(model, data, opts);
    const { k } = engine;
    const out = engine.alloc(6, "f64");
    try {
      for (const [l, j] of [[2, 1], [1, 2], [0, 3]]) {
        const before = net.preActivations(l);
        k.deltaLists(net.plan.ptr, l);
        const removed = k.acdcReceiver(net.plan.ptr, l, j, 2e-3, out.ptr);
        expect(removed, `receiver ${l}:${j} removed some edges`).toBeGreaterThan(0);
        const fresh = new AblatedNetwork(model, data, { ...opts, candidates: net.mask() });
        const dOut = model.spec.shape[l + 1];
        const after = net.preActivations(l);
        const want = fresh.preActivations(l);
        for (let r = 0; r < data.n; r++) {
          for (let c = 0; c < dOut; c++) {
            const i = r * dOut + c;
            if (c !== j) expect(after[i], `untouched column ${c}`).toBe(before[i]);
            else expect(Math.abs(after[i] - want[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i])));
          }
        }
        // the per-example metric terms were moved incrementally; they must match the fresh ones
        expectClose(net.terms(), fresh.terms(), { atol: 1e-7, rtol: 1e-5 }, `terms after ${l}:${j}`);
        if (l + 1 < model.depth) net.forwardFrom(l + 1);
        expectClose(net.outputs(), fresh.outputs(), { atol: 1e-5, rtol: 1e-5 }, `outputs after ${l}:${j}`);
        expect(Math.abs(net.refreshMetric() - fresh.refreshMetric())).toBeLessThan(1e-7);
        fresh.dispose();
      }
    } finally {
      engine.free(out);
      net.dispose();
      model.dispose();
    }
  });
});

describe("options and bad input", () => {
  const model = randomModel(engine, { shape: [3, 4, 2] }, 1);
  const data = randomData(model, 10, 2);
  const ok: AcdcOptions = { tau: 1e-3, ablation: "resample", metric: "kl" };

  for (const run of [acdc, acdcNaive, acdcNodes]) {
    it(`${run.name}: τ must be finite and > 0; ablation, metric and data are checked`, () => {
      for (const tau of [0, -1, NaN, Infinity, "1e-3" as unknown as number]) {
        expect(() => run(model, data, { ...ok, tau })).toThrow(/τ must be a finite number > 0/);
      }
      expect(() => run(model, data, { ...ok, ablation: "noise" as "zero" })).toThrow(/unknown ablation "noise"/);
      expect(() => run(model, data, { ...ok, metric: "acc" as "kl" })).toThrow(/unknown metric "acc"/);
      expect(() => run(model, { n: 0, clean: new Float32Array(0) }, ok)).toThrow(/at least one example/);
      expect(() => run(model, { ...data, corrupted: undefined }, ok)).toThrow(/corrupted inputs/);
      expect(() => run(model, { ...data, labels: undefined }, { ...ok, metric: "nll" })).toThrow(/needs class labels/);
      expect(() => run(model, data, { ...ok, candidates: [new Uint8Array(3)] })).toThrow(/edge mask/);
    });
  }

  it("reports progress per receiver, stops on abort, and frees its memory either way", () => {
    const live = engine.memoryStats.liveBuffers;
    const calls: [number, number][] = [];
    const r = acdc(model, data, { ...ok, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [6, 6]]);
    expect(r.evaluations).toBeLessThanOrEqual(edgeCount(model.spec));
    const ctrl = new AbortController();
    expect(() => acdc(model, data, { ...ok, signal: ctrl.signal, onProgress: (d) => d === 2 && ctrl.abort() }))
      .toThrow(/abort/i);
    expect(engine.memoryStats.liveBuffers).toBe(live);
  });

  it("returns plain data: mask, effects of kept edges, every tested Δ, metric, count, time", () => {
    const r: AcdcResult = acdc(model, data, ok);
    expect(r.mask.map((m) => m.length)).toEqual([12, 8]);
    for (const k of r.kept) {
      const nIn = model.spec.shape[k.layer];
      expect(r.mask[k.layer][k.to * nIn + k.from]).toBe(1);
      expect(k.effect).toBe(r.effects[k.layer][k.to * nIn + k.from]);
      expect(k.effect).toBeGreaterThanOrEqual(Math.fround(ok.tau) * (1 - 1e-6));
    }
    expect(Number.isFinite(r.metricValue)).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
  });
});
