// The library's root API as a TypeScript user calls it: train yields and stops on a timer's abort,
// takes the training settings and returns the curves; unknown options are errors; predict is the dense
// forward; score measures what discover measured; a metric can be a function; files and pictures.
import { describe, expect, it } from "vitest";
import { TASKS, UserError, discover, draw, load, loadCircuit, predict, save, saveCircuit, score, train,
  type TaskName } from "../../src/index.ts";
import { createEngineSync } from "../../src/engine/engine.ts";
import type { ModelSnapshot } from "../../src/model/spec.ts";

const engine = createEngineSync();

/** The network's function in plain f64 loops (original input and output order): SiLU hidden layers. */
function denseForward(s: ModelSnapshot, x: number[]): number[] {
  const { shape, embed, inFold } = s.spec;
  let a: number[];
  if (embed) {
    // Token slot f reads embedding row x[f]; the embedding's columns are in slot order.
    a = [];
    for (let f = 0; f < inFold; f++) for (let c = 0; c < embed.dim; c++) a.push(s.embedding![x[f] * embed.dim + c]);
  } else {
    const slots = shape[0] / inFold;
    a = Array.from({ length: shape[0] }, (_, i) => x[Math.floor(i / slots) * slots + s.inPerm[i % slots]]);
  }
  for (let l = 0; l + 1 < shape.length; l++) {
    const { weight, bias } = s.layers[l];
    const z = Array.from({ length: shape[l + 1] }, (_, j) => {
      let v = bias[j];
      for (let i = 0; i < shape[l]; i++) v += weight[j * shape[l] + i] * a[i];
      return v;
    });
    a = l + 2 < shape.length ? z.map((v) => v / (1 + Math.exp(-v))) : z;
  }
  const out = new Array<number>(a.length);
  s.outPerm.forEach((orig, p) => (out[orig] = a[p]));
  return out;
}

describe("train", () => {
  it("takes every training setting and returns the curves", async () => {
    const r = await train({ task: "symbolic-sharing", mode: "l1", seed: 2, steps: 120, lr: 3e-3, shape: [3, 9, 3],
      lambda: [{ from: 0, value: 1e-3 }, { from: 60, value: 1e-2 }], batch: 50, engine });
    expect(r.model.spec.shape).toEqual([3, 9, 3]);
    expect(r.model.meta?.settings).toMatchObject({ lr: 3e-3, batch: 50, steps: 120 });
    expect(r.curves.step.length).toBeGreaterThan(10);
    expect(r.curves.lambda).toContain(1e-2);
    expect(r.metrics.metric).toBe("mse");
  });

  it("trains on your data given as contents", async () => {
    const text = ["x,y,label", ...Array.from({ length: 30 }, (_, i) => `${(i % 5) / 5},${(i % 3) / 3},${i % 2}`)].join("\n");
    const r = await train({ data: { name: "pts.csv", text, classification: true, testFraction: 0.2 }, steps: 50, engine });
    expect(r.model.meta).toMatchObject({ task: "user", data: { name: "pts.csv", rows: { train: 24, test: 6 } } });
  });

  it("yields to the event loop: a timer's abort stops it within one yield, keeping the model so far", async () => {
    const controller = new AbortController();
    let stepAtAbort = 0;
    let step = 0;
    const timer = setTimeout(() => {
      stepAtAbort = step;
      controller.abort();
    }, 100);
    const r = await train({ steps: 5_000_000, signal: controller.signal, progressEveryMs: 0, engine,
      onProgress: (p) => void (step = p.step) });
    clearTimeout(timer);
    expect(r.aborted).toBe(true);
    expect(stepAtAbort).toBeGreaterThan(0);
    expect(r.steps).toBe(stepAtAbort);
    expect(r.model.format).toBe("brainwire.model");
  });

  it("refuses unknown options and bad values with a UserError naming them", async () => {
    await expect(train({ steps: 10, learningRate: 1 } as never)).rejects.toThrow(/unknown option\(s\) learningRate/);
    await expect(train({ task: "chess" as TaskName })).rejects.toThrow(UserError);
    await expect(train({ mode: "fast" as never })).rejects.toMatchObject({ field: "mode" });
    // @ts-expect-error: task is a union of the built-in names
    const typed: Parameters<typeof train>[0] = { task: "chess" };
    expect(typed?.task).toBe("chess");
  });

  it("TaskName lists exactly the built-in tasks", () => {
    const names: Record<TaskName, true> = { "symbolic-independence": true, "symbolic-sharing": true,
      "symbolic-composition": true, "two-moons": true, "modular-addition": true, "permutation-s4": true, mnist: true };
    expect(Object.keys(names).sort()).toEqual([...TASKS].sort());
  });
});

describe("predict", () => {
  it("equals the dense forward, for features and for token ids", async () => {
    const moons = (await train({ steps: 200, seed: 5, engine })).model;
    const rows = [[0.1, 0.2], [-1, 0.5], [1.5, -0.25], [0, 0]];
    const got = await predict(moons, rows, { engine });
    rows.forEach((x, r) => {
      const want = denseForward(moons, x);
      got[r].forEach((v, c) => expect(Math.abs(v - want[c])).toBeLessThan(1e-5 + 1e-5 * Math.abs(want[c])));
    });
    const tokens = (await train({ task: "modular-addition", steps: 30, shape: [64, 12, 59], engine })).model;
    const pairs = [[0, 0], [3, 58], [17, 42]];
    const out = await predict(tokens, pairs, { engine });
    pairs.forEach((x, r) => {
      const want = denseForward(tokens, x);
      out[r].forEach((v, c) => expect(Math.abs(v - want[c])).toBeLessThan(1e-5 + 1e-5 * Math.abs(want[c])));
    });
  });

  it("names a bad row", async () => {
    const m = (await train({ steps: 5, engine })).model;
    await expect(predict(m, [[1, 2], [3]], { engine })).rejects.toThrow(/inputs\[1\]: must be 2 numbers/);
    await expect(predict(m, [[1, NaN]], { engine })).rejects.toThrow(/inputs\[0\]\[1\]: NaN is not a finite number/);
  });
});

describe("discover, score, files and pictures", () => {
  it("score measures a circuit as discover did; files round-trip; draw takes the circuit", async () => {
    const m = (await train({ steps: 300, seed: 1, engine })).model;
    const found = await discover(m, { engine });
    expect(found.circuit.edges[0].name).toMatch(/→/);
    const { timeMs: _t, evaluations: _e, ...measured } = found.circuit.scores;
    expect(await score(m, found.circuit, { engine })).toEqual(measured);
    expect(load(save(m))).toEqual(m);
    expect(loadCircuit(saveCircuit(found.circuit))).toEqual(found.circuit);
    expect(() => load("{")).toThrow(/model: model file is not valid JSON/);
    const svg = draw(m, { circuit: found.circuit });
    expect(svg).toMatch(/^<svg/);
    expect(draw(m, { circuit: found.mask })).toBe(svg);
  });

  it("a metric given as a function drives ACDC", async () => {
    const m = (await train({ steps: 300, seed: 1, engine })).model;
    // Nothing ever matters to this metric: every edge goes.
    const none = await discover(m, { metric: () => 0, tau: 1e-3, examples: 50, engine });
    expect(none.edges).toBe(0);
    expect(none.circuit.settings.metric).toBe("custom");
    // MSE to the full model, in JS: the same circuit as the built-in mse (naive run, same decisions).
    const mse = (y: Float32Array, full: Float32Array) => {
      let s = 0;
      for (let i = 0; i < y.length; i++) s += (y[i] - full[i]) ** 2;
      return s / y.length;
    };
    const custom = await discover(m, { metric: mse, tau: 1e-2, examples: 100, engine });
    const builtIn = await discover(m, { metric: "mse", tau: 1e-2, examples: 100, engine });
    const edges = (d: typeof custom) => d.circuit.edges.map((e) => e.name);
    expect(edges(custom)).toEqual(edges(builtIn));
    await expect(discover(m, { metric: mse, engine })).rejects.toThrow(/tau: required with a metric function/);
    await expect(discover(m, { metric: mse, tau: 1, method: "eap", engine })).rejects.toThrow(/method: a metric function runs with acdc/);
  });
});
