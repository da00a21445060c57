// The host's one definition of the ablate plan (layout, depth limit) and of the metric ids against
// what the WASM module was compiled with: the module exports its own as constants (assembly/ablate-plan.ts).
import { describe, expect, it } from "vitest";
import { acdc } from "../../src/circuits/acdc.ts";
import { acdcNaive } from "../../src/circuits/acdc-naive.ts";
import { LAYER_FIELDS, LAYER_WORDS, MAX_DEPTH, PLAN } from "../../src/circuits/ablate-plan.ts";
import { METRICS } from "../../src/circuits/types.ts";
import { createEngineSync } from "../../src/engine/engine.ts";
import { randomData, randomModel } from "./acdc-fixtures.ts";

const engine = createEngineSync();
const exported = engine.k as unknown as Record<string, unknown>;

/** The module's exported i32 constant `name` (undefined if it has none). */
function constant(name: string): number | undefined {
  const g = exported[name];
  return g instanceof WebAssembly.Global ? (g.value as number) : undefined;
}

/** dOut → D_OUT, logit-diff → LOGIT_DIFF, aTilde → A_TILDE. */
const snake = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1_$2").replace(/-/g, "_").toUpperCase();

describe("the ablate ABI", () => {
  it("the plan's header words are the module's, and it has no field the host lacks", () => {
    for (const [field, word] of Object.entries(PLAN)) expect(constant(`PLAN_${snake(field)}`), field).toBe(word);
    const names = Object.keys(exported).filter((n) => n.startsWith("PLAN_"));
    expect(names.sort()).toEqual(Object.keys(PLAN).map((f) => `PLAN_${snake(f)}`).sort());
  });

  it("each weight layer's words are the module's, in the same order and number", () => {
    LAYER_FIELDS.forEach((field, i) => expect(constant(`LAYER_${snake(field)}`), field).toBe(i));
    expect(constant("LAYER_WORDS")).toBe(LAYER_WORDS);
    const names = Object.keys(exported).filter((n) => n.startsWith("LAYER_") && n !== "LAYER_WORDS");
    expect(names.sort()).toEqual(LAYER_FIELDS.map((f) => `LAYER_${snake(f)}`).sort());
  });

  it("metric ids are the positions in METRICS", () => {
    METRICS.forEach((m, i) => expect(constant(`METRIC_${snake(m)}`), m).toBe(i));
    expect(Object.keys(exported).filter((n) => n.startsWith("METRIC_"))).toHaveLength(METRICS.length);
  });

  it("the depth limit is the module's; ACDC runs at the limit and refuses one layer more", () => {
    expect(constant("ABLATE_MAX_DEPTH")).toBe(MAX_DEPTH);
    const deep = (layers: number) => randomModel(engine, { shape: [3, ...new Array(layers - 1).fill(2), 2] }, 3);
    const model = deep(MAX_DEPTH);
    expect(model.depth).toBe(MAX_DEPTH);
    // a chain that carries x0 − x1 through every layer: first layer h = (x0 + 6, x1 + 6) (SiLU is nearly
    // the identity there), identities after, logits ±(h0 − h1); the third input and every cross edge weigh 0
    const p = engine.f32(model.params).fill(0);
    const { weight, bias } = model.layout;
    for (let l = 0; l < model.depth; l++) {
      const nIn = model.spec.shape[l];
      const last = l === model.depth - 1;
      for (let j = 0; j < 2; j++) {
        for (let i = 0; i < 2; i++) p[weight[l] + j * nIn + i] = last ? (i === j ? 1 : -1) : i === j ? 1 : 0;
      }
      if (l === 0) p.fill(6, bias[0], bias[0] + 2);
    }
    const data = randomData(model, 12, 4);
    const opts = { tau: 1e-6, ablation: "resample", metric: "kl" } as const;
    const fast = acdc(model, data, opts);
    const naive = acdcNaive(model, data, opts);
    expect(fast.kept.length, "the chain's edges are kept").toBe(2 * MAX_DEPTH + 2);
    fast.mask.forEach((m, l) => expect(Array.from(m), `layer ${l}`).toEqual(Array.from(naive.mask[l])));
    model.dispose();
    const tooDeep = deep(MAX_DEPTH + 1);
    expect(() => acdc(tooDeep, randomData(tooDeep, 4, 5), opts)).toThrow(/at most 63 weight layers/);
    tooDeep.dispose();
  });
});
