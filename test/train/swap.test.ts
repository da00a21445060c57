// A swap never changes the network's function, and Δ-scored choices equal full recomputation.
import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { predict } from "../../src/model/pass.ts";
import type { ModelSpec } from "../../src/model/spec.ts";
import { getTask } from "../../src/tasks/index.ts";
import { ConnectionCost } from "../../src/train/cost.ts";
import { swapNeurons } from "../../src/train/swap.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { maxDiff } from "../helpers/expect-close.ts";

const engine = createEngineSync();

function randomInputs(rng: Rng, n: number, spec: ModelSpec): Float32Array | Int32Array {
  if (spec.embed) return Int32Array.from({ length: n * spec.inFold }, () => rng.int(spec.embed!.tokens));
  return Float32Array.from({ length: n * spec.shape[0] }, () => rng.range(-1, 1));
}

const specs: [string, ModelSpec][] = [
  ["1-D", { shape: [4, 7, 5, 3], layout: "line", inFold: 1 }],
  ["folded input", { shape: [6, 5, 4], layout: "line", inFold: 2 }],
  ["embedding", { shape: [8, 6, 5], layout: "line", inFold: 2, embed: { tokens: 7, dim: 4 } }],
  ["grid", { shape: [16, 9, 5], layout: "grid", inFold: 1 }],
];

describe("swapNeurons", () => {
  for (const [name, spec] of specs) {
    it(`keeps the outputs of a ${name} network (max |Δy| ≤ 1e-6) in every layer`, () => {
      const rng = new Rng(11);
      const m = Mlp.init(engine, spec, rng);
      const x = randomInputs(rng, 20, spec);
      const width = spec.embed ? spec.inFold : spec.shape[0];
      const before = predict(m, x, width);
      const params = m.readParams();
      for (let layer = 0; layer <= m.depth; layer++) {
        const n = layer === 0 ? spec.shape[0] / spec.inFold : spec.shape[layer];
        swapNeurons(m, layer, 0, n - 1);
        if (n > 2) swapNeurons(m, layer, 1, 2);
      }
      expect(maxDiff(m.readParams(), params).diff).toBeGreaterThan(0); // something moved
      const after = predict(m, x, width);
      expect(maxDiff(after, before).diff).toBeLessThanOrEqual(1e-6);
      m.dispose();
    });
  }
});

describe("swap scoring", () => {
  it("Δ(k) equals the full cost after the swap minus before, and the choice matches", async () => {
    const task = getTask("two-moons");
    const data = await task.make(engine, 0);
    const s = structuredClone(task.settings);
    const trainer = new Trainer(engine, data, { mode: "bimt", seed: 3, settings: s });
    for (let step = 0; step < 300; step++) trainer.step(step); // grow some structure first
    const m = trainer.model;
    const cost = new ConnectionCost(m, s, { lossA: s.weightFactor, swapA: s.weightFactor });
    let checked = 0;
    for (let layer = 0; layer <= m.depth; layer++) {
      const n = layer === 0 ? m.spec.shape[0] : m.spec.shape[layer];
      for (const j of [0, Math.floor(n / 2), n - 1]) {
        const deltas = trainer.swapDeltas(layer, j);
        const base = cost.evaluate(0, false);
        const full: number[] = [];
        for (let k = 0; k < n; k++) {
          swapNeurons(m, layer, j, k);
          full.push(cost.evaluate(0, false) - base);
          swapNeurons(m, layer, j, k);
        }
        for (let k = 0; k < n; k++) expect(Math.abs(deltas[k] - full[k])).toBeLessThan(1e-4 * (1 + Math.abs(full[k])));
        const argmin = (a: ArrayLike<number>) => {
          let best = 0;
          for (let i = 1; i < a.length; i++) if (a[i] < a[best]) best = i;
          return best;
        };
        expect(argmin(deltas)).toBe(argmin(full));
        checked++;
      }
    }
    expect(checked).toBe(12);
    cost.dispose();
    trainer.dispose(false);
  });
});
