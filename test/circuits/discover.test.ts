// discover(): every method end to end on trained models, the symbolic ground truth at the default τ,
// and clear errors for bad requests.
import { beforeAll, describe, expect, it } from "vitest";
import { checkCircuitFor } from "../../src/circuits/circuit-io.ts";
import { DEFAULT_TAU, discover, METHODS } from "../../src/circuits/discover.ts";
import { reachedInputs } from "../../src/circuits/ground-truth.ts";
import { createEngineSync } from "../../src/engine/engine.ts";
import type { Mlp } from "../../src/model/mlp.ts";
import { getTask } from "../../src/tasks/index.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { train } from "../../src/train/trainer.ts";

const engine = createEngineSync();

async function trained(task: string, steps?: number): Promise<{ model: Mlp; data: Dataset }> {
  const t = getTask(task);
  const data = await t.make(engine, 0);
  const r = train(engine, data, { mode: "bimt", seed: 0, settings: withOverrides(t.settings, { steps }) });
  return { model: r.model, data };
}

describe("symbolic-independence, bimt, reference settings", () => {
  let model: Mlp;
  let data: Dataset;
  beforeAll(async () => ({ model, data } = await trained("symbolic-independence")), 120_000);

  it("per-output circuits at the default τ reach exactly the true inputs (y1 ← {x1, x3}, y2 ← {x2, x4})", () => {
    const truth = getTask("symbolic-independence").groundTruth!;
    expect(truth).toEqual([[0, 2], [1, 3]]);
    for (const output of [0, 1]) {
      const d = discover(model, data, { outputs: [output], truth });
      expect(d.circuit.settings.tau).toBe(DEFAULT_TAU.regression);
      expect(reachedInputs(model, d.mask)[output]).toEqual(truth[output]);
      expect(d.circuit.scores.groundTruth).toEqual({ precision: 1, recall: 1 });
    }
  });

  it("every method gives a valid, scored circuit of this model", () => {
    for (const method of METHODS) {
      const d = discover(model, data, { method, topK: method.startsWith("eap") && method !== "eap-acdc" ? 40 : undefined });
      const s = d.circuit.scores;
      expect(s.edges, method).toBeGreaterThan(0);
      expect(s.edges, method).toBeLessThan(s.totalEdges!);
      expect(s.faithfulness, method).toBeGreaterThanOrEqual(0);
      expect(d.circuit.settings.method).toBe(method);
      expect(() => checkCircuitFor(d.circuit, model)).not.toThrow();
      if (method === "eap" || method === "eap-ig") expect(s.edges).toBe(40);
    }
  });

  it("EAP→ACDC tests only the EAP candidates", () => {
    const full = discover(model, data, { method: "acdc" });
    const guided = discover(model, data, { method: "eap-acdc", fraction: 0.05 });
    expect(guided.evaluations).toBeLessThanOrEqual(Math.ceil(0.05 * full.circuit.scores.totalEdges!));
    expect(guided.evaluations).toBeLessThan(full.evaluations);
  });

  it("rejects bad requests with clear errors", () => {
    expect(() => discover(model, data, { method: "magic" as never })).toThrow(/unknown discovery method "magic"/);
    expect(() => discover(model, data, { tau: 0 })).toThrow(/τ must be a finite number > 0/);
    expect(() => discover(model, data, { tau: NaN })).toThrow(/τ must be a finite number > 0/);
    expect(() => discover(model, data, { ablation: "erase" as never })).toThrow(/ablation/);
    expect(() => discover(model, data, { metric: "kl", method: "eap" })).toThrow(/kl/i);
    const empty: Dataset = { ...data, train: { n: 0, x: new Float32Array(0), y: new Float32Array(0) } };
    expect(() => discover(model, empty, {})).toThrow(/no training examples/);
  });

  it("a circuit of another model is refused", async () => {
    const other = await trained("symbolic-independence", 50);
    const d = discover(other.model, other.data, {});
    expect(() => checkCircuitFor(d.circuit, model)).toThrow(/another model|hash/);
    other.model.dispose();
  });
});

describe("two-moons, bimt", () => {
  it("the default-τ circuit keeps the full model's accuracy within 2 points", async () => {
    const { model, data } = await trained("two-moons");
    const d = discover(model, data, {});
    const task = d.circuit.scores.task!;
    console.log(`two-moons circuit: ${d.circuit.scores.edges} edges, accuracy ${task.circuit} vs ${task.full}`);
    expect(task.circuit).toBeGreaterThanOrEqual(task.full - 0.02);
    model.dispose();
  });
});
