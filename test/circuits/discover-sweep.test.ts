import { describe, expect, it } from "vitest";
import { circuitPoint, discoverSweep } from "../../src/circuits/discover-sweep.ts";
import { reachedInputs } from "../../src/circuits/ground-truth.ts";
import { discover } from "../../src/circuits/discover.ts";
import { createEngine } from "../../src/engine/engine.ts";
import { getTask } from "../../src/tasks/index.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { train } from "../../src/train/trainer.ts";

async function trained(name: string) {
  const task = getTask(name);
  const engine = await createEngine();
  const data = await task.make(engine, 0);
  const { model } = train(engine, data, { mode: "bimt", seed: 0, settings: withOverrides(task.settings, { steps: 800 }) });
  return { task, data, model };
}

describe("circuit points and τ sweeps", () => {
  it("scores ground truth with per-output circuits: row o from the circuit of output o alone", async () => {
    const { task, data, model } = await trained("symbolic-sharing");
    const { point } = circuitPoint(model, data, { tau: 1e-2, truth: task.groundTruth });
    const own = [0, 1, 2].map((o) => reachedInputs(model, discover(model, data, { tau: 1e-2, outputs: [o] }).mask)[o]);
    expect(point.found).toEqual(own);
    expect(point.tau).toBe(1e-2);
    model.dispose();
  });

  it("leaves the ROC AUC out when every input matters to every output (composition)", async () => {
    const { task, data, model } = await trained("symbolic-composition");
    const s = await discoverSweep(model, data, { truth: task.groundTruth }, [1e-3, 1e-2]);
    expect(s.points.map((p) => p.tau)).toEqual([1e-3, 1e-2]);
    expect(s.points[0].found).toHaveLength(1);
    expect(s.auc).toBeUndefined();
    expect(s.area).toBeGreaterThanOrEqual(0);
    model.dispose();
  });
});
