// BIMT against l1 on the transformer tasks, same seed, the tasks' reference settings on a shorter
// schedule (every schedule step — steps, λ phase starts, swap period — scaled to the test's length):
// icl-regression 600 steps (of 40,000), induction 300 (of 3,000). BIMT's wires must be shorter.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { getSeqTask } from "../../src/tasks/sequence/index.ts";
import type { SeqTrainSettings } from "../../src/tasks/sequence-types.ts";
import { trainSeq } from "../../src/train/transformer-trainer.ts";

const engine = createEngineSync();

function scaled(s: SeqTrainSettings, steps: number): SeqTrainSettings {
  const f = steps / s.steps;
  return {
    ...structuredClone(s), steps, swapEvery: Math.max(1, Math.round(s.swapEvery * f)),
    lambda: s.lambda.map((p) => ({ from: Math.round(p.from * f), value: p.value })),
  };
}

describe("BIMT shortens a transformer's wires against l1 (same seed)", () => {
  it.each([
    { task: "icl-regression", steps: 600 },
    { task: "induction", steps: 300 },
  ])("$task, $steps steps", async ({ task, steps }) => {
    const t = getSeqTask(task);
    const data = await t.make(engine, 0);
    const settings = scaled(t.settings, steps);
    const run = (mode: "l1" | "bimt") => {
      const r = trainSeq(engine, data, { mode, seed: 0, settings });
      r.model.dispose();
      return r;
    };
    const l1 = run("l1");
    const bimt = run("bimt");
    console.log(`${task} (${steps} steps): mean wire length bimt ${bimt.metrics.wireLength.toFixed(4)} vs l1 ` +
      `${l1.metrics.wireLength.toFixed(4)}; test ${l1.metrics.metric} bimt ${bimt.metrics.test.toFixed(4)}, ` +
      `l1 ${l1.metrics.test.toFixed(4)}; swaps ${bimt.swaps}`);
    expect(bimt.swaps).toBeGreaterThan(0);
    expect(bimt.metrics.wireLength).toBeLessThan(0.97 * l1.metrics.wireLength);
    // and BIMT still learns the task
    if (task === "induction") expect(bimt.metrics.test).toBeGreaterThan(0.9);
    else expect(bimt.metrics.test).toBeLessThan(1.44); // below the variance of y: position 2 is learned
  }, 300_000);
});
