// Training: gradients, determinism, the reference-setting quality bars, and BIMT's shorter wires.
import { beforeAll, describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { getTask } from "../../src/tasks/index.ts";
import type { Dataset } from "../../src/tasks/types.ts";
import { Trainer, train, trainAsync, type TrainResult } from "../../src/train/trainer.ts";
import { withOverrides } from "../../src/train/settings.ts";
import type { Mode } from "../../src/train/modes.ts";

const engine = createEngineSync();

async function run(taskName: string, mode: Mode, seed: number, overrides = {}): Promise<TrainResult> {
  const task = getTask(taskName);
  const data = await task.make(engine, seed);
  return train(engine, data, { mode, seed, settings: withOverrides(task.settings, overrides) });
}

describe("gradient", () => {
  it("of task loss + λ·cost matches central finite differences", async () => {
    const task = getTask("symbolic-independence");
    const data: Dataset = await task.make(engine, 1);
    const settings = withOverrides(task.settings, { shape: "4,6,5,2" });
    settings.biasPenaltyFrom = 0; // exercise the bias term too
    const t = new Trainer(engine, data, { mode: "bimt", seed: 1, settings });
    const lambda = 0.05;
    const lossAt = () => {
      const r = t.computeGradients(settings.steps, lambda);
      return r.loss + lambda * r.cost;
    };
    lossAt();
    const grad = t.readGradient();
    const p = engine.f32(t.model.params);
    let checked = 0;
    for (let i = 0; i < p.length; i += 3) {
      const w = p[i];
      if (Math.abs(w) < 0.02) continue; // |w| has a kink at 0
      const h = 1e-3;
      p[i] = w + h;
      const up = lossAt();
      p[i] = w - h;
      const down = lossAt();
      p[i] = w;
      const fd = (up - down) / (2 * h);
      expect(Math.abs(fd - grad[i]), `param ${i}: fd ${fd} vs analytic ${grad[i]}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    t.dispose(false);
  });
});

describe("determinism", () => {
  it("the same seed gives byte-identical weights; another seed differs", async () => {
    const weights = async (seed: number) => {
      const r = await run("two-moons", "bimt", seed, { steps: 600 });
      const bytes = new Uint8Array(r.model.readParams().buffer);
      const perm = Array.from(r.model.outPerm).concat(Array.from(r.model.inPerm));
      r.model.dispose();
      return { bytes, perm };
    };
    const a = await weights(5);
    const b = await weights(5);
    const c = await weights(6);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.perm).toEqual(b.perm);
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
  });

  it("does not leak WASM memory across repeated runs", async () => {
    const once = async () => (await run("two-moons", "bimt", 1, { steps: 50 })).model.dispose();
    await once();
    const stats = engine.memoryStats;
    for (let i = 0; i < 5; i++) await once();
    expect(engine.memoryStats.liveBuffers).toBe(stats.liveBuffers);
    expect(engine.memoryStats.linearMemory).toBe(stats.linearMemory);
  });
});

describe("training loop", () => {
  it("reports progress and stops on abort, keeping the partial model", async () => {
    const task = getTask("two-moons");
    const data = await task.make(engine, 0);
    const controller = new AbortController();
    const seen: number[] = [];
    const r = train(engine, data, {
      mode: "bimt",
      seed: 0,
      settings: withOverrides(task.settings, { steps: 1000 }),
      progressEvery: 100,
      onProgress: (p) => {
        seen.push(p.step);
        if (p.step >= 300) controller.abort();
      },
      signal: controller.signal,
    });
    expect(r.aborted).toBe(true);
    expect(r.steps).toBe(300);
    expect(seen).toEqual([100, 200, 300]);
    expect(r.curves.loss.length).toBeGreaterThan(0);
    r.model.dispose();
  });
});

describe("reference settings (full schedules)", () => {
  const results: Record<string, TrainResult> = {};
  beforeAll(async () => {
    for (const task of ["two-moons", "symbolic-independence"]) {
      for (const mode of ["bimt", "l1"] as Mode[]) results[`${task}/${mode}`] = await run(task, mode, 0);
    }
  }, 600_000);

  it("two-moons bimt reaches test accuracy ≥ 0.97", () => {
    expect(results["two-moons/bimt"].metrics.test).toBeGreaterThanOrEqual(0.97);
  });

  it("symbolic-independence bimt reaches test MSE ≤ 1e-2", () => {
    expect(results["symbolic-independence/bimt"].metrics.test).toBeLessThanOrEqual(1e-2);
  });

  it("bimt wires are shorter than l1 wires of the same seed", () => {
    for (const task of ["two-moons", "symbolic-independence"]) {
      const bimt = results[`${task}/bimt`].metrics.wireLength;
      const l1 = results[`${task}/l1`].metrics.wireLength;
      console.log(`${task}: mean wire length bimt ${bimt.toFixed(4)} vs l1 ${l1.toFixed(4)}`);
      expect(bimt).toBeLessThan(l1);
    }
  });
});

describe("mnist (shortened schedule: 1,500 steps of batch 100)", () => {
  it("vanilla reaches test accuracy ≥ 0.90", async () => {
    const r = await run("mnist", "vanilla", 0, { steps: 1500 });
    console.log(`mnist vanilla, 1500 steps: test accuracy ${r.metrics.test.toFixed(4)}, ${r.stepsPerSecond.toFixed(0)} steps/s`);
    expect(r.metrics.test).toBeGreaterThanOrEqual(0.9);
    r.model.dispose();
  });
});

describe("trainAsync", () => {
  it("gives train()'s bits while handing the event loop turns", async () => {
    const task = getTask("two-moons");
    const data = await task.make(engine, 2);
    const opts = { mode: "bimt" as const, seed: 2, settings: withOverrides(task.settings, { steps: 400 }) };
    const a = train(engine, data, opts);
    const b = await trainAsync(engine, data, opts);
    expect(Buffer.from(b.model.readParams().buffer).equals(Buffer.from(a.model.readParams().buffer))).toBe(true);
    expect(Array.from(b.model.inPerm)).toEqual(Array.from(a.model.inPerm));
    expect(b.curves).toEqual(a.curves);
    a.model.dispose();
    b.model.dispose();
  });
});
