// End to end on a hand-built network with a planted circuit (y0 ← {x0, x2}, y1 ← {x1, x3}, the
// symbolic-independence truth) plus weak noise weights: EAP scores, a τ sweep of threshold circuits,
// ground truth, scoring, the circuit file and sparse inference must all agree with the plant.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import { parseCircuit, makeCircuit, serializeCircuit, circuitMask } from "../../src/circuits/circuit-io.ts";
import { eap, selectThreshold } from "../../src/circuits/eap.ts";
import { groundTruthScore, reachedInputs, sweepAuc } from "../../src/circuits/ground-truth.ts";
import { circuitOutputs, scoreCircuit } from "../../src/circuits/score.ts";
import { SparseNetwork } from "../../src/circuits/sparse.ts";
import { logGrid, sweepTau } from "../../src/circuits/sweep.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";

describe("a planted circuit", () => {
  const e = createEngineSync();
  const rng = new Rng(42);
  const noise = () => rng.range(-1e-3, 1e-3);
  // W0 (4 hidden × 4 inputs), W1 (2 outputs × 4 hidden); h3 carries only noise
  const W0 = [
    [1.0, 0, 0.8, 0],
    [0, 1.2, 0, -0.9],
    [0.5, 0, 0, 0],
    [0, 0, 0, 0],
  ].flatMap((row) => row.map((w) => (w === 0 ? noise() : w)));
  const W1 = [
    [1.0, 0, 0.7, 0],
    [0, 1.1, 0, 0],
  ].flatMap((row) => row.map((w) => (w === 0 ? noise() : w)));
  const model = Mlp.fromSnapshot(e, {
    format: "brainwire.model",
    version: 1,
    spec: { shape: [4, 4, 2], layout: "line", inFold: 1 },
    layers: [{ weight: W0, bias: [0.1, -0.1, 0, 0.2] }, { weight: W1, bias: [0, 0] }],
    inPerm: [0, 1, 2, 3],
    outPerm: [0, 1],
  });
  const n = 64;
  const x = () => Float32Array.from({ length: n * 4 }, () => rng.range(-1, 1));
  const clean = x();
  const targets = predict(model, clean, 4).map((v) => v + rng.range(-0.01, 0.01));
  const data: DiscoveryData = { n, clean, corrupted: x(), targets };
  const truth = [[0, 2], [1, 3]];

  it("ranks every planted pair above every spurious one over the τ sweep", async () => {
    const scores = eap(model, data, { ablation: "zero", metric: "mse" });
    const found: { tau: number; found: number[][] }[] = [];
    const { points } = await sweepTau((tau) => {
      const mask = selectThreshold(scores, tau);
      found.push({ tau, found: reachedInputs(model, mask) });
      return scoreCircuit(model, mask, data, { ablation: "zero", kind: "regression", truth });
    }, { grid: logGrid(1e-7, 1) });
    expect(sweepAuc(found, truth, 4)).toBe(1);
    // larger τ keeps fewer edges; somewhere on the grid exactly the plant is found
    points.slice(1).forEach((p, k) => expect(p.edges).toBeLessThanOrEqual(points[k].edges));
    expect(points[0].edges).toBeGreaterThan(8);
    expect(points.some((p) => p.groundTruth?.precision === 1 && p.groundTruth.recall === 1)).toBe(true);
  });

  it("scores, saves, reloads and runs the planted circuit", () => {
    const mask = [W0, W1].map((w) => Uint8Array.from(w, (v) => (Math.abs(v) > 0.01 ? 1 : 0)));
    expect(groundTruthScore(reachedInputs(model, mask), truth).total).toMatchObject({ precision: 1, recall: 1 });
    const scores = scoreCircuit(model, mask, data, { ablation: "zero", kind: "regression", truth, evaluations: 24 });
    expect(scores.faithfulness).toBeLessThan(1e-4);
    expect(scores.edges).toBe(8);
    expect(scores.neurons).toBe(4 + 3 + 2);
    expect(scores.modularity).toBeGreaterThan(0.3); // two separate modules
    const effects = [W0, W1].map((w) => Float32Array.from(w));
    const circuit = makeCircuit(model, mask, effects, { method: "eap", ablation: "zero", metric: "mse",
      order: "|score| descending", tau: 0.01 }, scores);
    const back = parseCircuit(serializeCircuit(circuit), model);
    expect(back.scores).toEqual(scores);
    const net = SparseNetwork.fromMask(model, circuitMask(back, model.spec));
    expect(Array.from(net.forward(clean))).toEqual(Array.from(circuitOutputs(model, mask, data, "zero").circuit));
    net.dispose();
  });
});
