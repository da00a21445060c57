// The task metrics EAP uses (nll, logit-diff, mse to targets), computed by the metric kernels: values
// against plain f64 formulas, f32 and f64 outputs alike, gradients against a plain reference (bit for
// bit: each entry is one f64 expression rounded once) and against finite differences of the value.
import { describe, expect, it } from "vitest";
import { TaskMetric, taskTarget, type TaskTarget } from "../../src/circuits/task-metric.ts";
import type { DiscoveryData } from "../../src/circuits/types.ts";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import { expectScalarClose } from "../helpers/expect-close.ts";

const engine = createEngineSync();

/** A model with dOut outputs and permuted output slots (only the output layer's size and outPerm matter). */
function outputsModel(dOut: number, seed: number): Mlp {
  const m = Mlp.init(engine, { shape: [2, dOut], layout: "line", inFold: 1 }, new Rng(seed));
  m.outPerm.set(new Rng(seed + 1).permutation(dOut));
  return m;
}

function setting(dOut: number, n: number, seed: number, ties = true) {
  const rng = new Rng(seed);
  const model = outputsModel(dOut, seed);
  const data: DiscoveryData = {
    n,
    clean: new Float32Array(2 * n),
    labels: Int32Array.from({ length: n }, () => rng.int(dOut)),
    targets: Float32Array.from({ length: n * dOut }, () => rng.range(-1, 1)),
  };
  // outputs in slot order; every fifth row has two equal strongest others (logit-diff's tie rule)
  const z = Float32Array.from({ length: n * dOut }, () => rng.range(-3, 3));
  if (ties) for (let r = 0; r < n; r += 5) if (dOut >= 3) z[r * dOut + 2] = z[r * dOut + 1] = 5;
  return { model, data, z };
}

/** The metric from its definition, in f64 (task-metric.ts header). */
function reference(t: TaskTarget, z: ArrayLike<number>): number {
  let s = 0;
  for (let r = 0; r < t.n; r++) {
    const row = Array.from({ length: t.dOut }, (_, p) => z[r * t.dOut + p]);
    if (t.metric === "mse") {
      row.forEach((v, p) => { if (t.inS[p]) s += (v - (t.target as Float32Array)[r * t.dOut + p]) ** 2; });
      continue;
    }
    const y = t.labelSlot[r];
    if (y < 0) continue;
    if (t.metric === "nll") s += Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[y];
    else s -= row[y] - Math.max(...row.filter((_, c) => c !== y));
  }
  return s / t.count;
}

/** ∂M/∂z from its definition: each entry one f64 expression, rounded to f32 once. */
function referenceGradient(t: TaskTarget, z: Float32Array, start: number, rows: number): Float32Array {
  const g = new Float32Array(rows * t.dOut);
  for (let r = 0; r < rows; r++) {
    const k = start + r;
    if (t.metric === "mse") {
      for (let p = 0; p < t.dOut; p++) {
        const d = z[r * t.dOut + p] - (t.target as Float32Array)[k * t.dOut + p];
        g[r * t.dOut + p] = t.inS[p] ? (2 * d) / t.count : 0;
      }
      continue;
    }
    const y = t.labelSlot[k];
    if (y < 0) continue;
    let best = -1; // the first strongest other
    for (let c = 0; c < t.dOut; c++) if (c !== y && (best < 0 || z[r * t.dOut + c] > z[r * t.dOut + best])) best = c;
    g[r * t.dOut + y] = -1 / t.count;
    g[r * t.dOut + best] = 1 / t.count;
  }
  return g;
}

const CASES = [
  { metric: "mse", dOut: 1 }, { metric: "mse", dOut: 5, outputs: [0, 3] }, { metric: "mse", dOut: 13 },
  { metric: "nll", dOut: 1 }, { metric: "nll", dOut: 3 }, { metric: "nll", dOut: 6, outputs: [1, 4] },
  { metric: "logit-diff", dOut: 2 }, { metric: "logit-diff", dOut: 7 }, { metric: "logit-diff", dOut: 5, outputs: [2] },
] as const;

describe("task metrics in WASM", () => {
  for (const c of CASES) {
    const label = `${c.metric}, ${c.dOut} outputs${"outputs" in c ? ` restricted to [${c.outputs}]` : ""}`;

    it(`${label}: the value is the definition's, from f32 or f64 outputs alike`, () => {
      const { model, data, z } = setting(c.dOut, 23, c.dOut);
      const t = taskTarget(model, data, c.metric, "outputs" in c ? [...c.outputs] : undefined);
      const m = new TaskMetric(engine, t);
      const v = m.value(z);
      expect(m.value(Float64Array.from(z))).toBe(v);
      expectScalarClose(v, reference(t, z), { atol: 1e-12, rtol: 1e-12 }, label);
      m.dispose();
      model.dispose();
    });

    if (c.metric === "nll") continue; // nll's gradient is the softmax cross-entropy kernel's (test/kernels)

    it(`${label}: the gradient is the definition's bit for bit, rows taken from any start`, () => {
      const { model, data, z } = setting(c.dOut, 23, c.dOut + 10);
      const t = taskTarget(model, data, c.metric, "outputs" in c ? [...c.outputs] : undefined);
      const m = new TaskMetric(engine, t);
      for (const [start, rows] of [[0, 23], [7, 9], [22, 1]]) {
        const y = engine.from(z.subarray(start * c.dOut, (start + rows) * c.dOut));
        const g = engine.alloc(rows * c.dOut);
        const labels = engine.alloc(rows, "i32");
        engine.f32(g).fill(NaN); // every entry must be written
        m.gradient(y, g, labels, start, rows);
        expect(Array.from(engine.read(g)), `rows ${start}…${start + rows}`)
          .toEqual(Array.from(referenceGradient(t, z.subarray(start * c.dOut), start, rows)));
        engine.free(y, g, labels);
      }
      m.dispose();
      model.dispose();
    });

    it(`${label}: the gradient matches central differences of the value`, () => {
      const { model, data, z } = setting(c.dOut, 11, c.dOut + 20, false);
      const t = taskTarget(model, data, c.metric, "outputs" in c ? [...c.outputs] : undefined);
      const m = new TaskMetric(engine, t);
      const y = engine.from(z);
      const g = engine.alloc(z.length);
      const labels = engine.alloc(11, "i32");
      m.gradient(y, g, labels, 0, 11);
      const grad = engine.read(g);
      const eps = 1e-4;
      for (let i = 0; i < z.length; i++) {
        const at = (d: number) => { const w = Float64Array.from(z); w[i] += d; return m.value(w); };
        // mse is quadratic and logit-diff piecewise linear (no ties here): differences are exact up to rounding
        expectScalarClose(grad[i], (at(eps) - at(-eps)) / (2 * eps), { atol: 1e-6, rtol: 1e-5 }, `entry ${i}`);
      }
      engine.free(y, g, labels);
      m.dispose();
      model.dispose();
    });
  }

  it("frees what it allocates", () => {
    const before = engine.memoryStats.liveBuffers;
    const { model, data, z } = setting(4, 9, 1);
    const m = new TaskMetric(engine, taskTarget(model, data, "mse"));
    m.value(z);
    m.dispose();
    model.dispose();
    expect(engine.memoryStats.liveBuffers).toBe(before);
  });
});
