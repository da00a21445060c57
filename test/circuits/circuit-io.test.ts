import { describe, expect, it } from "vitest";
import { createEngineSync } from "../../src/engine/engine.ts";
import { Rng } from "../../src/engine/random.ts";
import { Mlp } from "../../src/model/mlp.ts";
import {
  checkCircuitFor,
  circuitMask,
  makeCircuit,
  parseCircuit,
  serializeCircuit,
  type Circuit,
} from "../../src/circuits/circuit-io.ts";
import type { EdgeMask } from "../../src/circuits/types.ts";

describe("circuit JSON", () => {
  const e = createEngineSync();
  const spec = { shape: [3, 4, 2], layout: "line" as const, inFold: 1 };
  const model = Mlp.init(e, spec, new Rng(1));
  const mask: EdgeMask = [
    Uint8Array.from([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]),
    Uint8Array.from([0, 1, 0, 0, 1, 0, 0, 1]),
  ];
  const effects = mask.map((m, l) => Float32Array.from(m, (_, i) => Math.fround((l + 1) * 0.001 * (i + 1) - 0.004)));
  const circuit = makeCircuit(model, mask, effects,
    { method: "acdc", ablation: "resample", metric: "kl", order: "receivers output-first, senders ascending", tau: 1e-3,
      outputs: [1], seed: 7 },
    { faithfulness: 0.0123, faithfulnessMetric: "kl", edges: 7, totalEdges: 20, sparsity: 0.65, timeMs: 12.5,
      evaluations: 20, task: { metric: "accuracy", circuit: 0.9, full: 0.95 } });
  const text = serializeCircuit(circuit);
  const edit = (f: (c: Record<string, any>) => void) => {
    const c = JSON.parse(text);
    f(c);
    return JSON.stringify(c);
  };

  it("round-trips exactly, one edge per line, and gives back the mask", () => {
    expect(circuit.edges).toHaveLength(7);
    expect(circuit.edges[0]).toEqual({ layer: 0, to: 0, from: 0, effect: effects[0][0], name: "0.0 → 1.0" });
    expect(text.split("\n").filter((l) => l.includes('"layer"'))).toHaveLength(7);
    const back = parseCircuit(text, model);
    expect(back).toEqual(circuit);
    expect(serializeCircuit(back)).toBe(text);
    expect(circuitMask(back, spec).map((m) => Array.from(m))).toEqual(mask.map((m) => Array.from(m)));
  });

  it("names each edge \"layer.from → layer+1.to\", also when read from a file without names", () => {
    const last = circuit.edges[circuit.edges.length - 1];
    expect(last.name).toBe(`${last.layer}.${last.from} → ${last.layer + 1}.${last.to}`);
    const unnamed = parseCircuit(edit((c) => c.edges.forEach((e: Record<string, unknown>) => delete e.name)));
    expect(unnamed.edges.map((e) => e.name)).toEqual(circuit.edges.map((e) => e.name));
    expect(() => parseCircuit(edit((c) => (c.edges[0].name = "1.2 → 3.4")))).toThrow(/named "1\.2 → 3\.4", not "0\.0 → 1\.0"/);
  });

  it("rejects text that is not a circuit", () => {
    expect(() => parseCircuit("")).toThrow(/not valid JSON \(the file is empty\)/);
    expect(() => parseCircuit(text.slice(0, 100))).toThrow(/truncated or not a circuit file/);
    expect(() => parseCircuit("[1]")).toThrow(/expected a JSON object, got an array/);
    expect(() => parseCircuit(edit((c) => (c.format = "brainwire.model")))).toThrow(
      /format: expected "brainwire.circuit", got "brainwire.model"/,
    );
    expect(() => parseCircuit(edit((c) => (c.version = 2)))).toThrow(/unsupported version 2 \(supported: 1\)/);
  });

  it("names missing and malformed fields", () => {
    expect(() => parseCircuit(edit((c) => delete c.modelHash))).toThrow(/modelHash/);
    expect(() => parseCircuit(edit((c) => delete c.settings.ablation))).toThrow(/settings\.ablation/);
    expect(() => parseCircuit(edit((c) => (c.settings.metric = "accuracy")))).toThrow(/settings\.metric/);
    expect(() => parseCircuit(edit((c) => (c.settings.tau = 0)))).toThrow(/settings\.tau: must be > 0/);
    expect(() => parseCircuit(edit((c) => (c.edges[2].effect = "big")))).toThrow(/edges\[2\]\.effect/);
    expect(() => parseCircuit(edit((c) => (c.scores.faithfulness = null)))).toThrow(/scores\.faithfulness/);
  });

  it("rejects edges out of range for the model and duplicated edges", () => {
    expect(() => parseCircuit(edit((c) => (c.edges[0].layer = 2)))).toThrow(/edges\[0\].*weight layers 0\.\.1/);
    expect(() => parseCircuit(edit((c) => (c.edges[1].from = 3)))).toThrow(/edges\[1\].*out of range for a 4×3 layer/);
    expect(() => parseCircuit(edit((c) => (c.edges[6].to = 2)))).toThrow(/edges\[6\].*out of range for a 2×4 layer/);
    expect(() => parseCircuit(edit((c) => c.edges.push(c.edges[3])))).toThrow(/edges\[7\].*listed twice/);
    expect(() => parseCircuit(edit((c) => (c.settings.outputs = [2])))).toThrow(/settings\.outputs: 2/);
  });

  it("rejects a circuit made for another model", () => {
    const other = Mlp.init(e, spec, new Rng(2));
    expect(() => parseCircuit(text, other)).toThrow(/circuit is for another model: its modelHash is [0-9a-f]{16}/);
    const bigger = Mlp.init(e, { ...spec, shape: [3, 5, 2] }, new Rng(1));
    expect(() => checkCircuitFor(circuit, bigger)).toThrow(/shape \[3,4,2\], this model is \[3,5,2\]/);
    expect(() => circuitMask(circuit, bigger.spec)).toThrow(/shape \[3,4,2\]/);
    // one ulp in one weight is another model
    const snap = model.toSnapshot();
    snap.layers[1].bias[0] = Math.fround(snap.layers[1].bias[0] * (1 + 2 ** -23));
    const nudged = Mlp.fromSnapshot(e, snap);
    expect(() => parseCircuit(text, nudged)).toThrow(/another model/);
    for (const m of [other, bigger, nudged]) m.dispose();
  });

  it("keeps an empty circuit and a circuit without scores", () => {
    const empty: Circuit = { ...circuit, edges: [], scores: {} };
    expect(parseCircuit(serializeCircuit(empty), model)).toEqual(empty);
  });
});
