// The app layer: specs resolve with their defaults and survive JSON, runs give the bits of the training
// loop and of discovery themselves, progress is plain data, abort stops training within one yield, and
// user data keep their held-out rows whatever seed discovery is given.
import { describe, expect, it } from "vitest";
import { resolveDiscover, resolveTrain, runDiscovery, runRequest, runTraining, UserError, type TrainProgress }
  from "../../src/app/index.ts";
import { discover } from "../../src/circuits/discover.ts";
import { createEngineSync } from "../../src/engine/engine.ts";
import { modelHash } from "../../src/model/io.ts";
import { getTask } from "../../src/tasks/index.ts";
import { withOverrides } from "../../src/train/settings.ts";
import { train } from "../../src/train/trainer.ts";

const engine = createEngineSync();

describe("resolveTrain", () => {
  it("fills every default: task two-moons, mode bimt, seed 0, the task's reference settings", () => {
    const spec = resolveTrain({});
    expect(spec).toEqual({ family: "mlp", task: "two-moons", mode: "bimt", seed: 0, settings: getTask("two-moons").settings,
      permuteAdam: false });
  });

  it("applies overrides given as flags (strings) or as data (arrays), to the same spec", () => {
    const a = resolveTrain({ task: "symbolic-sharing", shape: "3,8,3", lambda: "1e-3,20:1e-2", steps: 50 });
    const b = resolveTrain({ task: "symbolic-sharing", shape: [3, 8, 3], steps: 50,
      lambda: [{ from: 0, value: 1e-3 }, { from: 20, value: 1e-2 }] });
    expect(a).toEqual(b);
    expect(a.settings.model.shape).toEqual([3, 8, 3]);
    expect(a.settings.steps).toBe(50);
  });

  it("is a UserError for each bad value, naming its field", () => {
    const bad: [unknown, string, RegExp][] = [
      [{ task: "chess" }, "task", /unknown task "chess"/],
      [{ mode: "fast" }, "mode", /must be one of vanilla/],
      [{ seed: 1.5 }, "seed", /whole number in 0 … 4294967295, got 1\.5/],
      [{ seed: 2 ** 32 }, "seed", /got 4294967296/],
      [{ steps: 0 }, "steps", /≥ 1, got 0/],
      [{ lr: -1 }, "lr", /> 0, got -1/],
      [{ shape: "2,x,2" }, "shape[1]", /must be a number, got "x"/],
      [{ lambda: "1e-3,5:1,3:2" }, "lambda", /steps must ascend/],
      [{ costForm: "max" }, "costForm", /must be one of sum, mean/],
      [{ learningRate: 1 }, "(options)", /unknown option\(s\) learningRate/],
      [[1, 2], "(options)", /must be an object/],
      [{ data: { text: "a,b\n1,2", name: "t.txt" } }, "data", /expected a \.csv or \.json file/],
      [{ data: { text: "a,b,c\nx,1,2", format: "csv" } }, "data", /CSV line 2, column "a": "x" is not a number/],
    ];
    for (const [raw, field, message] of bad) {
      let err: unknown;
      try {
        resolveTrain(raw);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(raw)).toBeInstanceOf(UserError);
      expect((err as UserError).field, JSON.stringify(raw)).toBe(field);
      expect((err as UserError).message, JSON.stringify(raw)).toMatch(message);
    }
  });

  it("enforces a face's step limit and the memory budget before any allocation", () => {
    expect(() => resolveTrain({ steps: 5000 }, { maxSteps: 1000 })).toThrow(/steps: must be ≤ 1000 here, got 5000/);
    expect(() => resolveTrain({ task: "symbolic-sharing" }, { maxSteps: 1000 }))
      .toThrow(/steps: the task trains 20000 steps by default, over the limit of 1000/);
    expect(() => resolveTrain({ shape: "2,3000,3000,2" }, { memoryBudget: 64 << 20 }))
      .toThrow(/shape: training shape \[2,3000,3000,2\] needs about [\d.]+ MiB of memory, over the budget of 64\.0 MiB/);
  });
});

describe("runTraining", () => {
  it("gives the training loop's own bits, from a spec that went through JSON", async () => {
    const spec = JSON.parse(JSON.stringify(resolveTrain({ task: "two-moons", seed: 3, steps: 300 })));
    const r = await runTraining(spec, { engine });
    const task = getTask("two-moons");
    const direct = train(engine, await task.make(engine, 3), { mode: "bimt", seed: 3,
      settings: withOverrides(task.settings, { steps: 300 }) });
    expect(r.weightsHash).toBe(modelHash(direct.model.toSnapshot()));
    expect(r.metrics).toEqual(direct.metrics);
    expect(r.curves).toEqual(direct.curves);
    direct.model.dispose();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.model.meta).toMatchObject({ family: "mlp", task: "two-moons", mode: "bimt", seed: 3, steps: 300,
      aborted: false, trainedWith: expect.stringMatching(/^brainwire \d+\.\d+\.\d+/) });
  });

  it("reports plain-data progress, with the model so far when asked", async () => {
    const seen: TrainProgress[] = [];
    await runTraining(resolveTrain({ steps: 200 }), { engine, progressEveryMs: 0, modelEveryMs: 0,
      onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(seen[199].model?.format).toBe("brainwire.model");
    expect(structuredClone(seen[5])).toEqual(seen[5]);
  });

  it("stops within one yield when a timer aborts it, and returns the model so far", async () => {
    const controller = new AbortController();
    let stepAtAbort = -1;
    let last = 0;
    setTimeout(() => {
      stepAtAbort = last;
      controller.abort();
    }, 150);
    const r = await runTraining(resolveTrain({ steps: 10_000_000 }), { engine, signal: controller.signal,
      progressEveryMs: 0, onProgress: (p) => void (last = p.step) });
    expect(stepAtAbort).toBeGreaterThan(0);
    expect(r.aborted).toBe(true);
    expect(r.steps).toBe(stepAtAbort);
    expect(r.model.meta?.aborted).toBe(true);
  });

  it("a { kind, spec } request runs the same as the function", async () => {
    const spec = resolveTrain({ steps: 50, seed: 9 });
    const a = await runRequest({ kind: "train", spec }, { engine });
    const b = await runTraining(spec, { engine });
    expect((a as typeof b).weightsHash).toBe(b.weightsHash);
  });
});

describe("resolveDiscover and runDiscovery", () => {
  it("finds discover()'s circuit with the model's task and seed, the metric's τ, and provenance", async () => {
    const trained = await runTraining(resolveTrain({ steps: 300, seed: 1 }), { engine });
    const spec = resolveDiscover({ model: trained.model });
    expect(spec).toMatchObject({ task: "two-moons", seed: 1, method: "acdc", ablation: "resample", metric: "kl",
      tau: 1e-3, examples: 1000 });
    const d = await runDiscovery(JSON.parse(JSON.stringify(spec)), { engine });
    const { Mlp } = await import("../../src/model/mlp.ts");
    const model = Mlp.fromSnapshot(engine, trained.model);
    const direct = discover(model, await getTask("two-moons").make(engine, 1), { seed: 1 });
    model.dispose();
    expect(d.circuitHash).toBe(direct.circuitHash);
    expect(d.heldOut).toBe(true);
    expect(d.circuit.meta).toMatchObject({ task: "two-moons", scoredOn: "held-out split" });
    expect(d.circuit.edges[0].name).toMatch(/^\d+\.\d+ → \d+\.\d+$/);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it("the default τ follows the metric actually used", async () => {
    const trained = await runTraining(resolveTrain({ steps: 20 }), { engine });
    expect(resolveDiscover({ model: trained.model, metric: "logit-diff" }).tau).toBe(1e-2);
    expect(resolveDiscover({ model: trained.model, metric: "nll" }).tau).toBe(1e-3);
    expect(resolveDiscover({ model: trained.model, method: "eap", topK: 5 })).toMatchObject({ metric: "nll", topK: 5 });
  });

  it("discovers on given clean/corrupted pairs and scores on them (not held out)", async () => {
    const trained = await runTraining(resolveTrain({ steps: 300 }), { engine });
    const clean = "x1,x2\n0.1,0.2\n-0.5,0.9\n1.2,-0.3\n0.0,0.4\n";
    const corrupted = [[0.9, -0.1], [0.3, 0.3], [-1, 0.5], [0.7, 0.7]];
    const d = await runDiscovery(resolveDiscover({ model: trained.model, pairs: { clean, corrupted } }), { engine });
    expect(d.heldOut).toBe(false);
    expect(d.circuit.meta).toMatchObject({ examples: 4, scoredOn: "the given pairs" });
    // The full model agrees with itself: its task score is its accuracy against its own predictions.
    expect(d.circuit.scores.task?.full).toBe(1);
    expect(() => resolveDiscover({ model: trained.model, pairs: { clean, corrupted: corrupted.slice(1) } }))
      .toThrow(/pairs: 4 clean rows but 3 corrupted rows/);
    expect(() => resolveDiscover({ model: trained.model, pairs: { clean: "1,2,3", corrupted: "1,2,3" } }))
      .toThrow(/pairs\.clean: line 1: 3 values, the model reads 2/);
  });

  it("a user-data model records how its data were read; discovery reuses the split whatever its seed", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${((i * 3) % 5) / 5},${i % 2}`);
    const text = ["a,b,label", ...rows].join("\n");
    const trainSpec = resolveTrain({ seed: 4, steps: 100, data: { name: "d.csv", text, classification: true,
      testFraction: 0.25 } });
    const trained = await runTraining(trainSpec, { engine });
    expect(trained.model.meta?.data).toMatchObject({ format: "csv", name: "d.csv", kind: "classification",
      testFraction: 0.25, splitSeed: 4, rows: { train: 30, test: 10 } });
    // Another seed moves the pairing, never the split.
    const spec = resolveDiscover({ model: trained.model, seed: 99, data: { name: "d.csv", text } });
    expect(spec.family === "mlp" && spec.data).toMatchObject({ splitSeed: 4, testFraction: 0.25, kind: "classification" });
    expect(spec.seed).toBe(99);
    expect((await runDiscovery(spec, { engine })).heldOut).toBe(true);
    expect(() => resolveDiscover({ model: trained.model })).toThrow(/data: the model learned your data \(d\.csv\)/);
    expect(() => resolveDiscover({ model: trained.model, data: { name: "d.csv", text: text + "\n0,0,1" } }))
      .toThrow(/data: d\.csv is not the data the model learned/);
    expect(() => resolveDiscover({ model: trained.model, data: { name: "d.csv", text, testFraction: 0.5 } }))
      .toThrow(/data\.testFraction: the model was trained with 0\.25, got 0\.5/);
  });
});
