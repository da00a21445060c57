// A trained model saved as JSON and loaded back computes exactly what it computed before.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { parseModel, serializeModel } from "../../src/model/io.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import { getTask } from "../../src/tasks/index.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { train } from "../../src/train/trainer.ts";

const engine = createEngineSync();

describe("save and load", () => {
  for (const [task, steps] of [["two-moons", 400], ["modular-addition", 20]] as const) {
    it(`${task}: outputs after a JSON round trip are bit-identical (swaps and perms included)`, async () => {
      const t = getTask(task);
      const data = await t.make(engine, 3);
      const r = train(engine, data, { mode: "bimt", seed: 3, settings: withOverrides(t.settings, { steps, swapEvery: 10 }) });
      expect(r.swaps).toBeGreaterThan(0); // the perms are not the identity
      const width = data.inputDim;
      const before = predict(r.model, data.test.x, width);
      const loaded = Mlp.fromSnapshot(engine, parseModel(serializeModel(r.model.toSnapshot())));
      const after = predict(loaded, data.test.x, width);
      expect(Buffer.from(after.buffer).equals(Buffer.from(before.buffer))).toBe(true);
      r.model.dispose();
      loaded.dispose();
    });
  }
});
