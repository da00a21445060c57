// ACDC on a transformer's circuit graph: the greedy rule and the spec's order (naive reference), then
// the optimised evaluation against it (fast.ts: identical decisions and Δs).
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Transformer } from "../../src/model/transformer.ts";
import { transformerTensors, type TransformerSpec } from "../../src/model/transformer-spec.ts";
import { acdcNaive, acdcNodesNaive } from "../../src/circuits/transformer/acdc.ts";
import { TxContext } from "../../src/circuits/transformer/context.ts";
import type { SeqDiscoveryData } from "../../src/circuits/transformer/data.ts";
import { randomTensors } from "../helpers/transformer-oracle.ts";
import { ablatedSequences, klAt, patchedSequence } from "../helpers/transformer-patched.ts";

const e = createEngineSync();
const spec: TransformerSpec = { kind: "transformer", vocab: 7, outDim: 7, ctx: 5, dModel: 6, nHeads: 2, dHead: 3, nLayers: 2,
  dMlp: 5, norm: "layernorm", act: "gelu", positions: true, unembedBias: false };

function randomData(n: number, seed: number): SeqDiscoveryData {
  const rng = new Rng(seed);
  const T = spec.ctx;
  const draw = () => Int32Array.from({ length: n * T }, () => rng.int(spec.vocab!));
  return { n, T, clean: draw(), corrupted: draw(), mask: Uint8Array.from({ length: n * T }, (_, g) => (g % T >= 2 ? 1 : 0)),
    labels: Int32Array.from({ length: n * T }, () => rng.int(spec.outDim)) };
}

describe("naive ACDC on the component graph", () => {
  const tensors = randomTensors(transformerTensors(spec), 21, 0.6);
  const data = randomData(6, 2);

  it("follows the greedy rule in the spec's order, and its final metric is the oracle's", () => {
    const model = Transformer.fromTensors(e, spec, tensors);
    try {
      const tau = 2e-3;
      const r = acdcNaive(model, data, { tau, ablation: "resample", metric: "kl" });
      const { graph } = r;
      // every tested edge was kept exactly when its Δ reached τ
      let tested = 0;
      graph.edges.forEach((edge, i) => {
        if (Number.isNaN(r.deltas[i])) return;
        tested++;
        expect(r.mask[i], edge.name).toBe(r.deltas[i] < tau ? 0 : 1);
      });
      expect(tested).toBe(r.evaluations);
      expect(r.kept.length).toBe(r.mask.reduce((a, v) => a + v, 0));
      expect(r.kept.length).toBeGreaterThan(0);
      expect(r.kept.length).toBeLessThan(graph.edges.length);
      // replaying the decisions: Δ of each test is the metric change against the circuit before it
      const ctx = new TxContext(model, data, { ablation: "resample", metric: "kl" });
      try {
        let cur = ctx.naiveMetric();
        for (const rec of graph.visit) {
          for (const edge of graph.testOrder[rec]) {
            if (Number.isNaN(r.deltas[edge])) {
              ctx.patching.mask[edge] = r.mask[edge];
              continue;
            }
            ctx.patching.mask[edge] = 0;
            const next = ctx.naiveMetric();
            expect(next - cur).toBe(r.deltas[edge]);
            if (r.mask[edge]) ctx.patching.mask[edge] = 1;
            else cur = next;
          }
        }
        expect(ctx.naiveMetric()).toBe(r.metricValue);
      } finally {
        ctx.dispose();
      }
      // the final circuit's KL, from the independent oracle
      const T = spec.ctx;
      const clean = Array.from({ length: data.n }, (_, b) => data.clean.subarray(b * T, (b + 1) * T));
      const corrupted = Array.from({ length: data.n }, (_, b) => data.corrupted!.subarray(b * T, (b + 1) * T));
      const alt = ablatedSequences(spec, tensors, clean, corrupted, "resample");
      const removed = new Set(graph.edges.filter((_, i) => !r.mask[i]).map((x) => x.name));
      const full = clean.map((x) => patchedSequence(spec, tensors, x, null).logits);
      const circuit = clean.map((x, b) => patchedSequence(spec, tensors, x, alt[b], (s, rec) => (removed.has(`${s} → ${rec}`) ? 1 : 0)).logits);
      const scored: [number, number][] = [];
      for (let g = 0; g < data.n * T; g++) if (data.mask[g]) scored.push([Math.floor(g / T), g % T]);
      const want = klAt(full, circuit, scored, spec.outDim);
      expect(Math.abs(r.metricValue - want)).toBeLessThan(1e-6 + 1e-3 * want);
    } finally {
      model.dispose();
    }
  });

  it("drops the incoming edges of a head whose output reaches nothing, untested", () => {
    const model = Transformer.fromTensors(e, spec, tensors);
    try {
      const r = acdcNaive(model, data, { tau: 1e9, ablation: "zero", metric: "kl" });
      expect(r.kept).toEqual([]);
      // only resid_post's and the MLP inputs' edges whose components still reached the output were tested
      const g = r.graph;
      for (const rec of g.receivers) {
        const tested = g.testOrder[rec.index].filter((x) => !Number.isNaN(r.deltas[x])).length;
        if (rec.kind === "q" || rec.kind === "k" || rec.kind === "v") expect(tested, rec.name).toBe(0);
      }
      expect(r.evaluations).toBe(g.testOrder[g.visit[0]].length);
    } finally {
      model.dispose();
    }
  });

  it("node-level ACDC removes whole heads and MLPs with their incoming edges", () => {
    const model = Transformer.fromTensors(e, spec, tensors);
    try {
      const r = acdcNodesNaive(model, data, { tau: 2e-3, ablation: "mean", metric: "kl" });
      const g = r.graph;
      expect(r.evaluations).toBeLessThanOrEqual(g.senders.length - 1);
      const alive = g.senders.map((s) => s.kind === "embed" || g.outgoing[s.index].some((x) => r.mask[x]));
      expect(alive.some((a, i) => i > 0 && !a) && alive.some((a, i) => i > 0 && a), "some nodes go, some stay").toBe(true);
      for (const edge of g.edges) {
        const owner = g.receivers[edge.receiver].owner;
        // an edge stays exactly when both its ends stay (a node's outgoing edges go together, and its incoming ones with it)
        const want = alive[edge.sender] && (owner < 0 || alive[owner]) ? 1 : 0;
        expect(r.mask[edge.index], edge.name).toBe(want);
      }
    } finally {
      model.dispose();
    }
  });

  it("refuses a bad τ and unknown settings, naming them", () => {
    const model = Transformer.fromTensors(e, spec, tensors);
    try {
      expect(() => acdcNaive(model, data, { tau: 0, ablation: "zero", metric: "kl" })).toThrow(/τ must be a finite number > 0/);
      expect(() => acdcNaive(model, data, { tau: 1, ablation: "swap" as never, metric: "kl" })).toThrow(/unknown ablation "swap"/);
      expect(() => acdcNaive(model, { ...data, corrupted: undefined }, { tau: 1, ablation: "resample", metric: "kl" }))
        .toThrow(/resample needs paired corrupted inputs/);
      expect(() => acdcNaive(model, data, { tau: 1, ablation: "zero", metric: "kl", positions: [9] })).toThrow(/positions: 9/);
    } finally {
      model.dispose();
    }
  });
});
